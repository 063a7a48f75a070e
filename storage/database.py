"""Opening the SQLite database the way Debrief needs it, and running transactions on it."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from storage.migrations import apply_migrations

__all__ = ["CHECKPOINT_PATIENCE", "Database", "Statement", "Written", "open_database"]

logger = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5000
# How long erase() retries a checkpoint that a reader (a running backup) holds up.
CHECKPOINT_PATIENCE = 2.0
_FIRST_RETRY = 0.05
# Up to this size VACUUM takes a few hundred milliseconds (260 ms for 27 MB on 2 cores) and runs
# right after a deletion; a larger file is compacted at night instead (12 s for 800 MB).
COMPACT_NOW_BYTES = 32 * 1024 * 1024
_MARK_COMPACTION = (
    "INSERT INTO maintenance (task) VALUES ('compact') ON CONFLICT (task) DO NOTHING",
    (),
)

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # In WAL mode NORMAL survives a process crash; only a power cut can lose the last commits.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    # Deleted interview notes are overwritten on disk, not just unlinked from the b-tree.
    "PRAGMA secure_delete = ON",
    # Without a limit, a checkpointed WAL is reused from its start but never shortened, so old
    # page images (an edited answer's previous text) could stay in its tail indefinitely.
    "PRAGMA journal_size_limit = 0",
    f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}",
)


@dataclass(frozen=True, slots=True)
class Written:
    """What one statement of a write did."""

    rowcount: int
    lastrowid: int | None


Statement = tuple[str, tuple[object, ...]]
_T = TypeVar("_T")


def _transaction(connection: sqlite3.Connection, statements: Sequence[Statement]) -> list[Written]:
    """Run statements as one transaction: all committed, or none (rolled back on any error)."""
    # IMMEDIATE takes the write lock first (waiting up to the busy timeout for another
    # writer), so no statement can find the database locked halfway through.
    connection.execute("BEGIN IMMEDIATE")
    try:
        written = []
        for sql, parameters in statements:
            cursor = connection.execute(sql, parameters)
            written.append(Written(cursor.rowcount, cursor.lastrowid))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise
    return written


def _checkpoint_now(connection: sqlite3.Connection) -> bool:
    """Try one TRUNCATE checkpoint without SQLite's busy wait; True if it completed."""
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        (busy, _, _) = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    return bool(busy == 0)


