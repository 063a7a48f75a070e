"""Small helpers every handler module shares: who sent an update, and sending a reply."""

from __future__ import annotations

from telegram import Chat, Message, Update, User

from bot import render
from bot.context import DebriefContext

__all__ = ["say", "who"]


def who(update: Update) -> tuple[User, Chat]:
    """Return the user and chat of an update that the gate let through."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    return user, chat


async def say(context: DebriefContext, chat: Chat, reply: render.Reply | str) -> Message:
    """Send a reply to a chat."""
    if isinstance(reply, str):
        reply = render.Reply(reply)
    return await context.bot.send_message(chat.id, reply.text, reply_markup=reply.markup)
