"""`python -m bot health`: the database answers, and the bot heard from Telegram recently."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.app import build_application, running
from bot.config import Settings
from bot.fakeapi import FakeTelegram
from bot.health import STALE_AFTER, check, heartbeat_path
from tests.e2e.driver import Clock

ROOT = Path(__file__).resolve().parents[2]


def health(db_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot health` as the Dockerfile's HEALTHCHECK does (no token needed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DEBRIEF_"))}
    env |= {"DEBRIEF_DB_PATH": str(db_path), "PYTHONPATH": str(ROOT), **extra}
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        cwd=db_path.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_polling_bot_is_healthy_and_then_stale(
    telegram: FakeTelegram, settings: Settings, clock: Clock
) -> None:
    db_path = settings.db_path
    user = telegram.user(6001, language_code="en")
    async with running(build_application(settings, clock=clock)):
        assert not heartbeat_path(db_path).exists()
        # A long poll that returns (here with an update) is a heartbeat.
        await user.send_text("/help")
        await user.next_message()
        assert check(db_path, webhook_listen=None).ok
    finished = health(db_path)
    assert finished.returncode == 0, finished.stderr
    assert "heard from Telegram" in finished.stdout

    # A bot that stopped polling long ago (stuck, or cut off from Telegram) is unhealthy.
    old = time.time() - STALE_AFTER - 5
    os.utime(heartbeat_path(db_path), (old, old))
    finished = health(db_path)
    assert finished.returncode == 1
    assert "last heard from Telegram" in finished.stderr


def test_without_a_database_the_bot_is_unhealthy(tmp_path: Path) -> None:
    finished = health(tmp_path / "data" / "debrief.sqlite3")
    assert finished.returncode == 1
    assert "no database" in finished.stderr


def test_a_webhook_bot_that_does_not_answer_is_unhealthy(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "debrief.sqlite3"
    db_path.parent.mkdir()
    sqlite3.connect(db_path).close()
    finished = health(
        db_path,
        DEBRIEF_WEBHOOK_URL="https://bot.example.org/telegram",
        DEBRIEF_WEBHOOK_LISTEN="127.0.0.1:9",
    )
    assert finished.returncode == 1
    assert "webhook listener does not answer" in finished.stderr
