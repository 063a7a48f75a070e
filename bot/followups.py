"""Handlers for life after the debrief: outcomes, reminders, their timing, the timezone."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import assert_never

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update, User

from bot import render
from bot.callbacks import Action, Button
from bot.context import DebriefContext
from bot.replies import (
    Tap,
    acting_on,
    drop,
    edit,
    offered,
    owned,
    retire,
    say,
    settle,
    unbutton,
    who,
)
from conversations.checklist import Key
from conversations.dates import parse_upcoming_date
from conversations.email import questions_left
from conversations.flow import PromptReply
from conversations.i18n import Language, catalog
from conversations.model import (
    Awaiting,
    Debrief,
    NewReminder,
    Outcome,
    ReminderKind,
    ReminderState,
    ReminderTimePrompt,
    RoundDatePrompt,
    Status,
    TimezonePrompt,
)
from conversations.reminders import (
    ReminderOp,
    after_debrief,
    cancelled_by,
    epoch,
    forgotten,
    next_round,
    rule,
)
from conversations.schedule import next_morning, outside_quiet_hours, snooze
from conversations.timezones import describe, parse_timezone
from conversations.when import parse_when

__all__ = [
    "change_status",
    "change_timezone",
    "list_reminders",
    "questions_when",
    "reminder_button",
    "reminder_time",
    "round_date",
    "round_date_unknown",
    "say_drafts",
    "set_awaiting",
    "set_outcome",
    "thank_you_sent",
    "timezone_command",
]

# A reminder can be acted on until it is done or cancelled.
OPEN_STATES = (ReminderState.PENDING, ReminderState.SENT)
# /reminders shows this many; more would flood the chat.
MAX_LISTED = 10


async def _callback(update: Update) -> tuple[CallbackQuery, Button | None]:
    """Return the callback query of an update and its decoded button."""
    query = update.callback_query
    assert query is not None
    return query, Button.decode(query.data)


async def _finished_tap(
    update: Update, context: DebriefContext, *, keys: Collection[str] | None = None
) -> Tap | None:
    """Answer a tap on a finished debrief's button; None when it names none (or no key of
    `keys`) or was settled already."""
    tap = await owned(update, context)
    if tap is None:
        return None
    if tap.debrief.status != Status.DONE or (keys is not None and tap.button.key not in keys):
        await tap.query.answer(render.text(tap.language, "debrief.not_found"))
        return None
    await tap.query.answer()
    return tap if offered(tap.query) else None


async def _apply_outcome(
    context: DebriefContext,
    user: User,
    debrief: Debrief,
    outcome: Outcome,
    language: Language,
) -> render.Reply:
    """Record how the application stands, adjust its reminders, and say what changed."""
    await context.debriefs.set_outcome(user_id=user.id, debrief_id=debrief.id, outcome=outcome)
    reminders = context.reminders
    owner = {"user_id": user.id, "debrief_id": debrief.id}
    now, tz = context.now(), await context.zone(user)
    if cancelled := cancelled_by(outcome):
        await reminders.cancel_kinds(**owner, kinds=sorted(cancelled))
    match outcome:
        case Outcome.WAITING:
            pending = await reminders.pending_for(user_id=user.id)
            if not any(r.kind is ReminderKind.NO_NEWS for r in pending):
                plan = after_debrief(debrief.answers, finished_at=now, tz=tz)
                no_news = [r for r in plan if r.kind is ReminderKind.NO_NEWS]
                await reminders.schedule(**owner, reminders=no_news)
            return render.Reply(render.text(language, "outcome.waiting"))
        case Outcome.NEXT_ROUND:
            await set_awaiting(context, user, RoundDatePrompt(debrief.id))
            return render.round_date_question(debrief.id, language)
        case Outcome.REJECTED:
            feedback = NewReminder(ReminderKind.FEEDBACK, epoch(outside_quiet_hours(now, tz)))
            await reminders.schedule(**owner, reminders=[feedback])
            return render.Reply(render.text(language, "outcome.rejected"))
        case Outcome.OFFER | Outcome.WITHDRAWN:
            return render.Reply(render.text(language, f"outcome.{outcome}"))
        case _:
            assert_never(outcome)


@acting_on(functools.partial(_finished_tap, keys=render.OUTCOMES))
async def set_outcome(context: DebriefContext, tap: Tap) -> None:
    """Record the application's status from a button."""
    user, chat, language, query, button, debrief = tap
    outcome = next(o for o in render.OUTCOMES if o == button.key)
    reply = await _apply_outcome(context, user, debrief, outcome, language)
    # The choice replaces the question it answers; a new message if that one is out of reach.
    if isinstance(query.message, Message):
        await edit(context, chat.id, query.message.message_id, reply)
    else:
        await say(context, chat, reply)


