"""/delete erases all of a user's data, from the disk too, and nobody else's."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.context import DebriefApplication
from bot.fakeapi import FakeTelegram
from tests.e2e.driver import Debriefer, stored_debriefs, text
from tests.e2e.test_export import ALICE, BOB, alice_and_bob
from tests.e2e.test_history import answer_rows, debrief
from tests.e2e.test_isolation import snapshot

pytestmark = pytest.mark.usefixtures("bot")


def raw_files(db_path: Path) -> bytes:
    """Return the raw bytes of the database file, its WAL and its shm."""
    return b"".join(
        path.read_bytes() for path in db_path.parent.iterdir() if path.name.startswith(db_path.name)
    )


def readable(db_path: Path, answers: list[str]) -> list[str]:
    """Return the lines of these answers that can still be read in the raw files."""
    raw = raw_files(db_path)
    return [
        line
        for answer in answers
        for line in answer.splitlines()
        if len(line) >= 6 and line.encode() in raw
    ]


async def test_delete_erases_all_of_the_users_data_from_the_disk_and_keeps_others(
    telegram: FakeTelegram, db_path: Path
) -> None:
    alice, bob = await alice_and_bob(telegram)
    bobs_before = snapshot(db_path, BOB)
    alices_answers = [text for _, _, text in answer_rows(db_path, ALICE)]

    confirm = await alice.say("/delete")
    assert "2 debriefs" in confirm.text
    await alice.user.press_button(confirm, "Keep my data")
    await alice.user.wait_edit(confirm.message_id)
    assert len(stored_debriefs(db_path, ALICE)) == 2

    confirm = await alice.say("/delete")
    await alice.user.press_button(confirm, "🗑 Delete everything")
    done = await alice.user.wait_edit(confirm.message_id)
    assert "deleted" in done.text

    assert snapshot(db_path, ALICE) == []
    assert snapshot(db_path, BOB) == bobs_before
    assert readable(db_path, alices_answers) == []
    raw = raw_files(db_path)
    for _, _, answer in answer_rows(db_path, BOB):
        assert answer.encode() in raw
    empty = await alice.say("/history")
    assert "no debriefs" in empty.text
    assert "Bobcorp secret" in (await bob.say("/history")).text


async def test_on_a_large_database_the_nightly_compaction_finishes_the_erasure(
    telegram: FakeTelegram, db_path: Path, bot: DebriefApplication
) -> None:
    database = bot.bot_data.database
    assert database is not None
    database.compact_now_bytes = 0
    alice, _ = await alice_and_bob(telegram)
    alices_answers = [text for _, _, text in answer_rows(db_path, ALICE)]
    confirm = await alice.say("/delete")
    await alice.user.press_button(confirm, "🗑 Delete everything")
    await alice.user.wait_edit(confirm.message_id)
    assert snapshot(db_path, ALICE) == []
    assert await database.fetch_one("SELECT task FROM maintenance", ()) is not None

    assert bot.job_queue is not None
    [job] = bot.job_queue.get_jobs_by_name("compaction")
    await job.run(bot)

    assert await database.fetch_one("SELECT task FROM maintenance", ()) is None
    assert readable(db_path, alices_answers) == []


async def test_the_nightly_job_empties_the_wal_so_a_replaced_answer_leaves_the_disk(
    telegram: FakeTelegram, db_path: Path, bot: DebriefApplication
) -> None:
    person = Debriefer(telegram.user(ALICE, language_code="en"), "en")
    await debrief(person, "Acme", {"position": "Regrettable-old-title"})
    listing = await person.say("/history")
    shown = await person.tap(listing, "1. Acme")
    picker = await person.tap(shown, "✏️ Edit an answer")
    await person.tap(picker, "✓ Position")
    await person.say("Staff engineer")
    await person.next()
    assert readable(db_path, ["Regrettable-old-title"]) == ["Regrettable-old-title"]

    assert bot.job_queue is not None
    [job] = bot.job_queue.get_jobs_by_name("compaction")
    await job.run(bot)

    assert readable(db_path, ["Regrettable-old-title"]) == []
    assert readable(db_path, ["Staff engineer"]) == ["Staff engineer"]


async def test_two_taps_on_keep_are_no_error(telegram: FakeTelegram, db_path: Path) -> None:
    person = Debriefer(telegram.user(5001, language_code="en"), "en")
    confirm = await person.say("/delete")
    keep = confirm.callback_data("Keep my data")

    await person.user.press(confirm, keep)
    await person.user.wait_edit(confirm.message_id)
    second = await person.user.press(confirm, keep, force=True)
    await telegram.wait_for_callback_answer(second)
    help_reply = await person.say("/help")

    assert "/new" in help_reply.text
    assert [m.text for m in person.user.messages] == [
        text("en", "erase.kept"),
        help_reply.text,
    ]
    assert [call.error for call in telegram.rejected if call.method == "editMessageText"] != []


async def test_a_deletion_during_a_backup_says_so_and_is_finished_by_the_minute_job(
    telegram: FakeTelegram, db_path: Path, bot: DebriefApplication
) -> None:
    database = bot.bot_data.database
    assert database is not None
    database.checkpoint_patience = 0.2
    alice, _ = await alice_and_bob(telegram)
    alices_answers = [text for _, _, text in answer_rows(db_path, ALICE)]
    with closing(sqlite3.connect(db_path, isolation_level=None)) as backup:
        # A running backup holds a read snapshot from before the deletion.
        backup.execute("BEGIN")
        backup.execute("SELECT count(*) FROM answer_parts").fetchall()
        confirm = await alice.say("/delete")
        await alice.user.press_button(confirm, "🗑 Delete everything")
        done = await alice.user.wait_edit(confirm.message_id)

        assert done.text == text("en", "erase.done_soon")
        assert readable(db_path, alices_answers)

    assert bot.job_queue is not None
    [settle] = bot.job_queue.get_jobs_by_name("settle-deletions")
    await settle.run(bot)
    assert readable(db_path, alices_answers) == []
    assert snapshot(db_path, ALICE) == []
