"""The inbox table: updates received and not yet handled, as Telegram sent them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.database import Database

__all__ = ["InboxRepository", "Received"]


@dataclass(frozen=True, slots=True)
class Received:
    """One kept update: its id and its JSON."""

    update_id: int
    payload: str


class InboxRepository:
    """Keeps updates until they are handled; deleting a user's data deletes theirs too."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def keep(self, *, update_id: int, user_id: int, payload: str) -> bool:
        """Store an update; False if it is already stored."""
        (inserted,) = await self._db.write(
            (
                "INSERT INTO inbox (update_id, user_id, payload) VALUES (?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (update_id, user_id, payload),
            )
        )
        return inserted.rowcount == 1

    async def keep_all(self, updates: Sequence[Received], user_ids: Sequence[int]) -> None:
        """Store updates (each with its user's id) in one transaction; skip those stored."""
        await self._db.write(
            *(
                (
                    "INSERT INTO inbox (update_id, user_id, payload) VALUES (?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (update.update_id, user_id, update.payload),
                )
                for update, user_id in zip(updates, user_ids, strict=True)
            )
        )

    async def waiting(self) -> list[Received]:
        """Return every stored update, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT update_id, payload FROM inbox ORDER BY update_id", ()
        )
        return [Received(row["update_id"], row["payload"]) for row in rows]

    async def done(self, *, update_id: int) -> None:
        """Forget a handled update."""
        await self._db.write(("DELETE FROM inbox WHERE update_id = ?", (update_id,)))