@acting_on(_finished_tap)
async def change_status(context: DebriefContext, tap: Tap) -> None:
    """Turn the end of a debrief's status line into the status choice, in place."""
    if isinstance(tap.query.message, Message):
        reply = render.outcome_choice(tap.debrief.id, tap.language)
        await edit(context, tap.chat.id, tap.query.message.message_id, reply)


async def _plan_round(
    context: DebriefContext, user: User, debrief: Debrief, day: date | None
) -> str:
    """Schedule the preparation brief for the next round; return when it will come."""
    language = await context.language(user)
    now, tz = context.now(), await context.zone(user)
    await context.debriefs.set_outcome(
        user_id=user.id,
        debrief_id=debrief.id,
        outcome=Outcome.NEXT_ROUND,
        next_round_date=day,
    )
    plan = next_round(round_date=day, now=now, tz=tz)
    await context.reminders.schedule(user_id=user.id, debrief_id=debrief.id, reminders=[plan])
    await set_awaiting(context, user, None)
    when = render.moment(
        datetime.fromtimestamp(plan.due_at, UTC), now=now, tz=tz, language=language
    )
    return render.text(language, "outcome.round_set", when=when)


@acting_on(_finished_tap)
async def round_date_unknown(context: DebriefContext, tap: Tap) -> None:
    """Prepare the next round now, its date being unknown (unless it was typed meanwhile)."""
    if (await context.profile(tap.user)).awaiting != RoundDatePrompt(tap.debrief.id):
        # The date was typed (or the question left): this button would undo the brief's date.
        await retire(context, tap.query)
        return
    await settle(context, tap.query, await _plan_round(context, tap.user, tap.debrief, None))


@acting_on(_finished_tap)
async def thank_you_sent(context: DebriefContext, tap: Tap) -> None:
    """Record that the thank-you email was sent: its reminder is dropped, its button settled."""
    if tap.debrief.thank_you_sent:
        # Another draft's Sent was tapped (or this one, twice in a row): this one can do nothing.
        await drop(context, tap.query, Action.THANKS_SENT)
        return
    user, _, language, query, _, debrief = tap
    line = await _thank_you_went_out(context, user, debrief, language, tapped=query.message)
    await settle(context, query, line)


async def say_drafts(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, *, joint: bool = False
) -> None:
    """Send a debrief's thank-you drafts, and remember those showing Sent (they go together)."""
    language, today = await context.language(user), await context.today(user)
    shown = []
    for reply in render.thank_you_for(
        debrief, language=language, sender=user.full_name, today=today, joint=joint
    ):
        message = await say(context, chat, reply)
        if reply.markup is not None:
            shown.append(message.message_id)
    if shown and not debrief.thank_you_sent:
        await context.debriefs.show_sent(
            user_id=user.id, debrief_id=debrief.id, message_ids=[*debrief.sent_buttons, *shown]
        )


async def _thank_you_went_out(
    context: DebriefContext,
    user: User,
    debrief: Debrief,
    language: Language,
    *,
    tapped: MaybeInaccessibleMessage | None = None,
) -> str:
    """Record the thank-you as sent, end the questions reminder if it asked them all, say so.

    The other drafts' buttons go (the tapped message is settled by the caller).
    """
    await context.debriefs.mark_thank_you_sent(user_id=user.id, debrief_id=debrief.id)
    for message_id in debrief.sent_buttons:
        if tapped is None or message_id != tapped.message_id:
            await unbutton(context, user.id, message_id)
    line = await _sent_line(context, user, language)
    today = await context.today(user)
    if forgotten(debrief.answers) and not questions_left(
        debrief.answers, language=language, sender=user.full_name, today=today
    ):
        pending = await context.reminders.pending_for(user_id=user.id)
        if any(r.kind == "questions" and r.debrief_id == debrief.id for r in pending):
            owner = {"user_id": user.id, "debrief_id": debrief.id}
            await context.reminders.cancel_kinds(**owner, kinds=[ReminderKind.QUESTIONS])
            line += "\n" + render.text(language, "reminders.questions_asked")
    return line


