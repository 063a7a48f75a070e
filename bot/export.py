"""/export: the user's data as documents, readable by a person and by other tools."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from telegram import InputFile, InputMediaDocument, Update
from telegram.constants import ChatAction

from bot import render
from bot.context import DebriefContext
from bot.replies import say, who
from conversations.checklist import Checklist
from conversations.export import (
    SCHEMA_VERSION,
    eml_filename,
    export_filename,
    export_json,
    export_markdown,
    thank_you_eml,
)
from conversations.i18n import Language
from conversations.model import Debrief, Profile, Reminder, Status

__all__ = ["export_command"]

# Telegram groups 2 to 10 documents in one album.
_ALBUM = 10


def _documents(
    debriefs: Sequence[Debrief],
    checklist: Checklist,
    profile: Profile,
    reminders: Sequence[Reminder],
    language: Language,
    sender: str,
    now: datetime,
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Build the Markdown, the JSON and the finished debriefs' thank-you drafts (name, .eml)."""
    markdown = export_markdown(debriefs, checklist=checklist, language=language, exported_at=now)
    data = export_json(
        debriefs, checklist=checklist, profile=profile, reminders=reminders, exported_at=now
    )
    drafts = [
        (
            eml_filename(debrief),
            thank_you_eml(debrief, language=language, sender_name=sender, exported_at=now),
        )
        for debrief in debriefs
        if debrief.status == Status.DONE
    ]
    return markdown.encode(), data.encode(), drafts


async def export_command(update: Update, context: DebriefContext) -> None:
    """Send every debrief as Markdown and JSON documents, and each thank-you draft as .eml."""
    user, chat = who(update)
    language = await context.language(user)
    debriefs = await context.debriefs.all_for(user_id=user.id)
    if not debriefs:
        await say(context, chat, render.text(language, "exporting.empty"))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    profile = await context.profile(user)
    reminders = await context.reminders.all_for(user_id=user.id)
    # In the user's zone: the Markdown's times, the emails' Date and "today" in the drafts.
    now = context.now().astimezone(await context.zone(user))
    # About 170 ms of CPU for 50 debriefs: built off the event loop, so other users keep getting
    # replies meanwhile.
    markdown, data, drafts = await asyncio.to_thread(
        _documents, debriefs, context.checklist, profile, reminders, language, user.full_name, now
    )
    await context.bot.send_document(
        chat.id,
        InputFile(markdown, filename=export_filename(now, "md")),
        caption=render.text(language, "exporting.markdown_caption"),
    )
    await context.bot.send_document(
        chat.id,
        InputFile(data, filename=export_filename(now, "json")),
        caption=render.text(language, "exporting.json_caption", version=SCHEMA_VERSION),
    )
    caption = render.text(language, "exporting.emails_caption")
    for start in range(0, len(drafts), _ALBUM):
        batch = drafts[start : start + _ALBUM]
        if len(batch) == 1:
            name, body = batch[0]
            await context.bot.send_document(
                chat.id, InputFile(body, filename=name), caption=caption
            )
            continue
        album = [
            InputMediaDocument(
                body, filename=name, caption=caption if i == len(batch) - 1 else None
            )
            for i, (name, body) in enumerate(batch)
        ]
        await context.bot.send_media_group(chat.id, album)
    answers = sum(len(debrief.answers) for debrief in debriefs)
    await say(
        context,
        chat,
        render.text(language, "exporting.done", debriefs=len(debriefs), answers=answers),
    )