class Database:
    """The process's one connection; each write is a single, uninterrupted transaction."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        *,
        checkpoint_patience: float = CHECKPOINT_PATIENCE,
        compact_now_bytes: int = COMPACT_NOW_BYTES,
    ) -> None:
        self.connection = connection
        self.checkpoint_patience = checkpoint_patience
        self.compact_now_bytes = compact_now_bytes
        # Whether deleted text may still be in the WAL: a checkpoint after a deletion was held
        # up (a running backup), or, at start, the last process may have died before its own.
        self.checkpoint_pending = True

    async def _run(self, function: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run a function on the connection in the database thread, in one trip.

        aiosqlite runs the calls queued on its thread one at a time, in order: no other
        handler's statement can run while the function does. It has no public way to queue a
        function of our own; _execute is how its own methods do it.
        """
        aio = self.connection
        queue = cast("Callable[[Callable[[], _T]], Awaitable[_T]]", aio._execute)
        return await queue(lambda: function(aio._conn))

    async def write(self, *statements: Statement) -> list[Written]:
        """Run statements as one transaction, all or nothing, in one trip to the database thread.

        Handlers of different users share this connection; the whole transaction runs in one
        call on the database thread, so another handler's statements can never land inside
        it. Any failure (a constraint, disk full, the lock held by another process beyond the
        busy timeout) rolls everything back and is raised to the caller.
        """
        return await self._run(lambda connection: _transaction(connection, statements))

    async def erase(self, *statements: Statement) -> list[Written]:
        """Run deleting statements like write, then make sure the deleted text leaves the disk.

        secure_delete zeroes deleted cells and freed pages (overflow pages included), but when
        a b-tree rebalances, copies of the cells it moved stay in the unused space of the page
        they left; once those rows are deleted, the copies are all that remains, and
        secure_delete never sees them. VACUUM rewrites every page from the live rows only: at
        once for a small file, else at the nightly compaction (compact_if_due), recorded in the
        deleting transaction. The checkpoint then copies the WAL into the database file and
        truncates it, so no frame holding an old page image remains. Either failing leaves the
        rows deleted all the same: it is logged, not raised.
        """
        written = await self.write(*statements, _MARK_COMPACTION)
        if await self.size() <= self.compact_now_bytes:
            await self.compact_if_due()
        else:
            await self._checkpoint_or_warn()
        return written[: len(statements)]

    async def compact_if_due(self) -> bool:
        """VACUUM if a deletion asked for it, then checkpoint; return whether it ran."""
        if await self.fetch_one("SELECT 1 FROM maintenance WHERE task = 'compact'", ()) is None:
            return False
        try:
            await self.connection.execute_fetchall("VACUUM")
        except sqlite3.Error as error:
            logger.warning(
                "VACUUM after a deletion failed (%s): fragments of deleted rows may remain in"
                " unused space of the database file until the next one",
                error,
            )
            return False
        await self.write(("DELETE FROM maintenance WHERE task = 'compact'", ()))
        await self._checkpoint_or_warn()
        return True

    async def size(self) -> int:
        """Return the size of the database file in bytes (the WAL aside)."""
        row = await self.fetch_one(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", ()
        )
        return int(row[0]) if row is not None else 0

    async def _checkpoint_or_warn(self) -> None:
        """Checkpoint after a deletion; warn (without any content) if a reader held it up."""
        if not await self.checkpoint(patience=self.checkpoint_patience):
            self.checkpoint_pending = True
            logger.warning(
                "The WAL checkpoint after a deletion did not finish within %.1f s: another"
                " connection (a running backup?) still reads an older snapshot; the deleted"
                " rows stay in the WAL file until settle() gets it done",
                self.checkpoint_patience,
            )

    async def settle(self) -> bool:
        """Retry a checkpoint a deletion left pending; True once none is pending any more."""
        if self.checkpoint_pending:
            await self.checkpoint(patience=self.checkpoint_patience)
        return not self.checkpoint_pending

    async def checkpoint(self, *, patience: float = CHECKPOINT_PATIENCE) -> bool:
        """Copy the WAL into the database file and truncate it; False if a reader held it up.

        A TRUNCATE checkpoint must wait until no other connection reads an older snapshot.
        Waiting inside SQLite (its busy timeout) would stall the connection every handler
        shares, so each attempt gives up at once and the retries wait here instead, with
        other handlers' work running in between.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        delay = _FIRST_RETRY
        while not await self._checkpoint_once():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            logger.debug("WAL checkpoint busy, retrying in %.2f s", min(delay, remaining))
            await asyncio.sleep(min(delay, remaining))
            delay *= 2
        self.checkpoint_pending = False
        return True

    async def _checkpoint_once(self) -> bool:
        """Try one TRUNCATE checkpoint without SQLite's busy wait; True if it completed."""
        return await self._run(_checkpoint_now)

    async def fetch_all(self, sql: str, parameters: tuple[object, ...]) -> list[aiosqlite.Row]:
        """Run a query and return every row (one trip to the database thread)."""
        return list(await self.connection.execute_fetchall(sql, parameters))

    async def fetch_one(self, sql: str, parameters: tuple[object, ...]) -> aiosqlite.Row | None:
        """Run a query and return its first row, if any."""
        rows = await self.fetch_all(sql, parameters)
        return rows[0] if rows else None

    async def close(self) -> None:
        """Close the connection."""
        await self.connection.close()


def _private(path: Path) -> None:
    """Make the database's folder (if created here) 0700 and its files 0600, whatever the umask.

    SQLite creates the WAL and SHM with the database file's own permissions, so a database
    file that is private from its first byte keeps them private too.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            file.chmod(0o600)


async def open_database(path: Path) -> Database:
    """Open (creating a private folder as needed) and migrate the database; the caller closes it."""
    _private(path)
    connection = await aiosqlite.connect(path)
    try:
        connection.row_factory = aiosqlite.Row
        for pragma in _PRAGMAS:
            await connection.execute(pragma)
        await apply_migrations(connection)
    except BaseException:
        await connection.close()
        raise
    return Database(connection)