async def _sent_line(context: DebriefContext, user: User, language: Language) -> str:
    """Say that the email went out, and when: '✅ Envoyé · mardi 14:02'."""
    when = render.stamp(context.now(), tz=await context.zone(user), language=language)
    return render.text(language, "recorded.sent", when=when)


@acting_on(_finished_tap)
async def questions_when(context: DebriefContext, tap: Tap) -> None:
    """Move the forgotten-questions reminder: in two days, another time, or never."""
    user, _, language, query, button, debrief = tap
    owner = {"user_id": user.id, "debrief_id": debrief.id}
    if button.key == "never":
        await context.reminders.cancel_kinds(**owner, kinds=[ReminderKind.QUESTIONS])
        line = render.text(language, "reminders.questions_never")
    elif button.key == "2d":
        now, tz = context.now(), await context.zone(user)
        due = next_morning(after=now, tz=tz, days=2)
        await context.reminders.schedule(
            **owner, reminders=[NewReminder(ReminderKind.QUESTIONS, epoch(due))]
        )
        when = render.moment(due, now=now, tz=tz, language=language)
        line = render.text(language, "reminders.set_for", when=when)
    else:
        await set_awaiting(context, user, ReminderTimePrompt(debrief.id))
        line = render.text(language, "reminders.ask_when")
    await settle(context, query, line)


async def set_awaiting(context: DebriefContext, user: User, awaiting: Awaiting | None) -> None:
    """Remember what the user's next text answers besides the debrief (None: nothing)."""
    await context.users.set_awaiting(user_id=user.id, awaiting=awaiting)
    context.forget_profile()


async def round_date(
    context: DebriefContext, user: User, chat: Chat, debrief: Debrief, typed: str
) -> PromptReply:
    """Take a text as the date of the next round, or ask for it again."""
    day = parse_upcoming_date(typed, today=await context.today(user))
    if day is None:
        language = await context.language(user)
        await say(context, chat, render.round_date_question(debrief.id, language))
        return PromptReply.REFUSED
    await say(context, chat, await _plan_round(context, user, debrief, day))
    return PromptReply.ANSWERED


async def reminder_time(
    context: DebriefContext,
    user: User,
    chat: Chat,
    debrief: Debrief,
    typed: str,
    *,
    asked: bool,
    offer_id: int | None = None,
) -> PromptReply:
    """Take a text as when to recall the forgotten questions (asked for, or only offered).

    offer_id: the offer's message, which then says the new time and loses its buttons.
    """
    language = await context.language(user)
    now, tz = context.now(), await context.zone(user)
    moment = parse_when(typed, now=now.astimezone(tz))
    if moment is None:
        if not asked:
            # Only offered at the end of the debrief: other text is not a failed answer.
            await set_awaiting(context, user, None)
            return PromptReply.PASSED
        await say(context, chat, render.text(language, "reminders.when_unknown"))
        return PromptReply.REFUSED
    due = outside_quiet_hours(moment, tz)
    await context.reminders.schedule(
        user_id=user.id,
        debrief_id=debrief.id,
        reminders=[NewReminder(ReminderKind.QUESTIONS, epoch(due))],
    )
    await set_awaiting(context, user, None)
    when = render.moment(due, now=now, tz=tz, language=language)
    await say(context, chat, render.text(language, "reminders.set_for", when=when))
    if offer_id is not None:
        offer = render.questions_reminder(language=language, debrief_id=debrief.id, when=when)
        await edit(context, chat.id, offer_id, render.Reply(offer.text))
    return PromptReply.ANSWERED


