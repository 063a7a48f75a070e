"""Deleted answers leave the disk: the raw bytes of the database, its WAL and shm are searched."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from conversations.model import NewReminder, ReminderKind
from storage.database import Database, open_database
from storage.debriefs import DebriefRepository
from storage.inbox import InboxRepository
from storage.users import UserRepository

ALICE = 1001
BOB = 2002
T0 = 1_767_258_000


def _long(owner: str) -> str:
    """Return a 4000-character answer (it spills onto overflow pages) marked all along."""
    return "".join(f"{owner}-long-{n:04d} " for n in range(300))[:4000]


def _answers(owner: str) -> dict[str, str]:
    """Return distinctive answers: short, long, and with accents and emoji."""
    return {
        "company": f"{owner}-short Zéphyr Logistique",
        "obstacles": _long(owner),
        "feelings": f"{owner}-mood Entretien très tendu 😬, déçue mais ça ira 🍀 — naïveté",
    }


def _needles(owner: str) -> list[bytes]:
    """Return byte strings of which any fragment of the owner's answers holds one."""
    texts = _answers(owner)
    # The long answer is split across pages; any piece of it holds its repeated marker.
    return [
        texts["company"].encode(),
        f"{owner}-long-".encode(),
        texts["feelings"].encode(),
    ]


def _files(path: Path) -> dict[str, bytes]:
    """Return the raw bytes of the database file, its WAL and its shm, where they exist."""
    return {
        candidate.name: candidate.read_bytes()
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if candidate.exists()
    }


def _found(path: Path, owner: str) -> list[str]:
    """Return where on disk any of the owner's answers can still be read (file: needle)."""
    return [
        f"{name}: {needle.decode()[:24]}"
        for name, raw in _files(path).items()
        for needle in _needles(owner)
        if needle in raw
    ]


