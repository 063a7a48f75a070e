"""The typed callback context: handlers reach their dependencies as properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from conversations.checklist import Checklist
from conversations.i18n import LANGUAGES, Language, language_from_code
from storage.database import Database
from storage.debriefs import DebriefRepository
from storage.users import UserRepository

__all__ = ["BotData", "DebriefApplication", "DebriefContext"]


class BotData:
    """Process-wide dependencies: set by the application factory, the database by post_init."""

    settings: Settings
    clock: Callable[[], datetime]
    checklist: Checklist
    database: Database | None = None
    debriefs: DebriefRepository
    users: UserRepository

    def attach(self, database: Database) -> None:
        """Use an opened database for every repository."""
        self.database = database
        self.debriefs = DebriefRepository(database)
        self.users = UserRepository(database)


class DebriefContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with Debrief's repositories, checklist, settings and clock."""

    @property
    def debriefs(self) -> DebriefRepository:
        """Return the debrief repository."""
        return self.bot_data.debriefs

    @property
    def users(self) -> UserRepository:
        """Return the user-settings repository."""
        return self.bot_data.users

    @property
    def checklist(self) -> Checklist:
        """Return the checklist."""
        return self.bot_data.checklist

    @property
    def settings(self) -> Settings:
        """Return the settings."""
        return self.bot_data.settings

    def today(self) -> date:
        """Return today's date where the user lives."""
        return self.bot_data.clock().astimezone(self.settings.timezone).date()

    async def language(self, user: User) -> Language:
        """Return the user's language: their /language choice, else their Telegram language."""
        data = self.user_data
        assert data is not None
        if "language" not in data:
            data["language"] = await self.users.language(user_id=user.id)
        chosen = data["language"]
        return chosen if chosen in LANGUAGES else language_from_code(user.language_code)

    def remember_language(self, language: Language) -> None:
        """Update the cached language after the user changed it."""
        assert self.user_data is not None
        self.user_data["language"] = language


DebriefApplication = Application[
    ExtBot[None], DebriefContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
