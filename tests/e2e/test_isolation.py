"""Nobody reaches another user's debriefs: replayed buttons and commands find and change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.callbacks import Button
from bot.fakeapi import FakeTelegram
from tests.e2e.driver import Debriefer, text
from tests.e2e.test_history import debrief

pytestmark = pytest.mark.usefixtures("bot")

ALICE, BOB = 1001, 2002
SECRET = "Acme Secret Labs"


def snapshot(db_path: Path, user_id: int) -> list[tuple[object, ...]]:
    """Return every row the database holds for a user, answers and reminders included."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows: list[tuple[object, ...]] = []
        for sql in (
            "SELECT * FROM users WHERE user_id = ?",
            "SELECT * FROM debriefs WHERE user_id = ? ORDER BY id",
            "SELECT p.* FROM answer_parts p JOIN debriefs d ON d.id = p.debrief_id"
            " WHERE d.user_id = ? ORDER BY p.debrief_id, p.question_key, p.part",
            "SELECT * FROM reminders WHERE user_id = ? ORDER BY id",
        ):
            rows += [tuple(row) for row in db.execute(sql, (user_id,))]
        return rows


async def test_replaying_alices_buttons_as_bob_finds_nothing_and_changes_nothing(
    telegram: FakeTelegram, db_path: Path
) -> None:
    alice = Debriefer(telegram.user(ALICE, language_code="en"), "en")
    await debrief(alice, SECRET, {"position": "Secret role", "interview_date": "yesterday"})
    listing = await alice.say("/history")
    shown = await alice.tap(listing, SECRET)
    picker = await alice.tap(shown, "✏️ Edit an answer")
    await alice.tap(picker, "✓ Position")
    await alice.say("Secret role, senior")
    await alice.next()
    await alice.tap(shown, "🗑 Delete")
    await alice.user.send_text("/reminders")
    await alice.user.send_text("/help")
    await alice.until("/new")
    await alice.user.send_text("/new")
    await alice.question("company")
    offer = await alice.say(SECRET.upper())
    assert "🔁 Next round: Secret role, senior" in offer.labels
    # Alice's updates are handled in order: once /help is answered, all before it are done.
    await alice.user.send_text("/help")
    await alice.until("/new")
    before = snapshot(db_path, ALICE)
    replayable = sorted(
        {
            data
            for message in telegram.messages(ALICE)
            for _, data in message._callback_buttons()
            if (button := Button.decode(data)) is not None and button.debrief_id is not None
        }
    )
    assert len(replayable) > 30, replayable

    bob = Debriefer(telegram.user(BOB, language_code="en"), "en")
    greeting = await bob.say("/start")
    refusals = {text("en", "debrief.not_found"), text("en", "reminders.gone")}
    for data in replayable:
        query = await bob.user.press(greeting, data, force=True)
        answer = await telegram.wait_for_callback_answer(query)
        assert answer.text in refusals, (data, answer)
    for command in ("/history", "/export", "/skip", "/back", "/reminders"):
        await bob.user.send_text(command)
    await bob.user.send_text("/help")
    await bob.until("/new")

    seen_by_bob = "\n".join(m.text for m in telegram.messages(BOB))
    assert "Secret" not in seen_by_bob
    assert snapshot(db_path, ALICE) == before