async def _debrief_with_answers(
    debriefs: DebriefRepository, user_id: int, owner: str, *, replies_from: int = 1
) -> int:
    """Create a finished debrief holding the owner's answers and a pending reminder."""
    debrief = await debriefs.create(user_id=user_id, first_key="company")
    for n, (key, text) in enumerate(_answers(owner).items()):
        await debriefs.save_answer(
            user_id=user_id,
            debrief_id=debrief.id,
            key=key,
            text=text,
            message_id=replies_from + n,
            next_key=None,
        )
    await debriefs.finish(
        user_id=user_id, debrief_id=debrief.id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    return debrief.id


async def _assert_intact(database: Database, user_id: int, owner: str) -> None:
    """Check that the user's answers are all readable through the repository."""
    [kept] = await DebriefRepository(database).all_for(user_id=user_id)
    assert kept.answers == _answers(owner)


@pytest.fixture
async def alice_and_bob(database: Database) -> tuple[int, int]:
    """Give Alice two debriefs ("alice" and "alice2") and Bob one, checkpointed to the file."""
    debriefs = DebriefRepository(database)
    users = UserRepository(database)
    await users.remember(user_id=ALICE, telegram_language="fr", name="alice-name Zoë Ünal")
    await users.remember(user_id=BOB, telegram_language="en", name="bob-name Björn")
    deleted = await _debrief_with_answers(debriefs, ALICE, "alice")
    bobs = await _debrief_with_answers(debriefs, BOB, "bob")
    await _debrief_with_answers(debriefs, ALICE, "alice2", replies_from=10)
    return deleted, bobs


@pytest.mark.parametrize("closed", [False, True], ids=["connection open", "after close"])
async def test_deleting_a_debrief_leaves_none_of_its_answers_on_disk(
    database: Database,
    database_path: Path,
    alice_and_bob: tuple[int, int],
    closed: bool,
) -> None:
    deleted, _ = alice_and_bob
    assert _found(database_path, "alice")

    assert await DebriefRepository(database).delete(user_id=ALICE, debrief_id=deleted)
    if closed:
        await database.close()

    assert _found(database_path, "alice") == []
    assert _found(database_path, "alice2")
    assert _found(database_path, "bob")
    reopened = database if not closed else await open_database(database_path)
    try:
        await _assert_intact(reopened, BOB, "bob")
        await _assert_intact(reopened, ALICE, "alice2")
    finally:
        if closed:
            await reopened.close()


@pytest.mark.parametrize("closed", [False, True], ids=["connection open", "after close"])
async def test_deleting_all_of_a_users_data_leaves_none_of_it_on_disk(
    database: Database,
    database_path: Path,
    alice_and_bob: tuple[int, int],
    closed: bool,
) -> None:
    await UserRepository(database).delete_all(user_id=ALICE)
    if closed:
        await database.close()

    files = _files(database_path)
    assert _found(database_path, "alice") == []
    assert _found(database_path, "alice2") == []
    assert not any(b"alice-name" in raw or "Zoë".encode() in raw for raw in files.values())
    assert _found(database_path, "bob")
    assert any(b"bob-name" in raw for raw in files.values())
    reopened = database if not closed else await open_database(database_path)
    try:
        await _assert_intact(reopened, BOB, "bob")
        assert await DebriefRepository(reopened).all_for(user_id=ALICE) == []
    finally:
        if closed:
            await reopened.close()


async def test_deleting_all_of_a_users_data_erases_their_unhandled_updates_too(
    database: Database, database_path: Path
) -> None:
    inbox = InboxRepository(database)
    for update_id, (user_id, owner) in enumerate([(ALICE, "alice"), (BOB, "bob")], start=1):
        payload = f'{{"update_id":{update_id},"message":{{"text":"{_answers(owner)["company"]}"}}}}'
        await inbox.keep(update_id=update_id, user_id=user_id, payload=payload)
    assert await database.checkpoint()

    await UserRepository(database).delete_all(user_id=ALICE)

    assert [received.update_id for received in await inbox.waiting()] == [2]
    assert _found(database_path, "alice") == []
    assert _found(database_path, "bob")


@pytest.mark.usefixtures("alice_and_bob")
async def test_the_search_finds_deleted_answers_without_secure_delete_or_checkpoint(
    database: Database, database_path: Path
) -> None:
    # The control: a plain write, with secure_delete off, leaves the answers readable.
    await database.connection.execute_fetchall("PRAGMA secure_delete = OFF")
    await database.write(("DELETE FROM users WHERE user_id = ?", (ALICE,)))
    await database.checkpoint()

    assert await DebriefRepository(database).all_for(user_id=ALICE) == []
    assert _found(database_path, "alice")
    assert _found(database_path, "alice2")


@pytest.mark.usefixtures("alice_and_bob")
async def test_the_search_finds_deleted_answers_in_the_wal_without_a_checkpoint(
    database: Database, database_path: Path
) -> None:
    # The other control: secure_delete alone zeroes the new page images, not the WAL's older ones.
    await database.write(("DELETE FROM users WHERE user_id = ?", (ALICE,)))

    wal = f"{database_path.name}-wal"
    assert any(where.startswith(wal) for where in _found(database_path, "alice"))


async def _interleaved(database: Database) -> None:
    """Store 40 debriefs each for Alice and Bob, 25 answers apiece, in a shuffled order."""
    shuffle = random.Random(7)
    debriefs = range(1, 81)
    rows: list[tuple[object, ...]] = []
    for debrief in debriefs:
        owner = ("bob", "alice")[debrief % 2]
        for key in range(25):
            filler = "x" * shuffle.choice([30, 200, 600])
            rows.append((debrief, f"q{key:02d}", f"{owner}-{debrief}-{key} {filler}"))
    shuffle.shuffle(rows)
    await database.write(
        ("INSERT INTO users (user_id) VALUES (?), (?)", (ALICE, BOB)),
        *(
            (
                "INSERT INTO debriefs (id, user_id, status) VALUES (?, ?, 'done')",
                (n, (BOB, ALICE)[n % 2]),
            )
            for n in debriefs
        ),
        *(
            (
                "INSERT INTO answer_parts (debrief_id, question_key, part, text)"
                " VALUES (?, ?, 0, ?)",
                row,
            )
            for row in rows
        ),
    )


async def test_secure_delete_and_a_checkpoint_alone_leave_fragments_that_erase_does_not(
    database: Database, database_path: Path, tmp_path: Path
) -> None:
    # When a b-tree page splits, copies of the cells that moved stay in the unused space of the
    # page they left; secure_delete never sees them. Measured here on 1,000 deleted answers.
    control_path = tmp_path / "control.sqlite3"
    control = await open_database(control_path)
    try:
        await _interleaved(control)
        await control.write(("DELETE FROM users WHERE user_id = ?", (ALICE,)))
        assert await control.checkpoint()
        leftovers = [name for name, raw in _files(control_path).items() if b"alice-" in raw]
    finally:
        await control.close()
    await _interleaved(database)

    await UserRepository(database).delete_all(user_id=ALICE)

    assert leftovers == [control_path.name]
    assert not [name for name, raw in _files(database_path).items() if b"alice-" in raw]
    assert len(await DebriefRepository(database).all_for(user_id=BOB)) == 40


async def test_a_replaced_answer_leaves_the_disk_at_the_next_checkpoint(
    database: Database, database_path: Path
) -> None:
    debriefs = DebriefRepository(database)
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    for key, text in _answers("alice").items():
        await debriefs.save_answer(
            user_id=ALICE, debrief_id=debrief.id, key=key, text=text, message_id=1, next_key=None
        )
    await database.checkpoint()

    for key, text in _answers("bob").items():
        await debriefs.save_answer(
            user_id=ALICE, debrief_id=debrief.id, key=key, text=text, message_id=2, next_key=None
        )

    # Until a checkpoint, the previous text stays in the WAL's older frames (documented).
    assert _found(database_path, "alice")
    assert await database.checkpoint()
    assert _found(database_path, "alice") == []
    assert _found(database_path, "bob")


@contextmanager
def _reader(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold a read snapshot on another connection, as a running backup does."""
    with closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM answer_parts").fetchall()
        yield reader


@pytest.mark.usefixtures("alice_and_bob")
async def test_an_erase_behind_a_reader_says_its_checkpoint_did_not_finish(
    database: Database, database_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database.checkpoint_patience = 0.2
    with _reader(database_path):
        await UserRepository(database).delete_all(user_id=ALICE)

        assert await DebriefRepository(database).all_for(user_id=ALICE) == []
        [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert "checkpoint" in warning.getMessage()
        assert "alice" not in warning.getMessage()
        assert _found(database_path, "alice")

    assert await database.checkpoint()
    assert _found(database_path, "alice") == []


@pytest.mark.usefixtures("alice_and_bob")
async def test_a_checkpoint_a_backup_held_up_is_settled_once_the_backup_is_done(
    database: Database, database_path: Path
) -> None:
    database.checkpoint_patience = 0.2
    with _reader(database_path):
        erased = await UserRepository(database).delete_all(user_id=ALICE)

        assert erased.lingering
        assert not await database.settle()
        assert _found(database_path, "alice")

    assert await database.settle()
    assert not database.checkpoint_pending
    assert _found(database_path, "alice") == []
    erased = await UserRepository(database).delete_all(user_id=BOB)
    assert not erased.lingering


class _Busy(logging.Handler):
    """Set an event when the database says a checkpoint attempt was busy."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "checkpoint busy" in record.getMessage():
            self.seen.set()


@pytest.mark.usefixtures("alice_and_bob")
async def test_an_erase_retries_its_checkpoint_until_the_reader_is_done(
    database: Database, database_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="storage.database")
    busy = _Busy()
    logging.getLogger("storage.database").addHandler(busy)
    try:
        with _reader(database_path):
            erasing = asyncio.create_task(UserRepository(database).delete_all(user_id=ALICE))
            await asyncio.wait_for(busy.seen.wait(), timeout=10)
        erased = await asyncio.wait_for(erasing, timeout=10)
    finally:
        logging.getLogger("storage.database").removeHandler(busy)

    assert erased.debriefs == 2
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert _found(database_path, "alice") == []
    assert _found(database_path, "bob")


@pytest.mark.usefixtures("alice_and_bob")
async def test_a_failed_vacuum_is_logged_and_the_rows_stay_deleted(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # A statement left open on the connection is one way VACUUM refuses to run.
    unfinished = await database.connection.execute("SELECT 1 UNION ALL SELECT 2")
    try:
        erased = await UserRepository(database).delete_all(user_id=ALICE)
    finally:
        await unfinished.close()

    assert erased.debriefs == 2
    assert await DebriefRepository(database).all_for(user_id=ALICE) == []
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "VACUUM" in warning.getMessage()


async def test_a_large_file_is_compacted_later_and_a_restart_does_not_forget_it(
    database_path: Path,
) -> None:
    # Above COMPACT_NOW_BYTES the VACUUM waits for the nightly compaction; the pending task is
    # written by the deleting transaction itself.
    big = await open_database(database_path)
    big.compact_now_bytes = 0
    await _interleaved(big)
    await UserRepository(big).delete_all(user_id=ALICE)
    pending = await big.fetch_one("SELECT task FROM maintenance", ())
    await big.close()
    assert pending is not None

    reopened = await open_database(database_path)
    try:
        assert await reopened.compact_if_due()
        assert not await reopened.compact_if_due()
        assert not [name for name, raw in _files(database_path).items() if b"alice-" in raw]
        assert len(await DebriefRepository(reopened).all_for(user_id=BOB)) == 40
    finally:
        await reopened.close()
