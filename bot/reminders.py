"""Delivering due reminders: one repeating job reads them from SQLite and sends them."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, tzinfo
from typing import assert_never

from telegram.error import BadRequest, Forbidden, TelegramError

from bot import render
from bot.context import DebriefContext, language_of
from bot.insights import prepared
from bot.replies import unbutton
from conversations.checklist import Key
from conversations.email import EmailDraft, build_thank_you, questions_asked
from conversations.followup import (
    build_feedback_email,
    build_follow_up_email,
    build_preparation_brief,
    build_questions_email,
)
from conversations.i18n import Language
from conversations.model import Debrief, NewReminder, Reminder, ReminderKind, ReminderState, Status
from conversations.reminders import epoch, next_no_news, rule
from conversations.schedule import outside_quiet_hours

__all__ = ["DELIVERY_WORKERS", "deliver_due"]

logger = logging.getLogger(__name__)

# Few sends in flight at once: a user who is debriefing waits behind at most this many
# reminders in the rate limiter's queue, while the reminders still use the whole pace.
DELIVERY_WORKERS = 4
BATCH = 200


async def _send(
    context: DebriefContext,
    reminder: Reminder,
    debrief: Debrief,
    *,
    language: Language,
    sender: str,
    now: datetime,
    tz: tzinfo,
) -> bool:
    """Send one reminder's message(s); False when there is nothing left to remind of."""
    answers = debrief.answers
    company = answers.get(Key.COMPANY) or "?"
    today = now.astimezone(tz).date()
    chat = reminder.user_id
    kind = reminder.kind
    intro_key = rule(kind).intro
    drafts: list[EmailDraft] = []
    match kind:
        case ReminderKind.THANK_YOU:
            drafts = build_thank_you(answers, language=language, sender=sender, today=today)
            intro = render.text(language, intro_key, company=company)
        case ReminderKind.QUESTIONS:
            asked = (
                questions_asked(answers, language=language, sender=sender, today=today)
                if debrief.thank_you_sent
                else ()
            )
            questions = build_questions_email(
                answers, language=language, sender=sender, asked=asked
            )
            if questions is None:
                return False
            drafts = [questions]
            listed = "\n".join(f"• {q}" for q in questions.asks)
            intro = render.text(language, intro_key, company=company, questions=listed)
        case ReminderKind.NO_NEWS:
            drafts = [
                build_follow_up_email(
                    answers,
                    language=language,
                    sender=sender,
                    attempt=reminder.attempt,
                    today=today,
                )
            ]
            again = reminder.attempt > 1
            intro = render.text(
                language, "reminders.no_news_again" if again else intro_key, company=company
            )
        case ReminderKind.FEEDBACK:
            drafts = [build_feedback_email(answers, language=language, sender=sender)]
            intro = render.text(language, intro_key, company=company)
        case ReminderKind.NEXT_ROUND:
            intro = render.text(language, intro_key, company=company)
            rounds = await context.bot_data.debriefs.rounds(
                user_id=reminder.user_id, debrief_id=reminder.debrief_id
            )
            notes = [r.answers for r in rounds] or [answers]
            brief = await prepared(
                context,
                build_preparation_brief(
                    notes,
                    language=language,
                    round_date=debrief.next_round_date,
                    today=today,
                ),
                reminder.user_id,
                language,
                today,
            )
            for part in render.summary(brief):
                await context.bot.send_message(chat, part)
        case ReminderKind.DEEPER:
            left = sum(1 for key in context.bot_data.checklist.deeper if key not in answers)
            if debrief.status != Status.DONE or debrief.current_key is None or not left:
                return False  # gone deeper meanwhile, or nothing left to ask
            intro = render.text(language, intro_key, company=company, count=left)
            offer = render.deeper_offer(debrief.id, left, language=language, intro=intro)
            sent = await context.bot.send_message(chat, offer.text, reply_markup=offer.markup)
            before = await context.bot_data.debriefs.offer_deeper(
                user_id=debrief.user_id, debrief_id=debrief.id, message_id=sent.message_id
            )
            if before is not None:
                await unbutton(context, chat, before)  # one offer on screen at a time
            return True
        case _:
            assert_never(kind)
    for reply in render.reminder(kind, reminder.id, language=language, intro=intro, drafts=drafts):
        await context.bot.send_message(chat, reply.text, reply_markup=reply.markup)
    return True


class _Blocked(Exception):
    """The user blocked the bot (or the chat is gone): stop sending to them."""


