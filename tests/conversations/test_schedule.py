"""When follow-up reminders are due: quiet hours, business days, the 24-hour rule, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conversations.schedule import (
    QUIET_END,
    QUIET_START,
    add_business_days,
    at_local,
    deeper_due,
    next_morning,
    next_round_due,
    no_news_due,
    outside_quiet_hours,
    snooze,
    thank_you_due,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
# Thursday 26 November 2026; Europe/Paris is at UTC+01:00.
THURSDAY = date(2026, 11, 26)
WEDNESDAY = date(2026, 11, 25)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a wall time in Paris as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def wall(moment: datetime, tz: ZoneInfo = PARIS) -> tuple[date, time]:
    """Return the local date and wall time of a moment."""
    local = moment.astimezone(tz)
    return local.date(), local.time()


def test_the_fixed_days_are_a_thursday_and_a_wednesday() -> None:
    assert (THURSDAY.weekday(), WEDNESDAY.weekday()) == (3, 2)


def test_quiet_hours_run_from_21_00_to_08_00() -> None:
    assert (time(21, 0), time(8, 0)) == (QUIET_START, QUIET_END)


# outside_quiet_hours


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (20, 59, (THURSDAY, time(20, 59))),
        (21, 0, (date(2026, 11, 27), time(8, 0))),
        (23, 30, (date(2026, 11, 27), time(8, 0))),
        (0, 0, (THURSDAY, time(8, 0))),
        (7, 59, (THURSDAY, time(8, 0))),
        (8, 0, (THURSDAY, time(8, 0))),
        (12, 0, (THURSDAY, time(12, 0))),
    ],
)
def test_a_moment_in_quiet_hours_moves_to_the_next_8_00_local(
    hour: int, minute: int, expected: tuple[date, time]
) -> None:
    assert wall(outside_quiet_hours(paris(THURSDAY, hour, minute), PARIS)) == expected


def test_a_moment_outside_quiet_hours_is_returned_unchanged_in_utc() -> None:
    moment = paris(THURSDAY, 15, 12)
    result = outside_quiet_hours(moment, PARIS)
    assert result == moment
    assert result.tzinfo is UTC


def test_quiet_hours_are_read_in_the_users_zone_not_in_the_moments() -> None:
    # 22:00 in Paris is 16:00 in New York: not quiet there.
    moment = paris(THURSDAY, 22)
    assert outside_quiet_hours(moment, NEW_YORK) == moment


@pytest.mark.parametrize(
    ("evening", "tz", "utc_morning"),
    [
        # Paris springs forward in the night of 28 to 29 March 2026: 08:00 is UTC+02:00.
        (
            datetime(2026, 3, 28, 22, 0, tzinfo=PARIS),
            PARIS,
            datetime(2026, 3, 29, 6, 0, tzinfo=UTC),
        ),
        # Paris falls back in the night of 24 to 25 October 2026: 08:00 is UTC+01:00 again.
        (
            datetime(2026, 10, 24, 22, 0, tzinfo=PARIS),
            PARIS,
            datetime(2026, 10, 25, 7, 0, tzinfo=UTC),
        ),
        # New York springs forward on 8 March and falls back on 1 November 2026.
        (
            datetime(2026, 3, 7, 23, 0, tzinfo=NEW_YORK),
            NEW_YORK,
            datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK),
            NEW_YORK,
            datetime(2026, 11, 1, 13, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_morning_after_a_dst_change_is_8_00_local_on_the_new_offset(
    evening: datetime, tz: ZoneInfo, utc_morning: datetime
) -> None:
    result = outside_quiet_hours(evening, tz)
    assert result == utc_morning
    assert result.astimezone(tz).time() == time(8, 0)


def test_8_00_local_is_8_00_local_on_both_sides_of_a_dst_change() -> None:
    before = outside_quiet_hours(datetime(2026, 3, 28, 7, 0, tzinfo=PARIS), PARIS)
    after = outside_quiet_hours(datetime(2026, 3, 30, 7, 0, tzinfo=PARIS), PARIS)
    assert wall(before) == (date(2026, 3, 28), time(8, 0))
    assert wall(after) == (date(2026, 3, 30), time(8, 0))
    assert after - before == timedelta(hours=47)


def test_the_repeated_hour_of_a_fall_back_night_moves_to_that_mornings_8_00() -> None:
    second_0230 = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)
    assert outside_quiet_hours(second_0230, PARIS) == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)


def test_quiet_hours_work_with_a_fixed_offset() -> None:
    minus_five = timezone(timedelta(hours=-5))
    late = datetime(2026, 11, 26, 22, 0, tzinfo=minus_five)
    assert outside_quiet_hours(late, minus_five) == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        outside_quiet_hours(datetime(2026, 11, 26, 22, 0), PARIS)  # noqa: DTZ001


# at_local


def test_a_local_wall_time_becomes_its_utc_moment() -> None:
    result = at_local(THURSDAY, time(9, 0), PARIS)
    assert result == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        (date(2026, 3, 29), PARIS, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (date(2026, 3, 8), NEW_YORK, datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
    ],
)
def test_a_wall_time_in_a_spring_forward_gap_moves_forward_by_the_gap(
    day: date, tz: ZoneInfo, expected: datetime
) -> None:
    result = at_local(day, time(2, 30), tz)
    assert result == expected
    assert result.astimezone(tz).time() == time(3, 30)


@pytest.mark.parametrize(
    ("day", "clock", "tz", "expected"),
    [
        (date(2026, 10, 25), time(2, 30), PARIS, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (date(2026, 11, 1), time(1, 30), NEW_YORK, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_a_repeated_wall_time_of_a_fall_back_night_is_its_first_occurrence(
    day: date, clock: time, tz: ZoneInfo, expected: datetime
) -> None:
    assert at_local(day, clock, tz) == expected
    assert at_local(day, clock.replace(fold=1), tz) == expected


# add_business_days


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 26), 2, date(2026, 11, 30)),  # Thursday + 2 → Monday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 27), 0, date(2026, 11, 27)),  # Friday + 0 → Friday
        (date(2026, 11, 23), 4, date(2026, 11, 27)),  # Monday + 4 → Friday
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday + 5 → next Monday
        (date(2026, 11, 26), 5, date(2026, 12, 3)),  # Thursday + 5 → next Thursday
        (date(2026, 11, 25), 10, date(2026, 12, 9)),  # Wednesday + 10 → Wednesday in 2 weeks
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # Saturday + 0 → Monday
        (date(2026, 11, 29), 1, date(2026, 11, 30)),  # Sunday + 1 → Monday
        (date(2026, 12, 5), 2, date(2026, 12, 8)),  # Saturday + 2 → Tuesday
        (date(2026, 11, 28), 5, date(2026, 12, 4)),  # Saturday + 5 → Friday
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # across a year, no holidays
    ],
)
def test_business_days_skip_weekends(start: date, count: int, expected: date) -> None:
    assert add_business_days(start, count) == expected


def _count_one_by_one(start: date, count: int) -> date:
    """Step one day at a time, counting weekdays; a weekend start with 0 rolls to Monday."""
    day = start
    if count == 0:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def test_business_days_agree_with_counting_one_day_at_a_time() -> None:
    for offset in range(14):
        start = date(2026, 11, 23) + timedelta(days=offset)
        for count in range(16):
            assert add_business_days(start, count) == _count_one_by_one(start, count)


def test_a_negative_business_day_count_is_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        add_business_days(THURSDAY, -1)


# thank_you_due


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (10, 0, (THURSDAY, time(13, 0))),
        (17, 59, (THURSDAY, time(20, 59))),
        (18, 0, (date(2026, 11, 27), time(8, 0))),
        (23, 0, (date(2026, 11, 27), time(8, 0))),
        (2, 0, (THURSDAY, time(8, 0))),
    ],
)
def test_the_thank_you_reminder_comes_3_hours_after_a_same_day_debrief_but_never_at_night(
    hour: int, minute: int, expected: tuple[date, time]
) -> None:
    finished = paris(THURSDAY, hour, minute)
    result = thank_you_due(finished_at=finished, interview_date=THURSDAY, tz=PARIS)
    assert wall(result) == expected
    assert result.tzinfo is UTC


def test_an_evening_debrief_of_the_same_day_is_reminded_the_next_morning_within_24_hours() -> None:
    # 22:30 is quiet; 08:00 the next day is still within 24 hours of the interview, so the rule
    # keeps the morning rather than 20:30 the same evening.
    finished = paris(THURSDAY, 19, 30)
    result = thank_you_due(finished_at=finished, interview_date=None, tz=PARIS)
    assert wall(result) == (date(2026, 11, 27), time(8, 0))
    assert result - finished < timedelta(hours=24)


def test_an_unknown_interview_date_counts_as_the_day_of_the_debrief() -> None:
    finished = paris(THURSDAY, 10)
    assert thank_you_due(finished_at=finished, interview_date=None, tz=PARIS) == thank_you_due(
        finished_at=finished, interview_date=THURSDAY, tz=PARIS
    )


def test_the_day_of_the_debrief_is_its_local_date() -> None:
    # 00:30 on Friday in Paris is still Thursday in UTC: the interview is Friday's, not yesterday's.
    finished = paris(date(2026, 11, 27), 0, 30)
    result = thank_you_due(finished_at=finished, interview_date=date(2026, 11, 27), tz=PARIS)
    assert wall(result) == (date(2026, 11, 27), time(8, 0))


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        # Yesterday's interview counts from 18:00: the email is due by 18:00 today.
        (10, 0, (THURSDAY, time(13, 0))),
        (15, 0, (THURSDAY, time(18, 0))),
        # 3 hours later is past the deadline: the latest moment before it.
        (16, 0, (THURSDAY, time(18, 0))),
        # The deadline is less than 30 minutes away: 30 minutes after the debrief.
        (17, 45, (THURSDAY, time(18, 15))),
        # The deadline has passed: the usual 3 hours, out of quiet hours.
        (19, 0, (date(2026, 11, 27), time(8, 0))),
        (12, 0, (THURSDAY, time(15, 0))),
    ],
)
def test_the_thank_you_reminder_for_yesterdays_interview_aims_before_18_00_today(
    hour: int, minute: int, expected: tuple[date, time]
) -> None:
    finished = paris(THURSDAY, hour, minute)
    result = thank_you_due(finished_at=finished, interview_date=WEDNESDAY, tz=PARIS)
    assert wall(result) == expected


def test_an_old_interview_keeps_the_usual_3_hours() -> None:
    finished = paris(THURSDAY, 11)
    result = thank_you_due(finished_at=finished, interview_date=date(2026, 11, 20), tz=PARIS)
    assert wall(result) == (THURSDAY, time(14, 0))


def test_the_24_hours_are_real_hours_across_a_spring_forward() -> None:
    # Saturday 28 March 2026 at 18:00 CET + 24 h is Sunday 29 March at 19:00 CEST.
    saturday = date(2026, 3, 28)
    sunday = date(2026, 3, 29)
    early = thank_you_due(finished_at=paris(sunday, 15, 30), interview_date=saturday, tz=PARIS)
    late = thank_you_due(finished_at=paris(sunday, 16, 30), interview_date=saturday, tz=PARIS)
    assert wall(early) == (sunday, time(18, 30))
    assert wall(late) == (sunday, time(19, 0))


def test_the_24_hours_are_real_hours_across_a_fall_back() -> None:
    # Saturday 24 October 2026 at 18:00 CEST + 24 h is Sunday 25 October at 17:00 CET.
    result = thank_you_due(
        finished_at=paris(date(2026, 10, 25), 15, 30), interview_date=date(2026, 10, 24), tz=PARIS
    )
    assert wall(result) == (date(2026, 10, 25), time(17, 0))


CASEY = ZoneInfo("Antarctica/Casey")


def casey(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a wall time at Casey station in October 2009."""
    return datetime(2009, 10, day, hour, minute, tzinfo=CASEY)


