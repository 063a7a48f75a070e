"""Per-user settings, and the groups already told that the bot works in private only."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.i18n import LANGUAGES, Language
from conversations.model import Awaiting, Profile, dump_awaiting, parse_awaiting
from storage.database import Database

__all__ = ["Erased", "UserRepository"]


@dataclass(frozen=True, slots=True)
class Erased:
    """How many rows of each kind deleting a user's data removed."""

    debriefs: int
    answer_parts: int
    reminders: int
    settings: bool
    # The deleted text is still in the WAL (a backup was reading): Database.settle finishes.
    lingering: bool = False

    @property
    def anything(self) -> bool:
        """Tell whether there was anything to delete."""
        return self.settings or any((self.debriefs, self.answer_parts, self.reminders))


def _language(stored: str | None) -> Language | None:
    """Read a stored language choice (the schema allows only known ones)."""
    return next((language for language in LANGUAGES if language == stored), None)


class UserRepository:
    """Reads and writes one user's settings at a time."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def profile(self, *, user_id: int) -> Profile | None:
        """Return the user's settings, if the bot has seen them."""
        row = await self._db.fetch_one(
            "SELECT user_id, language, telegram_language, name, timezone, awaiting"
            " FROM users WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return Profile(
            user_id=row["user_id"],
            language=_language(row["language"]),
            telegram_language=row["telegram_language"],
            name=row["name"],
            timezone=row["timezone"],
            awaiting=parse_awaiting(row["awaiting"]),
        )

    async def remember(self, *, user_id: int, telegram_language: str | None, name: str) -> None:
        """Keep the user's Telegram language and name, for reminders sent later."""
        await self._db.write(
            (
                "INSERT INTO users (user_id, telegram_language, name) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET"
                " telegram_language = excluded.telegram_language, name = excluded.name",
                (user_id, telegram_language, name),
            )
        )

    async def language(self, *, user_id: int) -> Language | None:
        """Return the language the user chose with /language, if they did."""
        row = await self._db.fetch_one("SELECT language FROM users WHERE user_id = ?", (user_id,))
        return None if row is None else _language(row["language"])

    async def set_language(self, *, user_id: int, language: Language) -> None:
        """Remember the user's language choice."""
        await self._set(user_id=user_id, column="language", value=language)

    async def set_timezone(self, *, user_id: int, timezone: str) -> None:
        """Remember the user's timezone (an IANA name or a UTC offset like +02:00)."""
        await self._set(user_id=user_id, column="timezone", value=timezone)

    async def set_awaiting(self, *, user_id: int, awaiting: Awaiting | None) -> None:
        """Remember what the user's next text answers besides the debrief (None: nothing)."""
        await self._set(user_id=user_id, column="awaiting", value=dump_awaiting(awaiting))

    async def _set(self, *, user_id: int, column: str, value: str | None) -> None:
        """Set one column of the user's row, creating the row if needed."""
        assert column in {"language", "timezone", "awaiting"}
        await self._db.write(
            (
                f"INSERT INTO users (user_id, {column}) VALUES (?, ?)"
                f" ON CONFLICT (user_id) DO UPDATE SET {column} = excluded.{column}",
                (user_id, value),
            )
        )

    async def delete_all(self, *, user_id: int) -> Erased:
        """Erase everything kept about the user: debriefs, answers, reminders, settings, inbox.

        Cascades would do it from the users row alone; each table is named so that the counts
        are exact, and nothing depends on foreign keys being enforced. group_notices belong to
        group chats, not to a user, and stay.
        """
        answer_parts, reminders, debriefs, settings, _ = await self._db.erase(
            (
                "DELETE FROM answer_parts"
                " WHERE debrief_id IN (SELECT id FROM debriefs WHERE user_id = ?)",
                (user_id,),
            ),
            ("DELETE FROM reminders WHERE user_id = ?", (user_id,)),
            ("DELETE FROM debriefs WHERE user_id = ?", (user_id,)),
            ("DELETE FROM users WHERE user_id = ?", (user_id,)),
            # Updates received but not handled yet (storage/inbox.py) hold their text too.
            ("DELETE FROM inbox WHERE user_id = ?", (user_id,)),
        )
        return Erased(
            debriefs=debriefs.rowcount,
            answer_parts=answer_parts.rowcount,
            reminders=reminders.rowcount,
            settings=settings.rowcount == 1,
            lingering=self._db.checkpoint_pending,
        )

    async def first_notice_in_group(self, *, chat_id: int) -> bool:
        """Record that a group was told the bot is private-only; False if it already was."""
        (inserted,) = await self._db.write(
            ("INSERT INTO group_notices (chat_id) VALUES (?) ON CONFLICT DO NOTHING", (chat_id,))
        )
        return inserted.rowcount == 1
