"""The typed callback context: handlers reach their dependencies as properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import Any

from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot

from bot.access import RefusalBudget
from bot.chart import Charts
from bot.config import Settings
from bot.inbox import Inbox
from bot.later import Later
from conversations.checklist import Checklist
from conversations.i18n import LANGUAGES, Language, language_from_code
from conversations.model import Profile
from conversations.timezones import zone
from speech import Transcriber
from storage.database import Database
from storage.debriefs import DebriefRepository
from storage.reminders import ReminderRepository
from storage.users import UserRepository

__all__ = ["BotData", "DebriefApplication", "DebriefContext", "language_of"]


class BotData:
    """Process-wide dependencies: set by the application factory, the database by post_init."""

    settings: Settings
    clock: Callable[[], datetime]
    checklist: Checklist
    transcriber: Transcriber
    charts: Charts
    database: Database | None = None
    refusals: RefusalBudget
    inbox: Inbox
    later: Later
    debriefs: DebriefRepository
    users: UserRepository
    reminders: ReminderRepository

    def attach(self, database: Database) -> None:
        """Use an opened database for every repository."""
        self.database = database
        self.debriefs = DebriefRepository(database)
        self.users = UserRepository(database)
        self.reminders = ReminderRepository(database)

    def timezone_of(self, profile: Profile | None) -> tzinfo:
        """Return a user's timezone: their /timezone choice, else the configured default."""
        if profile is not None and profile.timezone:
            try:
                return zone(profile.timezone)
            except ValueError:
                pass
        return self.settings.timezone


def language_of(profile: Profile | None, code: str | None = None) -> Language:
    """Return a user's language: their /language choice, else their Telegram language."""
    chosen = profile.language if profile is not None else None
    for language in LANGUAGES:
        if chosen == language:
            return language
    if code is None and profile is not None:
        code = profile.telegram_language
    return language_from_code(code)


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
    def refusals(self) -> RefusalBudget:
        """Return when refused users were last told so."""
        return self.bot_data.refusals

    @property
    def settings(self) -> Settings:
        """Return the settings."""
        return self.bot_data.settings

    @property
    def reminders(self) -> ReminderRepository:
        """Return the reminder repository."""
        return self.bot_data.reminders

    @property
    def transcriber(self) -> Transcriber:
        """Return the speech-to-text engine."""
        return self.bot_data.transcriber

    def now(self) -> datetime:
        """Return the current time from the application's clock (tests move it)."""
        return self.bot_data.clock()

    async def profile(self, user: User) -> Profile:
        """Return the user's settings, cached for the process; the first time, note their name."""
        data = self.user_data
        assert data is not None
        cached = data.get("profile")
        if isinstance(cached, Profile):
            return cached
        stored = await self.users.profile(user_id=user.id)
        if stored is None or (stored.telegram_language, stored.name) != (
            user.language_code,
            user.full_name,
        ):
            # Reminders go out without an incoming message: they need the name and language.
            await self.users.remember(
                user_id=user.id, telegram_language=user.language_code, name=user.full_name
            )
            stored = await self.users.profile(user_id=user.id)
        assert stored is not None
        data["profile"] = stored
        return stored

    def forget_profile(self) -> None:
        """Drop the cached settings after the user changed one."""
        assert self.user_data is not None
        self.user_data.pop("profile", None)

    async def language(self, user: User) -> Language:
        """Return the user's language: their /language choice, else their Telegram language."""
        return language_of(await self.profile(user), user.language_code)

    async def zone(self, user: User) -> tzinfo:
        """Return the user's timezone."""
        return self.bot_data.timezone_of(await self.profile(user))

    async def today(self, user: User) -> date:
        """Return today's date where the user lives."""
        return self.now().astimezone(await self.zone(user)).date()


DebriefApplication = Application[
    ExtBot[None], DebriefContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