def test_a_deadline_pushed_into_the_night_is_reminded_at_20_30_the_same_evening() -> None:
    # Casey station jumped from UTC+08:00 to UTC+11:00 on 18 October 2009: 24 hours after
    # 17 October at 18:00 is 21:00, in the quiet hours.
    result = thank_you_due(finished_at=casey(18, 19), interview_date=date(2009, 10, 17), tz=CASEY)
    assert wall(result, CASEY) == (date(2009, 10, 18), time(20, 30))


def test_too_late_for_20_30_a_reminder_comes_30_minutes_after_the_debrief() -> None:
    result = thank_you_due(
        finished_at=casey(18, 20, 10), interview_date=date(2009, 10, 17), tz=CASEY
    )
    assert wall(result, CASEY) == (date(2009, 10, 18), time(20, 40))


def test_when_30_minutes_later_is_already_night_the_reminder_waits_for_the_morning() -> None:
    result = thank_you_due(
        finished_at=casey(18, 20, 45), interview_date=date(2009, 10, 17), tz=CASEY
    )
    assert wall(result, CASEY) == (date(2009, 10, 19), time(8, 0))


# next_morning


def test_forgotten_questions_are_reminded_tomorrow_at_9_00_by_default() -> None:
    result = next_morning(after=paris(THURSDAY, 15), tz=PARIS)
    assert wall(result) == (date(2026, 11, 27), time(9, 0))
    assert result.tzinfo is UTC


