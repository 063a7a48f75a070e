"""Voice notes and audio files: fetched, transcribed on this machine, then taken as typed text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

from telegram import Audio, Chat, Document, Message, Update, Voice
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot import handlers, history, render
from bot.callbacks import Action, Button
from bot.context import DebriefContext
from bot.replies import offered, owned, say, settle, unbutton, who
from conversations.flow import Destination, DraftAnswer, Prompt, takes_text, written_answer
from conversations.hints import speech_context
from conversations.i18n import Language
from conversations.model import EditPrompt, Status
from speech import TranscriptionError

__all__ = ["MAX_DOWNLOAD_BYTES", "on_voice", "retype"]

logger = logging.getLogger(__name__)

# Bots on Telegram's cloud Bot API can download files up to 20 MB.
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024
# Telegram shows a chat action for 5 seconds, or until the bot's next message.
ACTION_EVERY: Final = 4.0
DOWNLOAD_TIMEOUT: Final = 60.0

Media = Voice | Audio | Document


class _NoText(Exception):
    """A recording gave no text; the argument is the key of the reply that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def on_voice(update: Update, context: DebriefContext) -> None:
    """Transcribe a voice note or audio file, show what was heard, and take it as typed text."""
    user, chat = who(update)
    message = update.effective_message
    assert message is not None
    media = message.voice or message.audio or message.document
    assert media is not None
    # Routed before transcribing: a text that would not be taken is not worth transcribing.
    decision = await handlers.route_for(context, user, message_id=message.message_id)
    if not takes_text(decision.destination):
        await handlers.take(context, user, chat, decision, "", message_id=message.message_id)
        return
    language = await context.language(user)
    try:
        hint = await _context(context, decision.destination, language)
        transcript = await _transcribe(context, chat, media, language, hint)
    except _NoText as refused:
        minutes = max(1, round(context.transcriber.max_seconds / 60))
        reason = render.text(language, refused.key, minutes=minutes)
        if isinstance(decision.destination, Prompt):
            await say(context, chat, reason)
        else:
            await handlers.ask_again(context, user, chat, reason)
        return
    written = written_answer(decision.destination)
    button = None if written is None else Button(Action.RETYPE, *written)
    heard = await say(context, chat, render.heard(transcript, language=language, retype=button))
    if written is not None:
        before = await context.debriefs.hear(
            user_id=user.id, debrief_id=written[0], message_id=heard.message_id
        )
        if before is not None:
            # One Retype at a time: the latest answer's (handlers._close_heard takes it off later).
            context.bot_data.later.run(unbutton(context, chat.id, before))
    await handlers.take(
        context,
        user,
        chat,
        decision,
        transcript,
        message_id=message.message_id,
        sent_at=int(message.date.timestamp()),
    )


async def _context(
    context: DebriefContext, destination: Destination, language: Language
) -> str | None:
    """Return what the answer a note gives is likely to echo (see conversations.hints)."""
    match destination:
        case DraftAnswer(draft, key, _):
            earlier = await history.earlier_answer(context, draft, key)
            return speech_context(context.checklist, draft, key, language=language, earlier=earlier)
        case Prompt(EditPrompt(_, key), target, _):
            return speech_context(context.checklist, target, key, language=language)
        case _:
            return None


async def _transcribe(
    context: DebriefContext, chat: Chat, media: Media, language: Language, hint: str | None
) -> str:
    """Download and transcribe a recording; raise _NoText when it gives no text."""
    transcriber = context.transcriber
    if not transcriber.installed():
        raise _NoText("voice.not_enabled")
    if (media.file_size or 0) > MAX_DOWNLOAD_BYTES:
        raise _NoText("voice.too_large")
    seconds = _duration(media)
    if seconds is not None and seconds > transcriber.max_seconds:
        raise _NoText("voice.too_long")
    try:
        # A place is taken before the download: audio waiting its turn stays with Telegram.
        with transcriber.reserve():
            async with _showing(context, chat, ChatAction.TYPING):
                audio = await _download(media)
                return await transcriber.transcribe(audio, language=language, context=hint)
    except TranscriptionError as error:
        raise _NoText(f"voice.{error.failure}") from error


def _duration(media: Media) -> float | None:
    """Return the length Telegram gives for a voice note or audio file (a document has none)."""
    if isinstance(media, Document):
        return None
    with warnings.catch_warnings():
        # PTB 22 warns that durations will become timedeltas; both forms are read here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        duration = media.duration
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


async def _download(media: Media) -> bytes:
    """Fetch a recording into memory (it is never written to disk)."""
    try:
        file = await media.get_file()
        return bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT))
    except BadRequest as error:
        if "too big" in error.message.lower():
            raise _NoText("voice.too_large") from error
        logger.warning("Could not download a recording: %s", error.message)
        raise _NoText("voice.download_failed") from error
    except TelegramError as error:
        logger.warning("Could not download a recording: %s", type(error).__name__)
        raise _NoText("voice.download_failed") from error


@contextlib.asynccontextmanager
async def _showing(context: DebriefContext, chat: Chat, action: ChatAction) -> AsyncIterator[None]:
    """Keep a chat action ("typing…") on screen until the block ends."""

    async def repeat() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat.id, action)
            except TelegramError:
                # Only a courtesy: the transcription goes on without it.
                logger.debug("Could not send a chat action", exc_info=True)
            await asyncio.sleep(ACTION_EVERY)

    task = asyncio.create_task(repeat())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait({task})


async def retype(update: Update, context: DebriefContext) -> None:
    """Go back to the question a transcript answered, so that a typed text replaces it."""
    target = await owned(update, context)
    if target is None:
        return
    query, debrief, key = target.query, target.debrief, target.button.key
    if key is None or key not in context.checklist:
        await query.answer(render.text(target.language, "debrief.not_found"))
        return
    if debrief.status == Status.PAUSED:
        await query.answer(render.text(target.language, "voice.retype_paused"))
        return
    await query.answer()
    # The question comes again, showing this answer: the button has done its work.
    if offered(query) and isinstance(query.message, Message):
        await settle(context, query, None)
        await context.debriefs.forget_heard(
            user_id=target.user.id, debrief_id=debrief.id, message_id=query.message.message_id
        )
    if debrief.status == Status.DONE:
        # A finished debrief's answer is edited from the history: the same prompt, at once.
        await history.start_edit(context, target.user, target.chat, debrief, key)
    else:
        await handlers.revisit(context, target.user, target.chat, debrief.id, key)
