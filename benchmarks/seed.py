"""Seeds benchmark databases through the bot's own repositories, so they follow the schema."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from conversations.model import NewReminder, ReminderKind
from storage.database import Database, open_database
from storage.debriefs import DebriefRepository
from storage.reminders import ReminderRepository
from storage.users import UserRepository

__all__ = ["Seeder", "seeder"]


@dataclass(frozen=True, slots=True)
class Seeder:
    """Writes users, finished debriefs and pending reminders as the bot would."""

    users: UserRepository
    debriefs: DebriefRepository
    reminders: ReminderRepository

    @classmethod
    def over(cls, database: Database) -> Seeder:
        """Return a seeder writing through the repositories of an open database."""
        return cls(
            UserRepository(database), DebriefRepository(database), ReminderRepository(database)
        )

    async def user(
        self, *, user_id: int, telegram_language: str | None, name: str, timezone: str | None
    ) -> None:
        """Add a user as Telegram introduced them (and their timezone, if they set one)."""
        await self.users.remember(user_id=user_id, telegram_language=telegram_language, name=name)
        if timezone is not None:
            await self.users.set_timezone(user_id=user_id, timezone=timezone)

    async def finished_debrief(self, *, user_id: int, answers: Mapping[str, str]) -> int:
        """Add a debrief with these answers, finished without reminders; return its id."""
        keys = list(answers)
        debrief = await self.debriefs.create(user_id=user_id, first_key=keys[0])
        for index, key in enumerate(keys):
            await self.debriefs.save_answer(
                user_id=user_id,
                debrief_id=debrief.id,
                key=key,
                text=answers[key],
                message_id=None,
                next_key=keys[index + 1] if index + 1 < len(keys) else None,
            )
        await self.debriefs.finish(user_id=user_id, debrief_id=debrief.id, reminders=())
        return debrief.id

    async def reminder(self, *, user_id: int, debrief_id: int, kind: str, due_at: int) -> None:
        """Add a pending reminder of a kind for a debrief."""
        await self.reminders.schedule(
            user_id=user_id,
            debrief_id=debrief_id,
            reminders=(NewReminder(ReminderKind(kind), due_at),),
        )


@contextlib.asynccontextmanager
async def seeder(path: Path) -> AsyncIterator[Seeder]:
    """Open (creating and migrating) the database at path and seed it; close it afterwards."""
    database = await open_database(path)
    try:
        yield Seeder.over(database)
    finally:
        await database.close()
