"""/insights: what keeps coming back across the user's debriefs, with a chart."""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import InputFile, Update
from telegram.constants import ChatAction

from bot import render
from bot.context import DebriefContext
from bot.replies import say, who
from conversations.i18n import Language
from conversations.insights import AWKWARD_KEYS, INSIGHT_KEYS, MIN_DEBRIEFS, with_recurring
from conversations.summary import Summary

__all__ = ["insights_command", "prepared"]


async def insights_command(update: Update, context: DebriefContext) -> None:
    """Send the user's insights as text, then their chart as a photo."""
    user, chat = who(update)
    language = await context.language(user)
    # Computed on demand from the user's own debriefs: nothing is kept that /delete must erase.
    debriefs = await context.debriefs.headlines(user_id=user.id, keys=INSIGHT_KEYS)
    if len(debriefs) < MIN_DEBRIEFS:
        key = "insights.not_enough_one" if debriefs else "insights.not_enough_none"
        await say(context, chat, render.text(language, key))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    found, chart = await context.bot_data.charts.analyse(debriefs, language=language)
    for part in render.insights(found, language=language, today=await context.today(user)):
        await say(context, chat, part)
    if chart is not None:
        await context.bot.send_photo(
            chat.id,
            InputFile(chart, filename="insights.png"),
            caption=render.text(language, "insights.chart_caption"),
        )


async def prepared(
    context: DebriefContext, brief: Summary, user_id: int, language: Language, today: date
) -> Summary:
    """Open a preparation brief with the awkward questions that keep coming back, if any."""
    debriefs = await context.bot_data.debriefs.headlines(user_id=user_id, keys=AWKWARD_KEYS)
    # Grouping a few hundred notes takes tens of milliseconds: not on the event loop.
    return await asyncio.to_thread(with_recurring, brief, debriefs, language=language, today=today)
