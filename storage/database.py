"""Opening the SQLite database the way Debrief needs it, and running transactions on it."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import aiosqlite

from storage.migrations import apply_migrations

__all__ = ["CHECKPOINT_PATIENCE", "Database", "Written", "open_database"]

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


async def _together(*calls: Awaitable[object]) -> list[object]:
    """Queue calls at once, so that no other call can run between them; raise the first failure."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    failure = next((r for r in results if isinstance(r, BaseException)), None)
    if failure is not None:
        raise failure
    return results


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

    async def write(self, *statements: tuple[str, tuple[object, ...]]) -> list[Written]:
        """Run statements and a commit as one transaction, in one trip to the database thread.

        Handlers of different users share this connection. aiosqlite runs calls in the order
        they are queued, and all the calls of one write are queued together, before anything
        else can run: another handler's statements can never land inside this transaction.
        The statements are written so that none can fail on valid input (guards are in their
        WHERE clauses, not in Python between them); should one fail anyway (disk full, I/O
        error), the error is raised to the handler.
        """
        calls = [self.connection.execute(sql, parameters) for sql, parameters in statements]
        results = await _together(*calls, self.connection.commit())
        return [
            Written(r.rowcount, r.lastrowid) for r in results if isinstance(r, aiosqlite.Cursor)
        ]

    async def erase(self, *statements: tuple[str, tuple[object, ...]]) -> list[Written]:
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
            logger.warning(
                "The WAL checkpoint after a deletion did not finish within %.1f s: another"
                " connection (a running backup?) still reads an older snapshot; the deleted"
                " rows stay in the WAL file until the next checkpoint",
                self.checkpoint_patience,
            )

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
        return True

    async def _checkpoint_once(self) -> bool:
        """Try one TRUNCATE checkpoint without SQLite's busy wait; True if it completed."""
        _, checkpointed, _ = await _together(
            self.connection.execute_fetchall("PRAGMA busy_timeout = 0"),
            self.connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"),
            self.connection.execute_fetchall(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}"),
        )
        [(busy, _, _)] = cast("list[tuple[int, int, int]]", checkpointed)
        return busy == 0

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


async def open_database(path: Path) -> Database:
    """Open (creating folders as needed) and migrate the database; the caller closes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
