"""Follow-up reminders: one row each, delivered by the bot's repeating job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import aiosqlite

from conversations.model import NewReminder, Reminder, ReminderKind, ReminderState
from storage.database import Database

__all__ = ["ReminderRepository", "schedule_statement"]

Closed = Literal[ReminderState.DONE, ReminderState.CANCELLED]

_COLUMNS = "id, user_id, debrief_id, kind, due_at, state, attempt"


def _reminder(row: aiosqlite.Row) -> Reminder:
    """Build a Reminder from a row."""
    return Reminder(
        row["id"],
        row["user_id"],
        row["debrief_id"],
        ReminderKind(row["kind"]),
        row["due_at"],
        ReminderState(row["state"]),
        row["attempt"],
    )


def schedule_statement(
    *, user_id: int, debrief_id: int, reminder: NewReminder, after_sent: int | None = None
) -> tuple[str, tuple[object, ...]]:
    """Return the statement that sets the one pending reminder of a kind for a user's debrief.

    With `after_sent`, only if that reminder is now marked sent (not cancelled meanwhile).
    """
    condition = "EXISTS (SELECT 1 FROM debriefs WHERE id = ? AND user_id = ?)"
    parameters: tuple[object, ...] = (debrief_id, user_id)
    if after_sent is not None:
        condition += " AND EXISTS (SELECT 1 FROM reminders WHERE id = ? AND state = 'sent')"
        parameters += (after_sent,)
    return (
        "INSERT INTO reminders (user_id, debrief_id, kind, due_at, attempt)"
        f" SELECT ?, ?, ?, ?, ? WHERE {condition}"
        " ON CONFLICT (debrief_id, kind) WHERE state = 'pending'"
        " DO UPDATE SET due_at = excluded.due_at, attempt = excluded.attempt",
        (user_id, debrief_id, reminder.kind, reminder.due_at, reminder.attempt, *parameters),
    )


class ReminderRepository:
    """Reads and writes reminders; apart from delivery, always for one user."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def due(self, *, now: int, limit: int) -> list[Reminder]:
        """Return the pending reminders due at `now`, oldest first (for the delivery job)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reminders WHERE state = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (now, limit),
        )
        return [_reminder(row) for row in rows]

    async def all_for(self, *, user_id: int) -> list[Reminder]:
        """Return every reminder of the user, whatever its state, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reminders WHERE user_id = ? ORDER BY due_at, id", (user_id,)
        )
        return [_reminder(row) for row in rows]

    async def pending_for(self, *, user_id: int) -> list[Reminder]:
        """Return the user's pending reminders, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM reminders WHERE user_id = ? AND state = 'pending'"
            " ORDER BY due_at, id",
            (user_id,),
        )
        return [_reminder(row) for row in rows]

    async def get(self, *, user_id: int, reminder_id: int) -> Reminder | None:
        """Return one of the user's reminders."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM reminders WHERE id = ? AND user_id = ?",
            (reminder_id, user_id),
        )
        return None if row is None else _reminder(row)

    async def schedule(
        self, *, user_id: int, debrief_id: int, reminders: Sequence[NewReminder]
    ) -> None:
        """Set (or move) the pending reminder of each kind for a debrief."""
        await self._db.write(
            *(
                schedule_statement(user_id=user_id, debrief_id=debrief_id, reminder=reminder)
                for reminder in reminders
            )
        )

    async def postpone(self, *, user_id: int, reminder_id: int, due_at: int) -> bool:
        """Make a reminder pending again at a later time; False if it is not the user's."""
        # Another pending reminder of the same kind would be a duplicate: it is cancelled first.
        (_, moved) = await self._db.write(
            (
                "UPDATE reminders SET state = 'cancelled' WHERE state = 'pending' AND id != ?"
                " AND (debrief_id, kind) = (SELECT debrief_id, kind FROM reminders"
                "  WHERE id = ? AND user_id = ? AND state IN ('pending', 'sent'))",
                (reminder_id, reminder_id, user_id),
            ),
            (
                "UPDATE reminders SET state = 'pending', due_at = ?"
                " WHERE id = ? AND user_id = ? AND state IN ('pending', 'sent')",
                (due_at, reminder_id, user_id),
            ),
        )
        return moved.rowcount == 1

    async def close(self, *, user_id: int, reminder_id: int, state: Closed) -> bool:
        """Mark a reminder done or cancelled; False if it is not the user's."""
        (closed,) = await self._db.write(
            (
                "UPDATE reminders SET state = ? WHERE id = ? AND user_id = ?"
                " AND state IN ('pending', 'sent')",
                (state, reminder_id, user_id),
            )
        )
        return closed.rowcount == 1

    async def mark_sent(
        self, *, reminder: Reminder, sent_at: int, follow_up: NewReminder | None = None
    ) -> None:
        """Record a delivery (and schedule the next attempt of the same purpose, if any)."""
        statements: list[tuple[str, tuple[object, ...]]] = [
            (
                "UPDATE reminders SET state = 'sent', sent_at = ? WHERE id = ? AND user_id = ?"
                " AND state = 'pending'",
                (sent_at, reminder.id, reminder.user_id),
            )
        ]
        if follow_up is not None:
            statements.append(
                schedule_statement(
                    user_id=reminder.user_id,
                    debrief_id=reminder.debrief_id,
                    reminder=follow_up,
                    after_sent=reminder.id,
                )
            )
        await self._db.write(*statements)

    async def cancel_kinds(
        self, *, user_id: int, debrief_id: int, kinds: Sequence[ReminderKind]
    ) -> None:
        """Cancel the pending reminders of some kinds for a debrief."""
        marks = ", ".join("?" for _ in kinds)
        await self._db.write(
            (
                "UPDATE reminders SET state = 'cancelled' WHERE user_id = ? AND debrief_id = ?"
                f" AND state = 'pending' AND kind IN ({marks})",
                (user_id, debrief_id, *kinds),
            )
        )

    async def cancel_all(self, *, user_id: int) -> int:
        """Cancel every pending reminder of a user (who blocked the bot); return how many."""
        (cancelled,) = await self._db.write(
            (
                "UPDATE reminders SET state = 'cancelled' WHERE user_id = ? AND state = 'pending'",
                (user_id,),
            )
        )
        return cancelled.rowcount