def test_the_next_morning_can_be_in_two_days_or_at_another_time() -> None:
    after = paris(THURSDAY, 15)
    assert wall(next_morning(after=after, tz=PARIS, days=2)) == (date(2026, 11, 28), time(9, 0))
    assert wall(next_morning(after=after, tz=PARIS, wall=time(10, 30))) == (
        date(2026, 11, 27),
        time(10, 30),
    )


def test_the_next_morning_counts_from_the_local_date() -> None:
    # 00:30 on Friday in Paris is Thursday 23:30 in UTC.
    after = paris(date(2026, 11, 27), 0, 30)
    assert wall(next_morning(after=after, tz=PARIS)) == (date(2026, 11, 28), time(9, 0))


@pytest.mark.parametrize(
    ("evening", "utc_morning"),
    [
        (datetime(2026, 3, 28, 20, 0, tzinfo=PARIS), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (datetime(2026, 10, 24, 20, 0, tzinfo=PARIS), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_next_morning_is_9_00_local_after_a_dst_change(
    evening: datetime, utc_morning: datetime
) -> None:
    assert next_morning(after=evening, tz=PARIS) == utc_morning


# no_news_due


def test_no_news_is_followed_up_2_business_days_after_the_decision_date() -> None:
    friday = date(2026, 12, 4)
    first = no_news_due(
        interview_date=THURSDAY,
        decision_date=friday,
        finished_at=paris(THURSDAY, 15),
        tz=PARIS,
        attempt=1,
    )
    assert first is not None
    assert wall(first) == (date(2026, 12, 8), time(9, 0))
    assert first.tzinfo is UTC


def test_without_a_decision_date_no_news_waits_5_business_days_after_the_interview() -> None:
    first = no_news_due(
        interview_date=WEDNESDAY,
        decision_date=None,
        finished_at=paris(THURSDAY, 15),
        tz=PARIS,
        attempt=1,
    )
    assert first is not None
    assert wall(first) == (date(2026, 12, 2), time(9, 0))


def test_without_any_date_no_news_counts_from_the_local_day_of_the_debrief() -> None:
    # 00:30 on Friday in Paris: Friday + 5 business days is the next Friday.
    first = no_news_due(
        interview_date=None,
        decision_date=None,
        finished_at=paris(date(2026, 11, 27), 0, 30),
        tz=PARIS,
        attempt=1,
    )
    assert first is not None
    assert wall(first) == (date(2026, 12, 4), time(9, 0))


def test_the_second_no_news_follow_up_comes_a_week_after_the_first() -> None:
    due = {
        attempt: no_news_due(
            interview_date=THURSDAY,
            decision_date=None,
            finished_at=paris(THURSDAY, 15),
            tz=PARIS,
            attempt=attempt,
        )
        for attempt in (1, 2)
    }
    assert due[1] is not None
    assert due[2] is not None
    assert wall(due[1]) == (date(2026, 12, 3), time(9, 0))
    assert wall(due[2]) == (date(2026, 12, 10), time(9, 0))


def test_the_second_no_news_follow_up_stays_at_9_00_across_a_dst_change() -> None:
    due = [
        no_news_due(
            interview_date=None,
            decision_date=date(2026, 3, 19),
            finished_at=paris(date(2026, 3, 17), 15),
            tz=PARIS,
            attempt=attempt,
        )
        for attempt in (1, 2)
    ]
    assert due == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]


def test_no_news_stops_after_two_follow_ups() -> None:
    for attempt in (3, 4):
        assert (
            no_news_due(
                interview_date=THURSDAY,
                decision_date=None,
                finished_at=paris(THURSDAY, 15),
                tz=PARIS,
                attempt=attempt,
            )
            is None
        )


def test_no_news_attempts_are_counted_from_1() -> None:
    with pytest.raises(ValueError, match="attempts"):
        no_news_due(
            interview_date=THURSDAY,
            decision_date=None,
            finished_at=paris(THURSDAY, 15),
            tz=PARIS,
            attempt=0,
        )


# next_round_due


def test_the_next_round_is_prepared_at_18_00_the_day_before() -> None:
    result = next_round_due(round_date=date(2026, 12, 2), now=paris(THURSDAY, 15), tz=PARIS)
    assert wall(result) == (date(2026, 12, 1), time(18, 0))
    assert result.tzinfo is UTC


def test_a_round_tomorrow_is_prepared_this_evening_when_18_00_is_more_than_an_hour_away() -> None:
    friday = date(2026, 11, 27)
    result = next_round_due(round_date=friday, now=paris(THURSDAY, 16, 59), tz=PARIS)
    assert wall(result) == (THURSDAY, time(18, 0))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 18:00 is only an hour away, or past: at once.
        (paris(THURSDAY, 17, 0), (THURSDAY, time(17, 0))),
        (paris(THURSDAY, 20, 0), (THURSDAY, time(20, 0))),
        # In the night before the round: 08:00 on the round day.
        (paris(THURSDAY, 22, 0), (date(2026, 11, 27), time(8, 0))),
        (paris(date(2026, 11, 27), 6, 0), (date(2026, 11, 27), time(8, 0))),
        # On the round day itself: at once.
        (paris(date(2026, 11, 27), 10, 0), (date(2026, 11, 27), time(10, 0))),
    ],
)
def test_a_near_round_is_prepared_at_once_but_not_at_night(
    now: datetime, expected: tuple[date, time]
) -> None:
    result = next_round_due(round_date=date(2026, 11, 27), now=now, tz=PARIS)
    assert wall(result) == expected


def test_the_eve_of_a_round_after_a_dst_change_is_18_00_local() -> None:
    result = next_round_due(round_date=date(2026, 3, 30), now=paris(date(2026, 3, 20), 9), tz=PARIS)
    assert result == datetime(2026, 3, 29, 16, 0, tzinfo=UTC)


# snooze


@pytest.mark.parametrize(
    ("hours", "days", "expected"),
    [
        (2, 0, (THURSDAY, time(17, 0))),
        (5, 0, (THURSDAY, time(20, 0))),
        (6, 0, (date(2026, 11, 27), time(8, 0))),
        (0, 1, (date(2026, 11, 27), time(15, 0))),
        (3, 2, (date(2026, 11, 28), time(18, 0))),
    ],
)
def test_a_snooze_adds_hours_and_days_then_skips_quiet_hours(
    hours: int, days: int, expected: tuple[date, time]
) -> None:
    result = snooze(now=paris(THURSDAY, 15), tz=PARIS, hours=hours, days=days)
    assert wall(result) == expected
    assert result.tzinfo is UTC


def test_a_snooze_of_nothing_at_night_waits_for_the_morning() -> None:
    result = snooze(now=paris(THURSDAY, 23), tz=PARIS)
    assert wall(result) == (date(2026, 11, 27), time(8, 0))


def test_a_snooze_by_days_keeps_the_wall_time_and_by_hours_counts_real_hours_across_dst() -> None:
    saturday_10 = datetime(2026, 3, 28, 10, 0, tzinfo=PARIS)
    assert wall(snooze(now=saturday_10, tz=PARIS, days=1)) == (date(2026, 3, 29), time(10, 0))
    assert wall(snooze(now=saturday_10, tz=PARIS, hours=24)) == (date(2026, 3, 29), time(11, 0))


def test_a_snooze_backwards_is_refused() -> None:
    with pytest.raises(ValueError, match="forward"):
        snooze(now=paris(THURSDAY, 15), tz=PARIS, hours=-1)


# deeper_due


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        # In the day: at 20:00, tonight.
        (6, 30, (THURSDAY, time(20, 0))),
        (15, 0, (THURSDAY, time(20, 0))),
        (19, 30, (THURSDAY, time(20, 0))),
        # Less than half an hour before 20:00, or after it: half an hour on, out of quiet hours.
        (19, 45, (THURSDAY, time(20, 15))),
        (20, 10, (THURSDAY, time(20, 40))),
        (20, 30, (date(2026, 11, 27), time(8, 0))),
        (23, 0, (date(2026, 11, 27), time(8, 0))),
    ],
)
def test_tonight_is_20_00_local_else_half_an_hour_on_never_in_quiet_hours(
    hour: int, minute: int, expected: tuple[date, time]
) -> None:
    assert wall(deeper_due(now=paris(THURSDAY, hour, minute), tz=PARIS, tonight=True)) == expected


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(8, date(2026, 11, 27)), (15, date(2026, 11, 27)), (20, date(2026, 11, 27))],
)
def test_later_is_18_00_local_the_next_day(hour: int, expected: date) -> None:
    due = deeper_due(now=paris(THURSDAY, hour), tz=PARIS, tonight=False)
    assert wall(due) == (expected, time(18, 0))


