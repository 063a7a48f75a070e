"""Opening the SQLite database the way Debrief needs it, and running transactions on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.migrations import apply_migrations

__all__ = ["Database", "open_database"]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # In WAL mode NORMAL survives a process crash; only a power cut can lose the last commits.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    # Deleted interview notes are overwritten on disk, not just unlinked from the b-tree.
    "PRAGMA secure_delete = ON",
    "PRAGMA busy_timeout = 5000",
)


class Database:
    """The process's one connection, with write transactions that never interleave."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        # Handlers of different users share this connection: without the lock, one handler's commit
        # could also commit half of another handler's transaction.
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block as one transaction: committed when it ends, rolled back if it raises."""
        async with self._write_lock:
            try:
                yield self.connection
            except BaseException:
                await self.connection.rollback()
                raise
            await self.connection.commit()

    async def write(self, *statements: tuple[str, tuple[object, ...]]) -> list[int]:
        """Run statements as one transaction and return their row counts.

        The statements travel to the database thread together (one round trip instead of one
        per statement); the commit follows only if every one of them succeeded.
        """
        async with self._write_lock:
            results = await asyncio.gather(
                *(self.connection.execute(sql, parameters) for sql, parameters in statements),
                return_exceptions=True,
            )
            failure = next((r for r in results if isinstance(r, BaseException)), None)
            if failure is not None:
                await self.connection.rollback()
                raise failure
            await self.connection.commit()
            return [r.rowcount for r in results if not isinstance(r, BaseException)]

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
