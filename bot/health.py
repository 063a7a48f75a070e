"""Is the bot alive? The database answers, and Telegram was heard from recently.

Long polling: each getUpdates that returns touches a heartbeat file beside the database (a long
poll returns at least every POLL_TIMEOUT seconds, even when nobody writes), and `python -m bot
health`, run as another process (the Dockerfile's HEALTHCHECK), reads its age. Webhook: the
listener's GET /healthz answers for the running bot, which may rightly hear nothing for hours.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from telegram.request import BaseRequest, RequestData

from bot.transport import AiohttpRequest

__all__ = [
    "HEALTH_PATH",
    "STALE_AFTER",
    "Health",
    "Heartbeat",
    "HeartbeatRequest",
    "check",
    "database_answers",
    "heartbeat_path",
]

logger = logging.getLogger(__name__)

HEALTH_PATH: Final = "/healthz"
# python-telegram-bot's long poll lasts 10 s; a few missed polls are a network hiccup, not death.
STALE_AFTER: Final = 90.0
# Touching the file at most this often keeps a busy bot from a syscall per request.
BEAT_EVERY: Final = 1.0
CHECK_TIMEOUT: Final = 5.0


def heartbeat_path(db_path: Path) -> Path:
    """Return the heartbeat file beside the database (debrief.alive beside debrief.sqlite3)."""
    return db_path.with_name(f"{db_path.stem}.alive")


class Heartbeat:
    """Touches a file whenever the bot hears from Telegram."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last = -BEAT_EVERY
        self._failed = False

    def beat(self) -> None:
        """Record that Telegram answered just now."""
        now = time.monotonic()
        if now - self._last < BEAT_EVERY:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as error:
            if not self._failed:
                logger.warning("Cannot touch the heartbeat file %s: %s", self.path, error)
            self._failed = True


class HeartbeatRequest(AiohttpRequest):
    """The getUpdates connection: every answer from Telegram is a heartbeat."""

    __slots__ = ("_heartbeat",)

    def __init__(self, heartbeat: Heartbeat, *, connection_pool_size: int = 1) -> None:
        super().__init__(connection_pool_size=connection_pool_size)
        self._heartbeat = heartbeat

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the request; beat when Telegram answered it."""
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if status == 200:
            self._heartbeat.beat()
        return status, body


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict and a one-line reason."""

    ok: bool
    reason: str


def database_answers(db_path: Path) -> Health:
    """Open the database read-only and read its schema."""
    if not db_path.exists():
        return Health(False, f"no database at {db_path}")
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=CHECK_TIMEOUT)
        try:
            connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return Health(False, f"the database does not answer: {error}")
    return Health(True, "the database answers")


def check(db_path: Path, *, webhook_listen: tuple[str, int] | None) -> Health:
    """Judge the running bot from outside: its database, then its polls or its webhook."""
    database = database_answers(db_path)
    if not database.ok:
        return database
    if webhook_listen is not None:
        return _webhook_answers(*webhook_listen)
    beat = heartbeat_path(db_path)
    try:
        age = time.time() - os.stat(beat).st_mtime
    except OSError:
        return Health(False, f"the bot has not polled Telegram yet ({beat} is missing)")
    if age > STALE_AFTER:
        return Health(False, f"the bot last heard from Telegram {age:.0f} s ago")
    return Health(True, f"the database answers; the bot heard from Telegram {age:.0f} s ago")


def _webhook_answers(host: str, port: int) -> Health:
    """Ask the webhook listener of the running bot."""
    if host in {"", "0.0.0.0", "::"}:
        host = "127.0.0.1"
    url = f"http://{host}:{port}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=CHECK_TIMEOUT) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Health(False, f"the webhook listener does not answer at {url}: {error}")
    return Health(bool(answer.get("ok")), str(answer.get("reason", "")))
