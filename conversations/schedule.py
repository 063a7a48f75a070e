"""When follow-up reminders are due: pure functions of explicit moments, dates and zones.

Every moment taken is timezone-aware and every moment returned is an aware datetime in UTC.
Local wall times are built from the date and the zone (never by adding hours to a local time),
so 08:00 stays 08:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "QUIET_END",
    "QUIET_START",
    "add_business_days",
    "at_local",
    "deeper_due",
    "next_morning",
    "next_round_due",
    "no_news_due",
    "outside_quiet_hours",
    "snooze",
    "thank_you_due",
]

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)

_MORNING = time(9, 0)
_PAST_INTERVIEW = time(18, 0)
_EVE_OF_ROUND = time(18, 0)
# Half an hour before quiet hours: late enough to be "the evening", early enough to act on it.
_LAST_CALL = time(20, 30)
# Going deeper: "tonight" before the quiet hours; "later" the next day, after work.
_TONIGHT = time(20, 0)
_LATER = time(18, 0)
_LEAD = timedelta(minutes=30)


def _utc(moment: datetime) -> datetime:
    """Return an aware moment in UTC; a naive one is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _is_quiet(moment: datetime, tz: tzinfo) -> bool:
    """Tell whether a moment falls in the quiet hours [21:00, 08:00) local."""
    wall = _utc(moment).astimezone(tz).time()
    return wall >= QUIET_START or wall < QUIET_END


def at_local(day: date, wall: time, tz: tzinfo) -> datetime:
    """Return the UTC moment of a local wall time; in a DST gap, later; when repeated, the first."""
    # fold=0 gives exactly that with zoneinfo: a time in a spring-forward gap is read with the
    # offset from before the change (02:30 becomes 03:30), a repeated one is its first occurrence.
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def outside_quiet_hours(moment: datetime, tz: tzinfo) -> datetime:
    """Return the moment itself, or the next 08:00 local when it falls between 21:00 and 08:00."""
    local = _utc(moment).astimezone(tz)
    if local.time() >= QUIET_START:
        return at_local(local.date() + timedelta(days=1), QUIET_END, tz)
    if local.time() < QUIET_END:
        return at_local(local.date(), QUIET_END, tz)
    return local.astimezone(UTC)


def add_business_days(day: date, count: int) -> date:
    """Add Monday-to-Friday days (no holidays), like a spreadsheet's WORKDAY.

    From a weekend day, the next Monday is the first business day (Saturday + 2 is Tuesday);
    Saturday + 0 is that Monday, since nothing is due on a weekend.
    """
    if count < 0:
        raise ValueError(f"count must be positive or zero, got {count}")
    if day.weekday() >= 5:
        monday = day + timedelta(days=7 - day.weekday())
        if count == 0:
            return monday
        day, count = monday, count - 1
    weeks, rest = divmod(count, 5)
    day += timedelta(weeks=weeks)
    if day.weekday() + rest >= 5:
        rest += 2
    return day + timedelta(days=rest)


def thank_you_due(*, finished_at: datetime, interview_date: date | None, tz: tzinfo) -> datetime:
    """Return when to remind about the thank-you email: 3 hours on, within 24 hours, never at night.

    The interview happened at ``finished_at`` when its date is unknown or is the local date of
    ``finished_at``, else at 18:00 local on ``interview_date``; the email should leave within 24
    hours of it. The reminder is due 3 hours after the debrief, moved out of the quiet hours. If
    that is after the deadline, it is the latest moment outside quiet hours before the deadline
    (20:30 when the deadline falls at night) that is at least 30 minutes after the debrief; failing
    that, 30 minutes after the debrief if that is not at night; failing that, the 3-hour reminder
    anyway. When the deadline has already passed at the debrief, the 3-hour reminder is kept.
    """
    finished = _utc(finished_at)
    if interview_date is None or interview_date == finished.astimezone(tz).date():
        interview = finished
    else:
        interview = at_local(interview_date, _PAST_INTERVIEW, tz)
    deadline = interview + timedelta(hours=24)
    candidate = outside_quiet_hours(finished + timedelta(hours=3), tz)
    if deadline <= finished or candidate <= deadline:
        return candidate
    earliest = finished + timedelta(minutes=30)
    latest = _latest_awake(deadline, tz)
    if latest >= earliest:
        return latest
    if not _is_quiet(earliest, tz):
        return earliest
    return candidate