async def reminder_button(update: Update, context: DebriefContext) -> None:
    """Act on a reminder: done, snooze, cancel, sent, later, skip, or news."""
    user, chat = who(update)
    language = await context.language(user)
    query, button = await _callback(update)
    found = None
    if button is not None and button.debrief_id is not None:
        found = await context.reminders.get(user_id=user.id, reminder_id=button.debrief_id)
    op = next((op for op in ReminderOp if button is not None and button.key == op), None)
    if op is None or found is None or found.state not in OPEN_STATES:
        await query.answer(render.text(language, "reminders.gone"))
        # Done another way (the draft's Sent, a status): its buttons can no longer act.
        await drop(context, query, Action.REMINDER)
        return
    if not offered(query):
        await query.answer()
        return
    now, tz = context.now(), await context.zone(user)
    owner = {"user_id": user.id, "reminder_id": found.id}
    match op:
        case ReminderOp.SNOOZE | ReminderOp.LATER:
            kind = rule(found.kind)
            due = snooze(now=now, tz=tz, hours=kind.snooze_hours, days=kind.snooze_days)
            await context.reminders.postpone(**owner, due_at=epoch(due))
            when = render.moment(due, now=now, tz=tz, language=language)
            line = render.text(language, "reminders.snoozed", when=when)
        case ReminderOp.SENT:
            debrief = await context.debriefs.get(user_id=user.id, debrief_id=found.debrief_id)
            if debrief is None:
                line = render.text(language, "reminders.gone")
            else:
                line = await _thank_you_went_out(context, user, debrief, language)
        case ReminderOp.NEWS:
            await context.reminders.close(**owner, state=ReminderState.DONE)
            await query.answer()
            await settle(context, query, None)
            preface = render.text(language, "reminders.news_prompt")
            choice = render.outcome_choice(found.debrief_id, language, preface=preface)
            await say(context, chat, choice)
            return
        case ReminderOp.DONE:
            await context.reminders.close(**owner, state=ReminderState.DONE)
            line = render.text(language, "reminders.closed")
        case ReminderOp.CANCEL | ReminderOp.SKIP:
            await context.reminders.close(**owner, state=ReminderState.CANCELLED)
            line = render.text(language, "reminders.cancelled")
        case _:
            assert_never(op)
    await query.answer(line)
    await settle(context, query, line)


async def list_reminders(update: Update, context: DebriefContext) -> None:
    """List the user's pending reminders, each with Done / Snooze / Cancel."""
    user, chat = who(update)
    language = await context.language(user)
    pending = await context.reminders.pending_for(user_id=user.id)
    if not pending:
        await say(context, chat, render.text(language, "reminders.none"))
        return
    now, tz = context.now(), await context.zone(user)
    await say(context, chat, render.text(language, "reminders.list_header"))
    companies: dict[int, str] = {}
    for reminder in pending[:MAX_LISTED]:
        if reminder.debrief_id not in companies:
            debrief = await context.debriefs.get(user_id=user.id, debrief_id=reminder.debrief_id)
            companies[reminder.debrief_id] = (
                debrief.answers.get(Key.COMPANY) if debrief else None
            ) or "?"
        label = render.text(
            language,
            "reminders.item",
            kind=catalog().text(language, f"reminders.kind_{reminder.kind}"),
            company=companies[reminder.debrief_id],
            when=render.moment(
                datetime.fromtimestamp(reminder.due_at, UTC), now=now, tz=tz, language=language
            ),
        )
        await say(context, chat, render.reminder_item(label, reminder.id, language=language))


async def change_timezone(
    context: DebriefContext, user: User, chat: Chat, typed: str
) -> PromptReply:
    """Set the user's timezone from a city or an offset, or explain what is accepted."""
    language = await context.language(user)
    name = parse_timezone(typed)
    if name is None:
        await say(context, chat, render.text(language, "timezone.unknown"))
        return PromptReply.REFUSED
    await context.users.set_timezone(user_id=user.id, timezone=name)
    await set_awaiting(context, user, None)
    await say(
        context, chat, render.text(language, "timezone.set", zone=describe(name, context.now()))
    )
    return PromptReply.ANSWERED


async def timezone_command(update: Update, context: DebriefContext) -> None:
    """Show or change the user's timezone: /timezone Paris, /timezone UTC+2."""
    user, chat = who(update)
    language = await context.language(user)
    if context.args:
        await change_timezone(context, user, chat, " ".join(context.args))
        return
    profile = await context.profile(user)
    current = profile.timezone or context.settings.default_timezone
    await set_awaiting(context, user, TimezonePrompt())
    await say(
        context,
        chat,
        render.text(language, "timezone.prompt", zone=describe(current, context.now())),
    )
