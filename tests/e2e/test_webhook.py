"""Webhook mode: Telegram POSTs each update; it is kept before the 200, and a crash loses none."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application
from bot.config import Settings
from bot.fakeapi import BotMessage, FakeTelegram, WebhookAttempt
from bot.health import check
from bot.webhook import SECRET_HEADER, serving_webhook
from conversations.checklist import checklist
from tests.e2e.driver import TOKEN, WAIT, BotProcess, Clock, Debriefer, has, stored_answers, text

SECRET = "webhook-secret_for-tests"


def free_port() -> int:
    """Return a port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def webhook_env(port: int) -> dict[str, str]:
    """Return the settings of a bot served by a webhook on 127.0.0.1:port."""
    return {
        "DEBRIEF_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/updates",
        "DEBRIEF_WEBHOOK_SECRET": SECRET,
        "DEBRIEF_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


@pytest.fixture
def settings(telegram: FakeTelegram, db_path: Path) -> Settings:
    """Return settings of a bot that Telegram reaches by a webhook."""
    return Settings.model_validate(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.url,
            "DEBRIEF_DB_PATH": str(db_path),
            "DEBRIEF_MAX_MESSAGES_PER_SECOND": 0,
            **webhook_env(free_port()),
        }
    )


async def test_a_debrief_over_the_webhook(
    telegram: FakeTelegram, settings: Settings, clock: Clock
) -> None:
    async with serving_webhook(build_application(settings, clock=clock)) as server:
        assert telegram.webhook is not None
        assert telegram.webhook.url == settings.webhook_url
        assert telegram.webhook.secret == SECRET
        user = telegram.user(5001, language_code="en")
        person = Debriefer(user, "en")
        await user.send_text("/new")
        await person.question("company")
        position = await person.say("Acme")
        assert f"Question 2/{len(checklist().express)}" in position.text
        await user.press_button(position, person.label("debrief.finish_button"))
        await person.until(text("en", "debrief.finished").split(":")[0])

        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{server.port}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json())["ok"] is True
        verdict = await asyncio.to_thread(
            check, settings.db_path, webhook_listen=settings.listen_address
        )
        assert verdict.ok, verdict.reason

    assert stored_answers(settings.db_path, user.user_id)["company"] == "Acme"
    assert telegram.calls_to("getUpdates") == []
    assert {attempt.status for attempt in telegram.webhook_attempts} == {200}
    assert telegram.rejected == []


async def test_a_request_without_the_right_secret_is_refused_and_not_handled(
    telegram: FakeTelegram, settings: Settings, clock: Clock
) -> None:
    user = telegram.user(5002, language_code="en")
    forged = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user.user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user.user_id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with (
        serving_webhook(build_application(settings, clock=clock)) as server,
        aiohttp.ClientSession() as session,
    ):
        url = f"http://127.0.0.1:{server.port}{server.path}"
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 403
        # Each user's updates are handled in order: had the forged /start been taken, its
        # welcome would come before this answer.
        await user.send_text("/help")
        first = await user.next_message(timeout=WAIT)
        assert "/new — start a debrief" in first.text
    with sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)


async def test_an_update_delivered_twice_is_handled_once(
    telegram: FakeTelegram, settings: Settings, clock: Clock
) -> None:
    user = telegram.user(5003, language_code="en")
    async with serving_webhook(build_application(settings, clock=clock)):
        await user.send_text("/help")
        await user.next_message(timeout=WAIT)
        once = telegram.updates[-1].update_id
        telegram.redeliver(once)
        await telegram.wait_for_webhook_attempts(2, lambda attempt: attempt.update_id == once)
        await user.send_text("/start")
        await user.next_message(timeout=WAIT, predicate=has("I'm Debrief"))
    helps = [message for message in user.messages if "/new — start a debrief" in message.text]
    assert len(helps) == 1, [message.describe() for message in user.messages]


async def test_kill_9_while_telegram_retries_loses_nothing_and_doubles_nothing(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "data" / "debrief.sqlite3"
    user = telegram.user(5004, language_code="en")
    bot = BotProcess(telegram, tmp_path)
    bot.env |= webhook_env(free_port())

    def question(number: int) -> Callable[[BotMessage], bool]:
        return has(f"Question {number}/{len(checklist().express)}")

    def failed_for(update_id: int) -> Callable[[WebhookAttempt], bool]:
        return lambda attempt: attempt.update_id == update_id and attempt.status is None

    await bot.start()
    try:
        await user.send_text("/new")
        await telegram.wait_for_message(user.chat_id, predicate=question(1), timeout=WAIT * 2)
        await user.send_text("Acme")
        await telegram.wait_for_message(user.chat_id, predicate=question(2), timeout=WAIT)

        # 1. Killed; the next update finds nobody, and Telegram retries it, again and again.
        await bot.kill()
        await user.send_text("Backend developer")
        retried = telegram.updates[-1].update_id
        await telegram.wait_for_webhook_attempts(3, failed_for(retried), timeout=WAIT)
        await bot.start()
        third = await telegram.wait_for_message(
            user.chat_id, predicate=question(3), timeout=WAIT * 2
        )

        # 2. Killed the moment the bot answered 200: the update is in its inbox, handled after.
        await user.press_button(third, "Skip")
        tapped = telegram.updates[-1].update_id
        await telegram.wait_for_webhook_attempts(
            1, lambda attempt: attempt.update_id == tapped and attempt.status == 200
        )
        await bot.kill()
        await bot.start()
        await telegram.wait_for_message(user.chat_id, predicate=question(4), timeout=WAIT * 2)
    finally:
        await bot.stop()

    answers = stored_answers(db_path, user.user_id)
    assert answers["company"] == "Acme"
    assert answers["position"] == "Backend developer"
    assert "interviewers" not in answers  # skipped once, not twice
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        keys = [row[0] for row in db.execute("SELECT question_key FROM answer_parts")]
        assert len(keys) == len(set(keys)), "an answer was stored twice"
        assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
    thirds = [message for message in user.messages if question(3)(message)]
    assert len(thirds) == 1, "the retried update was handled twice"
