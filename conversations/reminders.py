"""Which follow-up reminders a debrief gets, and when: pure planning over its answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo

from conversations.dates import find_decision_date
from conversations.email import forgotten_questions
from conversations.model import NewReminder
from conversations.schedule import (
    next_morning,
    next_round_due,
    no_news_due,
    outside_quiet_hours,
    thank_you_due,
)

__all__ = ["after_debrief", "epoch", "forgotten", "next_no_news", "next_round", "parse_day"]

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
    return bool(forgotten_questions(answers.get("forgotten_questions"), language="en"))


def _no_news(
    answers: Mapping[str, str], *, finished_at: datetime, tz: tzinfo, attempt: int
) -> datetime | None:
    """Return when attempt `attempt` of the "no news" follow-up is due, or None after the last."""
    today = finished_at.astimezone(tz).date()
    return no_news_due(
        interview_date=parse_day(answers.get("interview_date")),
        decision_date=find_decision_date(answers.get("next_steps") or "", today=today),
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
            "thank_you",
            epoch(
                thank_you_due(
                    finished_at=finished_at,
                    interview_date=parse_day(answers.get("interview_date")),
                    tz=tz,
                )
            ),
        )
    ]
    if forgotten(answers):
        plan.append(NewReminder("questions", epoch(next_morning(after=finished_at, tz=tz))))
    no_news = _no_news(answers, finished_at=finished_at, tz=tz, attempt=1)
    if no_news is not None:
        due = outside_quiet_hours(max(no_news, finished_at), tz)
        plan.append(NewReminder("no_news", epoch(due)))
    return plan


def next_no_news(
    answers: Mapping[str, str], *, finished_at: datetime, now: datetime, tz: tzinfo, attempt: int
) -> NewReminder | None:
    """Plan the "no news" follow-up after attempt `attempt` was delivered (None: stop)."""
    due = _no_news(answers, finished_at=finished_at, tz=tz, attempt=attempt + 1)
    if due is None:
        return None
    return NewReminder(
        "no_news", epoch(outside_quiet_hours(max(due, now + _MIN_GAP), tz)), attempt + 1
    )


def next_round(*, round_date: date | None, now: datetime, tz: tzinfo) -> NewReminder:
    """Plan the preparation brief: the day before the round, or at once (date near or unknown)."""
    due = outside_quiet_hours(now, tz)
    if round_date is not None:
        due = next_round_due(round_date=round_date, now=now, tz=tz)
    return NewReminder("next_round", epoch(due))
