"""The application factory: settings in, a wired python-telegram-bot Application out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import deeper, erase, export, followups, handlers, history, insights, notes, voice
from bot.access import RefusalBudget
from bot.botapi import DebriefBot
from bot.callbacks import Action
from bot.chart import Charts
from bot.concurrency import PerUserUpdateProcessor
from bot.config import Settings
from bot.context import BotData, DebriefApplication, DebriefContext
from bot.health import Heartbeat, HeartbeatRequest, heartbeat_path
from bot.inbox import UPDATE_TYPES, Inbox, InboxQueue
from bot.later import Later
from bot.maintenance import COMPACTION_TIME, SETTLE_EVERY, compact_database, settle_deletions
from bot.reminders import deliver_due
from bot.transport import AiohttpRequest
from conversations.checklist import checklist
from conversations.i18n import LANGUAGES, catalog
from speech import Transcriber
from storage.database import open_database
from storage.inbox import InboxRepository

__all__ = [
    "COMMANDS",
    "UPDATE_TYPES",
    "build_application",
    "post_shutdown",
    "post_stop",
    "running",
    "transcriber",
]

logger = logging.getLogger(__name__)

Callback = Callable[[Update, DebriefContext], Coroutine[Any, Any, None]]
COMMANDS = (
    "start",
    "new",
    "skip",
    "back",
    "cancel",
    "note",
    "history",
    "insights",
    "export",
    "delete",
    "reminders",
    "timezone",
    "language",
    "help",
)
# Enough for a burst of users; each user's own updates are still handled one at a time.
MAX_CONCURRENT_UPDATES = 256
# A 429 pauses every request for retry_after seconds; this many in a row would mean an outage.
MAX_RETRIES = 10
# Paced at 95% of the limit: sends measured at the server never exceed it in any one second.
PACING_MARGIN = 0.95


def _utc_now() -> datetime:
    """Return the current time, timezone-aware."""
    return datetime.now(UTC)


def rate_limiter(max_messages_per_second: float) -> AIORateLimiter:
    """Pace sends under Telegram's overall limit (0: no pacing) and retry every 429."""
    if max_messages_per_second <= 0:
        return AIORateLimiter(overall_max_rate=0, max_retries=MAX_RETRIES)
    # A bucket of one spaces messages evenly, where a bucket of 30 would let 30 burst out on top
    # of the steady 30 per second. The margin absorbs requests bunching up on their way.
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / (max_messages_per_second * PACING_MARGIN),
        max_retries=MAX_RETRIES,
    )


