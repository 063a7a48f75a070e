"""Helpers every handler module shares: who sent an update, what a handler acts on, replies."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NamedTuple, TypeVar

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest

from bot import render
from bot.callbacks import Action, Button
from bot.context import DebriefContext
from conversations.i18n import Language
from conversations.model import Debrief

__all__ = [
    "Handler",
    "Tap",
    "acting_on",
    "drop",
    "edit",
    "offered",
    "owned",
    "retire",
    "say",
    "settle",
    "unbutton",
    "who",
]

Handler = Callable[[Update, DebriefContext], Coroutine[Any, Any, None]]
T = TypeVar("T")

# Editing a message to what it already shows, or one the user deleted, changes nothing they see.
_HARMLESS_EDIT_ERRORS = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
)


def who(update: Update) -> tuple[User, Chat]:
    """Return the user and chat of an update that the gate let through."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    return user, chat


class Tap(NamedTuple):
    """A debrief's button tapped, checked, with what handling it needs."""

    user: User
    chat: Chat
    language: Language
    query: CallbackQuery
    button: Button
    debrief: Debrief


async def owned(update: Update, context: DebriefContext) -> Tap | None:
    """Return the tap on a button naming one of the user's debriefs; answer "not found" for
    anything else."""
    user, chat = who(update)
    query = update.callback_query
    assert query is not None
    language = await context.language(user)
    button = Button.decode(query.data)
    debrief = None
    if button is not None and button.debrief_id is not None:
        debrief = await context.debriefs.get(user_id=user.id, debrief_id=button.debrief_id)
    if button is None or debrief is None:
        await query.answer(render.text(language, "debrief.not_found"))
        return None
    return Tap(user, chat, language, query, button, debrief)


def acting_on(
    find: Callable[[Update, DebriefContext], Awaitable[T | None]],
) -> Callable[[Callable[[DebriefContext, T], Coroutine[Any, Any, None]]], Handler]:
    """Make a handler of an action that runs only on what `find` accepts (it answers the rest)."""

    def decorate(action: Callable[[DebriefContext, T], Coroutine[Any, Any, None]]) -> Handler:
        @functools.wraps(action)
        async def handler(update: Update, context: DebriefContext) -> None:
            found = await find(update, context)
            if found is not None:
                await action(context, found)

        return handler

    return decorate


async def say(context: DebriefContext, chat: Chat, reply: render.Reply | str) -> Message:
    """Send a reply to a chat."""
    if isinstance(reply, str):
        reply = render.Reply(reply)
    return await context.bot.send_message(chat.id, reply.text, reply_markup=reply.markup)


async def edit(context: DebriefContext, chat_id: int, message_id: int, reply: render.Reply) -> None:
    """Replace a sent message's text and keyboard (no markup: the keyboard goes)."""
    try:
        await context.bot.edit_message_text(
            reply.text, chat_id, message_id, reply_markup=reply.markup
        )
    except BadRequest as error:
        _raise_unless_harmless(error)


async def unbutton(
    context: DebriefContext,
    chat_id: int,
    message_id: int,
    keep: InlineKeyboardMarkup | None = None,
) -> None:
    """Take a sent message's keyboard away (but the buttons in `keep`), its text as it is."""
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=keep)
    except BadRequest as error:
        _raise_unless_harmless(error)


async def retire(context: DebriefContext, query: CallbackQuery) -> None:
    """Take the whole keyboard off the tapped message (if the button is still there)."""
    message = query.message
    if isinstance(message, Message) and offered(query):
        await unbutton(context, message.chat.id, message.message_id)


async def drop(context: DebriefContext, query: CallbackQuery, *actions: Action) -> None:
    """Take the buttons of `actions` off the tapped message (if still there); the rest stay."""
    message = query.message
    if isinstance(message, Message) and offered(query):
        await unbutton(context, message.chat.id, message.message_id, _without(query, *actions))


def _without(query: CallbackQuery, *actions: Action) -> InlineKeyboardMarkup | None:
    """Return the tapped message's keyboard without the buttons of `actions` (None: no button)."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None

    def dropped(button: InlineKeyboardButton) -> bool:
        data = button.callback_data if isinstance(button.callback_data, str) else None
        decoded = Button.decode(data)
        return decoded is not None and decoded.action in actions

    rows = markup.inline_keyboard if markup is not None else ()
    kept = [left for row in rows if (left := [b for b in row if not dropped(b)])]
    return InlineKeyboardMarkup(kept) if kept else None


def _raise_unless_harmless(error: BadRequest) -> None:
    """Raise an edit's error again unless the user sees no difference."""
    if not any(harmless in error.message.lower() for harmless in _HARMLESS_EDIT_ERRORS):
        raise error


def offered(query: CallbackQuery) -> bool:
    """Tell whether the tapped button is still on its message (a settled one no longer is)."""
    message = query.message
    if not isinstance(message, Message):
        return True
    markup = message.reply_markup
    buttons = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == query.data for row in buttons for button in row)


async def settle(context: DebriefContext, query: CallbackQuery, line: str | None) -> None:
    """Update a tapped button's own message: add what was done, take the keyboard away."""
    message = query.message
    if not isinstance(message, Message):
        return
    body = message.text_html if line is None else f"{message.text_html}\n\n{line}"
    await edit(context, message.chat.id, message.message_id, render.Reply(body))
