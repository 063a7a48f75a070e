"""The deeper part of a debrief: after the draft, now, tonight or later."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from bot import handlers, render
from bot.callbacks import Action, Button
from bot.context import DebriefContext
from bot.replies import drop, offered, settle, unbutton, who
from conversations.model import Debrief, NewReminder, Phase, ReminderKind, Status
from conversations.reminders import epoch
from conversations.schedule import deeper_due

__all__ = ["go_deeper"]


async def go_deeper(update: Update, context: DebriefContext) -> None:
    """Go deeper into a debrief whose car-park part is done: now, or remind tonight or later."""
    user, chat = who(update)
    language = await context.language(user)
    query = update.callback_query
    assert query is not None
    button = Button.decode(query.data)
    debrief = None
    if button is not None and button.debrief_id is not None:
        debrief = await context.debriefs.get(user_id=user.id, debrief_id=button.debrief_id)
    if (
        button is None
        or debrief is None
        or debrief.status is not Status.DONE
        or debrief.phase is not Phase.DEEPER
        or debrief.current_key is None
    ):
        await query.answer(render.text(language, "reminders.gone"))
        # It can no longer act: it goes (a history view keeps its other buttons).
        await drop(context, query, Action.DEEPER)
        return
    if button.key == "now":
        if await context.debriefs.open_for(user_id=user.id) is not None:
            await query.answer(render.text(language, "deeper.busy"), show_alert=True)
            return
        await query.answer()
        await context.debriefs.resume_deeper(user_id=user.id, debrief_id=debrief.id)
        await drop(context, query, Action.DEEPER)
        await _close_offer(context, query, debrief)
        left = sum(1 for key in context.checklist.deeper if key not in debrief.answers)
        started = render.text(language, "deeper.started", count=left)
        await handlers.continue_debrief(context, user, chat, debrief.id, preface=started)
        return
    await query.answer()
    if not offered(query):
        return
    now, tz = context.now(), await context.zone(user)
    due = deeper_due(now=now, tz=tz, tonight=button.key == "tonight")
    await context.reminders.schedule(
        user_id=user.id,
        debrief_id=debrief.id,
        reminders=[NewReminder(ReminderKind.DEEPER, epoch(due))],
    )
    when = render.moment(due, now=now, tz=tz, language=language)
    await settle(context, query, render.text(language, "deeper.set_for", when=when))
    await _close_offer(context, query, debrief)


async def _close_offer(context: DebriefContext, query: CallbackQuery, debrief: Debrief) -> None:
    """Take the buttons off the offer still on screen, if another button was tapped instead."""
    offer = debrief.offer_message_id
    if offer is None:
        return
    message = query.message
    if not isinstance(message, Message) or message.message_id != offer:
        await unbutton(context, debrief.user_id, offer)
    await context.debriefs.forget_offer(
        user_id=debrief.user_id, debrief_id=debrief.id, message_id=offer
    )
