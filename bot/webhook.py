"""Production mode: Telegram POSTs each update to the bot, which keeps it before answering 200.

python-telegram-bot's custom-webhook pattern, on aiohttp (already the Bot API transport): the
listener checks Telegram's secret header, puts the update in the application's queue, which is
the inbox (bot/inbox.py): `put` returns once the update is committed to SQLite, and only then
does Telegram get its 200. A crash before that makes Telegram retry; one after it is replayed
from the inbox at the next start. GET /healthz answers for the running bot.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from aiohttp import web
from telegram import Update

from bot.app import post_shutdown, post_stop
from bot.context import DebriefApplication
from bot.health import HEALTH_PATH, Heartbeat, heartbeat_path
from bot.inbox import UPDATE_TYPES

__all__ = ["SECRET_HEADER", "WebhookServer", "run_webhook", "serving_webhook"]

logger = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; anything near this is not one.
MAX_UPDATE_BYTES: Final = 1024 * 1024
# Telegram delivers an update again when our 200 did not reach it: the ids of this many recent
# updates are remembered, so a second delivery is answered 200 and not handled twice.
REMEMBERED_UPDATES: Final = 10_000
# Simultaneous deliveries Telegram may make (setWebhook's max_connections; its default is 40).
MAX_CONNECTIONS: Final = 40


class WebhookServer:
    """Serve the webhook path and /healthz for one application."""

    def __init__(self, application: DebriefApplication) -> None:
        settings = application.bot_data.settings
        assert settings.webhook_url is not None
        assert settings.webhook_secret is not None
        self.application = application
        self.host, self.port = settings.listen_address
        self.path = settings.webhook_path
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self._heartbeat = Heartbeat(heartbeat_path(settings.db_path))
        self._runner: web.AppRunner | None = None
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def start(self) -> None:
        """Listen on the configured host and port."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._receive)
        app.router.add_get(HEALTH_PATH, self._health)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self._runner = runner
        logger.info("Webhook listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop listening; Telegram keeps what it could not deliver and retries later."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        """Keep one update, then answer 200; a wrong secret is refused with 403."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("Refused a webhook request without the right secret token")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        self._heartbeat.beat()
        if update.update_id in self._seen:
            return web.Response(status=200)
        # The inbox's put returns once the update is committed: then Telegram may forget it.
        await self.application.update_queue.put(update)
        self._seen[update.update_id] = None
        if len(self._seen) > REMEMBERED_UPDATES:
            self._seen.popitem(last=False)
        return web.Response(status=200)

    async def _health(self, request: web.Request) -> web.Response:
        """Tell whether the bot's database answers."""
        database = self.application.bot_data.database
        try:
            assert database is not None
            async with asyncio.timeout(5.0):
                await database.fetch_all("SELECT count(*) FROM sqlite_schema", ())
        except Exception as error:  # any failure is the answer, not a crash of the listener
            logger.warning("Health check failed: %s", error)
            return web.json_response(
                {"ok": False, "reason": "the database does not answer"}, status=503
            )
        return web.json_response({"ok": True, "reason": "the database and the webhook answer"})


@asynccontextmanager
async def serving_webhook(application: DebriefApplication) -> AsyncIterator[WebhookServer]:
    """Run the bot with a webhook inside an existing event loop (run_webhook, tests)."""
    settings = application.bot_data.settings
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        server = WebhookServer(application)
        await server.start()
        await application.start()
        try:
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=UPDATE_TYPES,
                max_connections=MAX_CONNECTIONS,
            )
            yield server
        finally:
            await server.stop()
            await application.stop()
            await post_stop(application)
    await post_shutdown(application)


def run_webhook(application: DebriefApplication) -> None:
    """Run the bot with a webhook until SIGINT or SIGTERM."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with serving_webhook(application):
            await stop.wait()

    asyncio.run(serve())