def test_later_from_quiet_hours_is_the_next_days_18_00_not_a_night_time() -> None:
    due = deeper_due(now=paris(THURSDAY, 23, 30), tz=PARIS, tonight=False)
    assert wall(due) == (date(2026, 11, 27), time(18, 0))


def test_later_after_midnight_is_18_00_the_same_day_not_41_hours_on() -> None:
    due = deeper_due(now=paris(THURSDAY, 0, 40), tz=PARIS, tonight=False)
    assert wall(due) == (THURSDAY, time(18, 0))


def test_tonight_and_later_are_read_in_the_users_zone() -> None:
    # 15:00 in New York is 21:00 in Paris: tonight is still 20:00 in New York, 01:00 UTC.
    now = datetime(2026, 11, 26, 15, 0, tzinfo=NEW_YORK)
    assert deeper_due(now=now, tz=NEW_YORK, tonight=True) == datetime(
        2026, 11, 27, 1, 0, tzinfo=UTC
    )
    later = deeper_due(now=now, tz=NEW_YORK, tonight=False)
    assert later == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


def test_tonight_on_the_day_paris_springs_forward_is_20_00_on_the_new_offset() -> None:
    # 29 March 2026: 01:30 is UTC+01:00, 20:00 is UTC+02:00; only 17.5 hours lie between.
    now = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)
    due = deeper_due(now=now, tz=PARIS, tonight=True)
    assert due == datetime(2026, 3, 29, 18, 0, tzinfo=UTC)
    assert due - now == timedelta(hours=17, minutes=30)


def test_later_across_the_night_paris_falls_back_is_18_00_on_the_new_offset() -> None:
    # 24 October 2026, 15:00 is UTC+02:00; 25 October, 18:00 is UTC+01:00: 28 hours on.
    now = datetime(2026, 10, 24, 15, 0, tzinfo=PARIS)
    due = deeper_due(now=now, tz=PARIS, tonight=False)
    assert due == datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    assert due - now == timedelta(hours=28)


def test_deeper_due_is_in_utc_and_refuses_a_naive_moment() -> None:
    assert deeper_due(now=paris(THURSDAY, 15), tz=PARIS, tonight=True).tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        deeper_due(now=datetime(2026, 11, 26, 15, 0), tz=PARIS, tonight=True)  # noqa: DTZ001
