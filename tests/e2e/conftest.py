"""The real bot, run in-process against the fake Bot API server, with a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.context import DebriefApplication
from bot.fakeapi import FakeTelegram
from speech import Transcriber
from tests.e2e.driver import TOKEN, Clock


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """Serve a fake Bot API on 127.0.0.1."""
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def clock() -> Clock:
    """Return the bot's clock, which tests can move."""
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return where the bot keeps its database."""
    return tmp_path / "data" / "debrief.sqlite3"


@pytest.fixture
def settings(telegram: FakeTelegram, db_path: Path) -> Settings:
    """Return settings that point the bot at the fake server."""
    return Settings(
        token=TOKEN,
        api_url=telegram.url,
        db_path=db_path,
        max_messages_per_second=0,
        _env_file=None,
    )


@pytest.fixture
async def bot(settings: Settings, clock: Clock) -> AsyncIterator[DebriefApplication]:
    """Run the bot for the duration of a test."""
    async with running(build_application(settings, clock=clock)) as application:
        yield application


@pytest.fixture
async def voice_bot(
    settings: Settings, clock: Clock, transcriber: Transcriber
) -> AsyncIterator[DebriefApplication]:
    """Run the bot with the test Whisper model, loaded once for the whole run."""
    application = build_application(settings, clock=clock, speech=transcriber)
    async with running(application) as running_application:
        yield running_application


@pytest.fixture
def reminder_settings(telegram: FakeTelegram, db_path: Path) -> Settings:
    """Return settings with a fast reminder job."""
    return Settings(
        token=TOKEN,
        api_url=telegram.url,
        db_path=db_path,
        max_messages_per_second=0,
        reminder_interval=0.2,
        _env_file=None,
    )
