"""Each write is one transaction: all of it is committed, or none of it."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import cast

import pytest

from storage.database import Database, open_database
from storage.debriefs import DebriefRepository

ALICE = 1001


async def _notes(database: Database) -> list[str]:
    rows = await database.fetch_all("SELECT text FROM notes ORDER BY rowid", ())
    return [row["text"] for row in rows]


async def test_a_failing_statement_in_the_middle_commits_nothing(database: Database) -> None:
    await database.write(("CREATE TABLE notes (text TEXT NOT NULL)", ()))

    with pytest.raises(sqlite3.IntegrityError):
        await database.write(
            ("INSERT INTO notes (text) VALUES (?)", ("first",)),
            ("INSERT INTO notes (text) VALUES (?)", (None,)),
            ("INSERT INTO notes (text) VALUES (?)", ("third",)),
        )

    assert await _notes(database) == []
    # The connection is left usable, outside any transaction.
    await database.write(("INSERT INTO notes (text) VALUES (?)", ("later",)))
    assert await _notes(database) == ["later"]


async def test_an_answer_whose_cursor_cannot_move_is_not_stored(database: Database) -> None:
    debriefs = DebriefRepository(database)
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    # The statement that moves the cursor fails after the answer's insert ran.
    await database.write(
        (
            "CREATE TRIGGER stuck BEFORE UPDATE OF current_key ON debriefs"
            " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END",
            (),
        )
    )

    with pytest.raises(sqlite3.IntegrityError, match="disk trouble"):
        await debriefs.save_answer(
            user_id=ALICE,
            debrief_id=debrief.id,
            key="company",
            text="Acme",
            message_id=7,
            next_key="position",
        )

    kept = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert kept is not None
    assert (kept.answers, kept.current_key) == ({}, "company")


async def test_a_write_lock_held_elsewhere_stores_neither_answer_nor_cursor(
    database: Database, database_path: Path
) -> None:
    debriefs = DebriefRepository(database)
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    # SQLite waits for the lock up to the busy timeout (5 s in the bot); shortened here.
    await database.fetch_all("PRAGMA busy_timeout = 100", ())
    other = sqlite3.connect(database_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")

    def release_on_cursor_move(sql: str) -> None:
        """Let the other writer finish just as the cursor's statement starts."""
        if sql.startswith("UPDATE debriefs") and other.in_transaction:
            other.execute("COMMIT")

    # Set on the database thread, which owns the connection.
    run = cast("Callable[[Callable[[], None]], Awaitable[None]]", database.connection._execute)
    await run(lambda: database.connection._conn.set_trace_callback(release_on_cursor_move))

    async def save() -> None:
        await debriefs.save_answer(
            user_id=ALICE,
            debrief_id=debrief.id,
            key="company",
            text="Acme",
            message_id=7,
            next_key="position",
        )

    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await save()
        kept = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
        assert kept is not None
        assert (kept.answers, kept.current_key) == ({}, "company")

        if other.in_transaction:
            other.execute("COMMIT")
        await save()
    finally:
        other.close()
    kept = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert kept is not None
    assert (kept.answers, kept.current_key) == ({"company": "Acme"}, "position")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Run with the umask most shells have (022): new files 0644, folders 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
async def test_the_database_folder_and_files_are_private_whatever_the_umask(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "debrief.sqlite3"
    database = await open_database(path)
    try:
        await DebriefRepository(database).create(user_id=ALICE, first_key="company")
        # _mode fails on a missing file: the WAL and SHM are there.
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert {file.name: _mode(file) for file in (path, wal, shm)} == {
            "debrief.sqlite3": 0o600,
            "debrief.sqlite3-wal": 0o600,
            "debrief.sqlite3-shm": 0o600,
        }
        assert _mode(path.parent) == 0o700
    finally:
        await database.close()


@pytest.mark.usefixtures("usual_umask")
async def test_a_database_an_earlier_version_left_readable_is_made_private(
    tmp_path: Path,
) -> None:
    path = tmp_path / "debrief.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)

    database = await open_database(path)
    await database.close()

    assert _mode(path) == 0o600