def _latest_awake(deadline: datetime, tz: tzinfo) -> datetime:
    """Return the deadline, or 20:30 local on the evening before it when it falls at night."""
    if not _is_quiet(deadline, tz):
        return deadline
    local = deadline.astimezone(tz)
    evening = local.date() if local.time() >= QUIET_START else local.date() - timedelta(days=1)
    return at_local(evening, _LAST_CALL, tz)


def next_morning(*, after: datetime, tz: tzinfo, days: int = 1, wall: time = _MORNING) -> datetime:
    """Return ``wall`` (09:00 by default) local, ``days`` days after the local date of ``after``."""
    local_day = _utc(after).astimezone(tz).date()
    return at_local(local_day + timedelta(days=days), wall, tz)


def no_news_due(
    *,
    interview_date: date | None,
    decision_date: date | None,
    finished_at: datetime,
    tz: tzinfo,
    attempt: int,
) -> datetime | None:
    """Return when to suggest a "no news yet" follow-up, or None once two have been suggested.

    Attempt 1 is at 09:00 local, 2 business days after the announced decision date, else 5
    business days after the interview (the local date of ``finished_at`` when unknown). Attempt 2
    is 7 days after attempt 1. The result may already be past when the decision date is old.
    """
    if attempt < 1:
        raise ValueError(f"attempts are counted from 1, got {attempt}")
    if attempt > 2:
        return None
    if decision_date is not None:
        day = add_business_days(decision_date, 2)
    else:
        interview = interview_date or _utc(finished_at).astimezone(tz).date()
        day = add_business_days(interview, 5)
    if attempt == 2:
        day += timedelta(days=7)
    return at_local(day, _MORNING, tz)


def next_round_due(*, round_date: date, now: datetime, tz: tzinfo) -> datetime:
    """Return when to remind about preparing the next round: 18:00 local the day before.

    When that is already past or less than an hour away, the reminder is due at once, moved out of
    quiet hours: 08:00 on the round day at the latest when it is asked for during the night before.
    """
    eve = at_local(round_date - timedelta(days=1), _EVE_OF_ROUND, tz)
    if eve - _utc(now) > timedelta(hours=1):
        return eve
    return outside_quiet_hours(now, tz)


def snooze(*, now: datetime, tz: tzinfo, hours: int = 0, days: int = 0) -> datetime:
    """Return ``now`` plus some days (same wall time) and hours (elapsed), out of quiet hours."""
    if hours < 0 or days < 0:
        raise ValueError(f"a snooze goes forward, got hours={hours}, days={days}")
    # Aware arithmetic in the local zone keeps the wall time across a DST change.
    local = _utc(now).astimezone(tz) + timedelta(days=days)
    return outside_quiet_hours(local.astimezone(UTC) + timedelta(hours=hours), tz)


def deeper_due(*, now: datetime, tz: tzinfo, tonight: bool) -> datetime:
    """Return when to offer the deeper part: tonight at 20:00 (else soon), or tomorrow at 18:00."""
    if not tonight:
        # After midnight, "tomorrow" is the day that is starting: 18:00 today, not in 41 hours.
        small_hours = _utc(now).astimezone(tz).time() < QUIET_END
        return next_morning(after=now, tz=tz, days=0 if small_hours else 1, wall=_LATER)
    evening = at_local(_utc(now).astimezone(tz).date(), _TONIGHT, tz)
    return outside_quiet_hours(evening if evening >= now + _LEAD else now + _LEAD, tz)
