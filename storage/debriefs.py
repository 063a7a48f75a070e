"""Debriefs and their answers. Every statement is scoped by the Telegram user id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import aiosqlite

from storage.database import Database

__all__ = ["Debrief", "DebriefRepository", "NotFoundError", "Status"]

Status = Literal["active", "paused", "done"]

_COLUMNS = "id, user_id, status, current_key, asked_key, asked_message_id, append_key"


@dataclass(frozen=True, slots=True)
class Debrief:
    """A debrief as stored: where it stands, and every answer given so far."""

    id: int
    user_id: int
    status: Status
    current_key: str | None
    asked_key: str | None
    asked_message_id: int | None
    append_key: str | None
    answers: dict[str, str] = field(default_factory=dict)
    message_ids: frozenset[int] = frozenset()

    @property
    def question_delivered(self) -> bool:
        """Tell whether the current question reached the user (it may not have, after a crash)."""
        return self.current_key is not None and self.asked_key == self.current_key


class NotFoundError(LookupError):
    """The debrief does not exist, or belongs to someone else."""


class DebriefRepository:
    """Reads and writes debriefs; a user only ever reaches their own."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def _load(self, row: aiosqlite.Row | None) -> Debrief | None:
        """Complete a debrief row with its answers."""
        if row is None:
            return None
        parts = await self._db.fetch_all(
            "SELECT question_key, text, message_id FROM answer_parts"
            " WHERE debrief_id = ? ORDER BY question_key, part",
            (row["id"],),
        )
        answers: dict[str, list[str]] = {}
        for part in parts:
            answers.setdefault(part["question_key"], []).append(part["text"])
        return Debrief(
            id=row["id"],
            user_id=row["user_id"],
            status=row["status"],
            current_key=row["current_key"],
            asked_key=row["asked_key"],
            asked_message_id=row["asked_message_id"],
            append_key=row["append_key"],
            answers={key: "\n".join(texts) for key, texts in answers.items()},
            message_ids=frozenset(p["message_id"] for p in parts if p["message_id"] is not None),
        )

    async def open_for(self, *, user_id: int) -> Debrief | None:
        """Return the user's unfinished debrief (active or paused), if any."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM debriefs WHERE user_id = ? AND status != 'done'", (user_id,)
        )
        return await self._load(row)

    async def get(self, *, user_id: int, debrief_id: int) -> Debrief | None:
        """Return one of the user's debriefs."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM debriefs WHERE id = ? AND user_id = ?", (debrief_id, user_id)
        )
        return await self._load(row)

    async def create(self, *, user_id: int, first_key: str) -> Debrief:
        """Start a new active debrief at the first question."""
        async with self._db.transaction() as db:
            await db.execute(
                "INSERT INTO users (user_id) VALUES (?) ON CONFLICT (user_id) DO NOTHING",
                (user_id,),
            )
            cursor = await db.execute(
                "INSERT INTO debriefs (user_id, current_key) VALUES (?, ?)", (user_id, first_key)
            )
            debrief_id = cursor.lastrowid
        assert debrief_id is not None
        return Debrief(debrief_id, user_id, "active", first_key, None, None, None)

    async def _touch(
        self,
        db: aiosqlite.Connection,
        *,
        user_id: int,
        debrief_id: int,
        assignments: str,
        values: tuple[object, ...],
    ) -> None:
        """Update a debrief the user owns, or raise NotFoundError."""
        cursor = await db.execute(
            f"UPDATE debriefs SET {assignments},"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            " WHERE id = ? AND user_id = ?",
            (*values, debrief_id, user_id),
        )
        if cursor.rowcount != 1:
            raise NotFoundError(debrief_id)

    async def save_answer(
        self,
        *,
        user_id: int,
        debrief_id: int,
        key: str,
        text: str,
        message_id: int | None,
        next_key: str | None,
    ) -> None:
        """Replace the answer to a question and move on to next_key, in one transaction."""
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments="current_key = ?, append_key = NULL",
                values=(next_key,),
            )
            await db.execute(
                "DELETE FROM answer_parts WHERE debrief_id = ? AND question_key = ?",
                (debrief_id, key),
            )
            await db.execute(
                "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id)"
                " VALUES (?, ?, 0, ?, ?)",
                (debrief_id, key, text, message_id),
            )

    async def add_to_answer(
        self, *, user_id: int, debrief_id: int, key: str, text: str, message_id: int | None
    ) -> None:
        """Append a part to an answer (a dictation that came in several messages)."""
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments="append_key = NULL",
                values=(),
            )
            await db.execute(
                "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id)"
                " VALUES (?, ?, (SELECT coalesce(max(part), -1) + 1 FROM answer_parts"
                "  WHERE debrief_id = ? AND question_key = ?), ?, ?)",
                (debrief_id, key, debrief_id, key, text, message_id),
            )

    async def move_to(self, *, user_id: int, debrief_id: int, key: str | None) -> None:
        """Make another question the current one (skip, back, keep)."""
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments="current_key = ?, append_key = NULL",
                values=(key,),
            )

    async def await_addition(self, *, user_id: int, debrief_id: int, key: str) -> None:
        """Make the user's next text an addition to the answer to `key`."""
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments="append_key = ?",
                values=(key,),
            )

    async def mark_asked(self, *, user_id: int, debrief_id: int, key: str, message_id: int) -> None:
        """Record that the question `key` reached the user as message `message_id`."""
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments="asked_key = ?, asked_message_id = ?",
                values=(key, message_id),
            )

    async def set_status(self, *, user_id: int, debrief_id: int, status: Status) -> None:
        """Pause, resume or finish a debrief."""
        finished = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" if status == "done" else "NULL"
        async with self._db.transaction() as db:
            await self._touch(
                db,
                user_id=user_id,
                debrief_id=debrief_id,
                assignments=f"status = ?, append_key = NULL, finished_at = {finished}",
                values=(status,),
            )

    async def delete(self, *, user_id: int, debrief_id: int) -> bool:
        """Delete a debrief and its answers; return whether there was one."""
        async with self._db.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM debriefs WHERE id = ? AND user_id = ?", (debrief_id, user_id)
            )
            return cursor.rowcount == 1
