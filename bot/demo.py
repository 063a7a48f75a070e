"""The local demo: the real bot against the imitation of the Bot API, and a chat page for it."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Final

from bot.app import build_application, running
from bot.config import DemoSettings, Settings
from bot.fakeapi import FakeTelegram
from bot.fakeapi.webchat import WebChat

__all__ = ["DEMO_HOST", "DEMO_TOKEN", "demo"]

logger = logging.getLogger(__name__)

# Shaped like a BotFather token so the settings accept it; it only opens the local imitation.
DEMO_TOKEN: Final = "100000001:local-demo-not-a-telegram-token"
# The page and the imitation answer this machine only.
DEMO_HOST: Final = "127.0.0.1"

READY = """\
Debrief is running as a local demo: open {url} in your browser.
To connect the same bot to Telegram instead, create a bot with @BotFather (https://t.me/BotFather),
put TELEGRAM_BOT_TOKEN=<its token> in a file named .env in this folder, and run `make run` again.
"""


def demo(demo_settings: DemoSettings) -> int:
    """Run the demo until interrupted; return the process exit code."""
    try:
        return asyncio.run(_serve(demo_settings))
    except KeyboardInterrupt:
        return 0


async def _serve(demo_settings: DemoSettings) -> int:
    """Start the imitation, the page and the bot; stop them all on SIGINT or SIGTERM."""
    async with FakeTelegram(
        token=DEMO_TOKEN, bot_username="debrief_demo_bot", bot_first_name="Debrief", host=DEMO_HOST
    ) as telegram:
        settings = Settings(
            token=DEMO_TOKEN, api_url=telegram.url, db_path=demo_settings.demo_db_path
        )
        application = build_application(settings)
        voice = application.bot_data.transcriber.installed()
        page = WebChat(telegram, host=DEMO_HOST, port=demo_settings.demo_port, voice=voice)
        try:
            await page.start()
        except OSError as error:
            sys.stderr.write(
                f"The demo page cannot listen on {DEMO_HOST}:{demo_settings.demo_port} ({error}).\n"
                "Set DEBRIEF_DEMO_PORT to a free port, for example DEBRIEF_DEMO_PORT=8081.\n"
            )
            return 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            async with running(application):
                sys.stdout.write(READY.format(url=page.url))
                sys.stdout.flush()
                logger.info("Demo database: %s", settings.db_path)
                await stop.wait()
        finally:
            await page.stop()
    return 0