async def _deliver(context: DebriefContext, reminder: Reminder, now: datetime) -> None:
    """Deliver one reminder (or put it off till morning), then record it."""
    data = context.bot_data
    profile = await data.users.profile(user_id=reminder.user_id)
    tz = data.timezone_of(profile)
    debrief = await data.debriefs.get(user_id=reminder.user_id, debrief_id=reminder.debrief_id)
    if debrief is None:
        await data.reminders.close(
            user_id=reminder.user_id, reminder_id=reminder.id, state=ReminderState.CANCELLED
        )
        return
    morning = outside_quiet_hours(now, tz)
    if morning > now:
        # Fell due while the bot was down, or overnight: it waits for the user's morning.
        await data.reminders.postpone(
            user_id=reminder.user_id, reminder_id=reminder.id, due_at=epoch(morning)
        )
        return
    language = language_of(profile)
    sender = (profile.name if profile else None) or ""
    try:
        sent = await _send(
            context, reminder, debrief, language=language, sender=sender, now=now, tz=tz
        )
    except Forbidden as error:
        raise _Blocked from error
    except BadRequest as error:
        if "chat not found" in str(error).lower():
            raise _Blocked from error
        raise
    if not sent:
        # The thank-you that went out already asked every question this reminder would ask.
        await data.reminders.close(
            user_id=reminder.user_id, reminder_id=reminder.id, state=ReminderState.DONE
        )
        return
    follow_up: NewReminder | None = None
    if reminder.kind is ReminderKind.NO_NEWS:
        follow_up = next_no_news(
            debrief.answers,
            finished_at=debrief.finished_at or now,
            now=now,
            tz=tz,
            attempt=reminder.attempt,
        )
    await data.reminders.mark_sent(reminder=reminder, sent_at=epoch(now), follow_up=follow_up)


async def _deliver_to_user(
    context: DebriefContext, reminders: list[Reminder], now: datetime, stop_at: float
) -> None:
    """Deliver one user's due reminders in order; stop if they blocked the bot or time is up."""
    repository = context.bot_data.reminders
    for reminder in reminders:
        if time.monotonic() >= stop_at:
            return  # the rest stay pending for the next run
        try:
            await _deliver(context, reminder, now)
        except _Blocked:
            cancelled = await repository.cancel_all(user_id=reminder.user_id)
            logger.warning(
                "User %s blocked the bot or is gone: %d pending reminders cancelled",
                reminder.user_id,
                cancelled,
            )
            return
        except BadRequest as error:
            # Telegram refuses this message and would refuse it again: sending it every minute
            # forever helps nobody. The user's other reminders still go out.
            await repository.close(
                user_id=reminder.user_id, reminder_id=reminder.id, state=ReminderState.CANCELLED
            )
            logger.warning("Reminder %s refused by Telegram, cancelled: %s", reminder.id, error)
        except (TelegramError, OSError):
            # A network hiccup or a refusal we do not understand: try again in a minute,
            # rather than in a tight loop.
            logger.warning("Reminder %s not delivered; retrying later", reminder.id, exc_info=True)
            await repository.postpone(
                user_id=reminder.user_id, reminder_id=reminder.id, due_at=epoch(now) + 60
            )


async def _worker(
    context: DebriefContext, queue: asyncio.Queue[list[Reminder]], now: datetime, stop_at: float
) -> None:
    """Deliver users' reminders from the queue until it is empty or the run's time is up."""
    while not queue.empty() and time.monotonic() < stop_at:
        await _deliver_to_user(context, queue.get_nowait(), now, stop_at)


async def deliver_due(context: DebriefContext) -> None:
    """Send the due reminders until none is left or this run's time is up."""
    data = context.bot_data
    interval = data.settings.reminder_interval
    # The run ends before the next one is due: a run still going at that moment would make the
    # scheduler skip the next one, and the queue would then stand still for a whole interval.
    stop_at = time.monotonic() + max(interval - 1.0, interval * 0.9)
    while time.monotonic() < stop_at:
        now = data.clock().astimezone(UTC)
        due = await data.reminders.due(now=epoch(now), limit=BATCH)
        if not due:
            return
        by_user: dict[int, list[Reminder]] = {}
        for reminder in due:
            by_user.setdefault(reminder.user_id, []).append(reminder)
        queue: asyncio.Queue[list[Reminder]] = asyncio.Queue()
        for reminders in by_user.values():
            queue.put_nowait(reminders)
        workers = (_worker(context, queue, now, stop_at) for _ in range(DELIVERY_WORKERS))
        await asyncio.gather(*workers)
