"""Nothing leaks from the running bot: not the token, not an answer, not the database's files."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from bot.logs import REDACTED
from tests.e2e.driver import TOKEN, WAIT, BotProcess, Debriefer

COMPANY = "Zorglub-secret-company"
POSITION = "Quetzal-secret-position"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Start processes with the umask most shells have (022: new files readable by all)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
async def test_at_debug_the_log_holds_no_answer_no_token_and_the_files_are_private(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    person = Debriefer(telegram.user(4001, language_code="en"), "en")
    bot = BotProcess(telegram, tmp_path)
    bot.env["DEBRIEF_LOG_LEVEL"] = "DEBUG"
    await bot.start()
    try:
        await person.user.send_text("/new")
        await person.question("company")
        await person.user.send_text(COMPANY)
        await person.question("position")
        # A proxy answers the next question's send with a page quoting the URL, token included.
        page = f"<html>upstream error for /bot{TOKEN}/sendMessage</html>"
        telegram.inject_response("sendMessage", status=200, body=page)
        await person.user.send_text(POSITION)
        await person.next()  # the error message, after the question that never went out

        data = tmp_path / "data"
        files = {path.name: _mode(path) for path in data.iterdir()}
        assert {"debrief.sqlite3", "debrief.sqlite3-wal", "debrief.sqlite3-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
        assert _mode(data) == 0o700
    finally:
        await bot.stop()

    log = (tmp_path / "bot-1.log").read_text()
    assert "DEBUG" in log
    assert REDACTED in log, "the invalid reply was not logged"
    for secret in (TOKEN, TOKEN.split(":")[1], COMPANY, POSITION):
        assert secret not in log


async def test_a_rejected_token_stops_the_bot_with_a_clear_message_and_no_token(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    wrong = "987654:WRONG-token-that-nobody-may-read"
    bot = BotProcess(telegram, tmp_path)
    bot.env["TELEGRAM_BOT_TOKEN"] = wrong
    await bot.start()
    assert bot.process is not None
    async with asyncio.timeout(WAIT * 2):
        code = await bot.process.wait()

    output = (tmp_path / "bot-1.log").read_text()
    assert code == 2
    assert "Telegram rejected the bot token" in output
    assert wrong.split(":")[1] not in output
    assert "Unclosed" not in output