async def _post_init(application: DebriefApplication) -> None:
    """Open the database and register the command menu in every language."""
    data = application.bot_data
    database = await open_database(data.settings.db_path)
    data.attach(database)
    queue = application.update_queue
    assert isinstance(queue, InboxQueue)
    queue.inbox.attach(InboxRepository(database))
    # Before polling starts: what the last process received comes first.
    await queue.inbox.replay(queue, application.bot)
    texts = catalog()
    for language in LANGUAGES:
        commands = [BotCommand(name, texts.text(language, f"commands.{name}")) for name in COMMANDS]
        await application.bot.set_my_commands(
            commands,
            scope=BotCommandScopeAllPrivateChats(),
            language_code=None if language == "en" else language,
        )
    assert application.job_queue is not None
    # One repeating job sends due reminders; the first run, at start-up, sends what fell due
    # while the bot was down. Runs never overlap.
    application.job_queue.run_repeating(
        deliver_due,
        interval=data.settings.reminder_interval,
        # Not 0: the time is fixed now but the scheduler starts later, and a start already past
        # would push the first run (the one that sends what fell due meanwhile) a whole interval.
        first=1,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    application.job_queue.run_repeating(
        settle_deletions,
        interval=SETTLE_EVERY,
        # Soon after a start too: the last process may have died before its checkpoint.
        first=10,
        name="settle-deletions",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    application.job_queue.run_daily(
        compact_database,
        time=COMPACTION_TIME.replace(tzinfo=data.settings.timezone),
        name="compaction",
    )
    logger.info("Debrief is ready as @%s", application.bot.username)


async def post_stop(application: DebriefApplication) -> None:
    """Let the work started after replies end while the bot can still send and store."""
    await application.bot_data.later.wait()


async def post_shutdown(application: DebriefApplication) -> None:
    """Stop the chart process and close the database."""
    application.bot_data.charts.close()
    database = application.bot_data.database
    if database is not None:
        await database.close()


def _register(application: DebriefApplication) -> None:
    """Declare every handler in one place."""
    message = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)

    def command(name: str, callback: Callback) -> CommandHandler[DebriefContext, None]:
        return CommandHandler(name, callback, filters=message)

    def button(action: Action, callback: Callback) -> CallbackQueryHandler[DebriefContext, None]:
        return CallbackQueryHandler(callback, pattern=action.pattern)

    application.add_handlers(
        [
            command("start", handlers.start),
            command("help", handlers.help_command),
            command("new", handlers.new_debrief),
            command("skip", handlers.skip),
            command("back", handlers.back),
            command("cancel", handlers.cancel),
            command("note", notes.note_command),
            command("language", handlers.choose_language),
            command("history", history.history_command),
            command("insights", insights.insights_command),
            command("export", export.export_command),
            command("delete", erase.delete_command),
            command("reminders", followups.list_reminders),
            command("timezone", followups.timezone_command),
            button(Action.NEW, handlers.new_debrief),
            button(Action.RESUME, handlers.resume),
            button(Action.RESTART, handlers.restart),
            button(Action.ANSWER, handlers.on_answer_button),
            button(Action.SKIP, handlers.skip),
            button(Action.BACK, handlers.back),
            button(Action.KEEP, handlers.keep_answer),
            button(Action.FINISH, handlers.finish_now),
            button(Action.ADD, handlers.add_to_previous),
            button(Action.SPLIT, handlers.move_back),
            button(Action.DEEPER, deeper.go_deeper),
            button(Action.LANGUAGE, handlers.set_language),
            button(Action.OUTCOME, followups.set_outcome),
            button(Action.ROUND_UNKNOWN, followups.round_date_unknown),
            button(Action.REMINDER, followups.reminder_button),
            button(Action.THANKS_SENT, followups.thank_you_sent),
            button(Action.QUESTIONS_WHEN, followups.questions_when),
            button(Action.HISTORY, history.history_page),
            button(Action.OPEN, history.open_debrief),
            button(Action.DRAFT, history.email_again),
            button(Action.EDIT, history.choose_question),
            button(Action.EDIT_VALUE, history.edit_with_value),
            button(Action.STATUS, history.set_status),
            button(Action.DELETE, history.confirm_delete),
            button(Action.LINK, history.link_round),
            button(Action.NEXT_ROUND, handlers.join_next_round),
            button(Action.ERASE, erase.erase_button),
            button(Action.RETYPE, voice.retype),
            CallbackQueryHandler(handlers.unknown_button),
            MessageHandler(message & filters.TEXT & ~filters.COMMAND, handlers.on_text),
            MessageHandler(
                filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND,
                history.on_edited_message,
            ),
            MessageHandler(
                message & (filters.VOICE | filters.AUDIO | filters.Document.AUDIO), voice.on_voice
            ),
            MessageHandler(message & filters.COMMAND, handlers.help_command),
            MessageHandler(message, handlers.on_other),
        ]
    )
    application.add_error_handler(handlers.on_error)


def transcriber(settings: Settings) -> Transcriber:
    """Build the speech-to-text engine the settings describe (nothing is loaded yet)."""
    return Transcriber(
        model=settings.whisper_model,
        cache=settings.whisper_folder,
        workers=settings.transcription_workers,
        max_seconds=settings.voice_max_seconds,
        memory_mib=settings.transcription_memory_mib,
    )


def build_application(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = _utc_now,
    speech: Transcriber | None = None,
) -> DebriefApplication:
    """Build the bot from its settings; tests inject a clock and share one loaded Transcriber."""
    inbox = Inbox(allowed_users=settings.allowed_users)
    bot = DebriefBot(
        settings.token.get_secret_value(),
        base_url=f"{settings.api_url}/bot",
        base_file_url=f"{settings.api_url}/file/bot",
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        request=AiohttpRequest(connection_pool_size=MAX_CONCURRENT_UPDATES),
        get_updates_request=HeartbeatRequest(Heartbeat(heartbeat_path(settings.db_path))),
        rate_limiter=rate_limiter(settings.max_messages_per_second),
    )
    bot.hand_updates_to(inbox.keep_all)
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=DebriefContext, bot_data=BotData))
        .update_queue(InboxQueue(inbox))
        .concurrent_updates(PerUserUpdateProcessor(MAX_CONCURRENT_UPDATES, on_done=inbox.done))
        .post_init(_post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    application = cast(DebriefApplication, builder.build())
    data = application.bot_data
    data.settings = settings
    data.clock = clock
    data.checklist = checklist()
    data.refusals = RefusalBudget()
    data.inbox = inbox
    data.later = Later()
    data.transcriber = speech or transcriber(settings)
    data.charts = Charts()
    _register(application)
    return application


@asynccontextmanager
async def running(application: DebriefApplication) -> AsyncIterator[DebriefApplication]:
    """Run the bot inside an existing event loop, as run_polling does (tests, benchmarks)."""
    assert application.updater is not None
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.updater.start_polling(poll_interval=0, allowed_updates=UPDATE_TYPES)
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await post_stop(application)
    await post_shutdown(application)
