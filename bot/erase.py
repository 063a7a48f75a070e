"""/delete: erase everything Debrief keeps about the user, after a confirmation."""

from __future__ import annotations

from telegram import Message, Update

from bot import render
from bot.callbacks import Button
from bot.context import DebriefContext
from bot.replies import say, who

__all__ = ["delete_command", "erase_button"]


async def delete_command(update: Update, context: DebriefContext) -> None:
    """Ask to confirm deleting all of the user's data."""
    user, chat = who(update)
    language = await context.language(user)
    debriefs = await context.debriefs.count_for(user_id=user.id)
    reminders = await context.reminders.pending_for(user_id=user.id)
    reply = render.erase_confirm(debriefs=debriefs, reminders=len(reminders), language=language)
    await say(context, chat, reply)


async def erase_button(update: Update, context: DebriefContext) -> None:
    """Delete everything the user has (from disk), or keep it, as they chose."""
    user, _ = who(update)
    query = update.callback_query
    assert query is not None
    language = await context.language(user)
    button = Button.decode(query.data)
    await query.answer()
    if button is None or button.key != "yes":
        if isinstance(query.message, Message):
            await query.edit_message_text(render.text(language, "erase.kept"), reply_markup=None)
        return
    erased = await context.users.delete_all(user_id=user.id)
    # Cached settings would otherwise outlive the deleted rows.
    assert context.user_data is not None
    context.user_data.clear()
    if isinstance(query.message, Message):
        done = "erase.done_soon" if erased.lingering else "erase.done"
        await query.edit_message_text(render.text(language, done), reply_markup=None)
