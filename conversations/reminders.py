"""Which follow-up reminders a debrief gets, and when: pure planning over its answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import assert_never

from conversations.checklist import Key
from conversations.dates import find_decision_date
from conversations.email import forgotten_questions
from conversations.model import NewReminder, Outcome, ReminderKind
from conversations.schedule import (
    next_morning,
    next_round_due,
    no_news_due,
    outside_quiet_hours,
    thank_you_due,
)

__all__ = [
    "LIST_BUTTONS",
    "ROUND_LINKED_CANCELS",
    "ReminderOp",
    "ReminderRule",
    "after_debrief",
    "cancelled_by",
    "epoch",
    "forgotten",
    "next_no_news",
    "next_round",
    "parse_day",
    "rule",
]

# After a late delivery, the second "no news" nudge still waits at least this long.
_MIN_GAP = timedelta(days=1)


def epoch(moment: datetime) -> int:
    """Return a moment as whole Unix seconds (how reminders store time)."""
    return int(moment.timestamp())


def parse_day(value: str | None) -> date | None:
    """Read a stored ISO date, if any."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def forgotten(answers: Mapping[str, str]) -> bool:
    """Tell whether the debrief lists questions the user forgot to ask."""
    return bool(forgotten_questions(answers.get(Key.FORGOTTEN_QUESTIONS), language="en"))


def _no_news(
    answers: Mapping[str, str], *, finished_at: datetime, tz: tzinfo, attempt: int
) -> datetime | None:
    """Return when attempt `attempt` of the "no news" follow-up is due, or None after the last."""
    today = finished_at.astimezone(tz).date()
    return no_news_due(
        interview_date=parse_day(answers.get(Key.INTERVIEW_DATE)),
        decision_date=find_decision_date(answers.get(Key.NEXT_STEPS) or "", today=today),
        finished_at=finished_at,
        tz=tz,
        attempt=attempt,
    )


def after_debrief(
    answers: Mapping[str, str], *, finished_at: datetime, tz: tzinfo
) -> list[NewReminder]:
    """Plan the reminders of a debrief just finished: thank-you, forgotten questions, no news."""
    plan = [
        NewReminder(
            ReminderKind.THANK_YOU,
            epoch(
                thank_you_due(
                    finished_at=finished_at,
                    interview_date=parse_day(answers.get(Key.INTERVIEW_DATE)),
                    tz=tz,
                )
            ),
        )
    ]
    if forgotten(answers):
        plan.append(
            NewReminder(ReminderKind.QUESTIONS, epoch(next_morning(after=finished_at, tz=tz)))
        )
    no_news = _no_news(answers, finished_at=finished_at, tz=tz, attempt=1)
    if no_news is not None:
        due = outside_quiet_hours(max(no_news, finished_at), tz)
        plan.append(NewReminder(ReminderKind.NO_NEWS, epoch(due)))
    return plan


def next_no_news(
    answers: Mapping[str, str], *, finished_at: datetime, now: datetime, tz: tzinfo, attempt: int
) -> NewReminder | None:
    """Plan the "no news" follow-up after attempt `attempt` was delivered (None: stop)."""
    due = _no_news(answers, finished_at=finished_at, tz=tz, attempt=attempt + 1)
    if due is None:
        return None
    return NewReminder(
        ReminderKind.NO_NEWS, epoch(outside_quiet_hours(max(due, now + _MIN_GAP), tz)), attempt + 1
    )


def next_round(*, round_date: date | None, now: datetime, tz: tzinfo) -> NewReminder:
    """Plan the preparation brief: the day before the round, or at once (date near or unknown)."""
    due = outside_quiet_hours(now, tz)
    if round_date is not None:
        due = next_round_due(round_date=round_date, now=now, tz=tz)
    return NewReminder(ReminderKind.NEXT_ROUND, epoch(due))


class ReminderOp(StrEnum):
    """What a button under a reminder does."""

    DONE = "done"
    SNOOZE = "snooze"
    CANCEL = "cancel"
    SENT = "sent"  # the thank-you email went out
    LATER = "later"  # a snooze, worded for a task not done yet
    SKIP = "skip"  # a cancel, worded for the thank-you
    NEWS = "news"  # the application moved: ask how it stands


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """How one kind of reminder behaves once delivered."""

    intro: str  # the locale key of its message
    buttons: tuple[ReminderOp, ...]
    snooze_hours: int = 0  # elapsed hours
    snooze_days: int = 0  # days, same wall time


# Under a reminder listed by /reminders, whatever its kind.
LIST_BUTTONS = (ReminderOp.DONE, ReminderOp.SNOOZE, ReminderOp.CANCEL)


def rule(kind: ReminderKind) -> ReminderRule:
    """Return how a kind of reminder behaves (mypy checks that every kind has a rule)."""
    buttons: tuple[ReminderOp, ...]
    match kind:
        case ReminderKind.THANK_YOU:
            buttons = (ReminderOp.SENT, ReminderOp.LATER, ReminderOp.SKIP)
            return ReminderRule("reminders.thank_you", buttons, snooze_hours=3)
        case ReminderKind.QUESTIONS:
            return ReminderRule("reminders.questions", LIST_BUTTONS, snooze_days=1)
        case ReminderKind.NO_NEWS:
            buttons = (ReminderOp.NEWS, ReminderOp.SNOOZE)
            return ReminderRule("reminders.no_news", buttons, snooze_days=2)
        case ReminderKind.FEEDBACK:
            buttons = (ReminderOp.DONE, ReminderOp.LATER)
            return ReminderRule("reminders.feedback", buttons, snooze_days=1)
        case ReminderKind.NEXT_ROUND:
            return ReminderRule("reminders.next_round", (ReminderOp.DONE,), snooze_days=1)
        case ReminderKind.DEEPER:
            return ReminderRule("deeper.reminder", LIST_BUTTONS, snooze_days=1)
        case _:
            assert_never(kind)


# News of any kind makes the "no news" follow-up pointless; a linked next round too.
ROUND_LINKED_CANCELS = frozenset(
    {ReminderKind.NO_NEWS, ReminderKind.FEEDBACK, ReminderKind.NEXT_ROUND}
)


def cancelled_by(outcome: Outcome) -> frozenset[ReminderKind]:
    """Return the kinds of pending reminder an outcome makes pointless."""
    match outcome:
        case Outcome.WAITING:
            return frozenset()
        case Outcome.NEXT_ROUND:
            return frozenset({ReminderKind.NO_NEWS, ReminderKind.FEEDBACK})
        case Outcome.REJECTED:
            return frozenset({ReminderKind.NO_NEWS, ReminderKind.NEXT_ROUND})
        case Outcome.OFFER:
            return ROUND_LINKED_CANCELS | {ReminderKind.QUESTIONS}
        case Outcome.WITHDRAWN:
            return ROUND_LINKED_CANCELS | {ReminderKind.QUESTIONS, ReminderKind.THANK_YOU}
        case _:
            assert_never(outcome)
