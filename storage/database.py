"""Opening the SQLite database the way Debrief needs it, and running transactions on it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from storage.migrations import apply_migrations

__all__ = ["Database", "Written", "open_database"]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # In WAL mode NORMAL survives a process crash; only a power cut can lose the last commits.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    # Deleted interview notes are overwritten on disk, not just unlinked from the b-tree.
    "PRAGMA secure_delete = ON",
    "PRAGMA busy_timeout = 5000",
)


@dataclass(frozen=True, slots=True)
class Written:
    """What one statement of a write did."""

    rowcount: int
    lastrowid: int | None


class Database:
    """The process's one connection; each write is a single, uninterrupted transaction."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

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
        results = await asyncio.gather(*calls, self.connection.commit(), return_exceptions=True)
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        if failure is not None:
            raise failure
        return [
            Written(r.rowcount, r.lastrowid) for r in results if isinstance(r, aiosqlite.Cursor)
        ]

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
