"""Per-user settings, and the groups already told that the bot works in private only."""

from __future__ import annotations

from storage.database import Database

__all__ = ["UserRepository"]


class UserRepository:
    """Reads and writes one user's settings at a time."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def language(self, *, user_id: int) -> str | None:
        """Return the language the user chose with /language, if they did."""
        row = await self._db.fetch_one("SELECT language FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else row["language"]

    async def set_language(self, *, user_id: int, language: str) -> None:
        """Remember the user's language choice."""
        await self._db.write(
            (
                "INSERT INTO users (user_id, language) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
                (user_id, language),
            )
        )

    async def first_notice_in_group(self, *, chat_id: int) -> bool:
        """Record that a group was told the bot is private-only; False if it already was."""
        (inserted,) = await self._db.write(
            ("INSERT INTO group_notices (chat_id) VALUES (?) ON CONFLICT DO NOTHING", (chat_id,))
        )
        return inserted.rowcount == 1
