"""Which reminders a finished debrief gets, and when: thank-you, questions, no news, next round."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations.model import NewReminder, Outcome, ReminderKind
from conversations.reminders import (
    after_debrief,
    cancelled_by,
    epoch,
    forgotten,
    next_no_news,
    next_round,
    parse_day,
    rule,
)
from conversations.schedule import QUIET_END, QUIET_START

PARIS = ZoneInfo("Europe/Paris")
# Thursday 26 November 2026; Europe/Paris is at UTC+01:00.
THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
# Five business days after THURSDAY.
NEXT_THURSDAY = date(2026, 12, 3)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a wall time in Paris as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def at(day: date, hour: int, minute: int = 0) -> int:
    """Return a wall time in Paris as Unix seconds, the way reminders store it."""
    return int(paris(day, hour, minute).timestamp())


def wall(seconds: int) -> tuple[date, time]:
    """Return the Paris date and wall time of stored Unix seconds."""
    local = datetime.fromtimestamp(seconds, tz=PARIS)
    return local.date(), local.time()


def answers_of(**answers: str) -> dict[str, str]:
    """Return debrief answers held today (interview today) plus the given ones."""
    return {"company": "Acme Robotics", "interview_date": THURSDAY.isoformat(), **answers}


def test_the_fixed_days_are_thursdays_and_a_friday() -> None:
    assert (THURSDAY.weekday(), FRIDAY.weekday(), NEXT_THURSDAY.weekday()) == (3, 4, 3)


# after_debrief


def test_a_debrief_finished_at_15_00_on_the_interview_day_plans_all_three_reminders() -> None:
    answers = answers_of(forgotten_questions="What does on-call look like?")

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 15), tz=PARIS)

    assert plan == [
        NewReminder(ReminderKind.THANK_YOU, at(THURSDAY, 18)),
        NewReminder(ReminderKind.QUESTIONS, at(FRIDAY, 9)),
        NewReminder(ReminderKind.NO_NEWS, at(NEXT_THURSDAY, 9)),
    ]


def test_every_planned_reminder_is_a_first_attempt_in_whole_seconds() -> None:
    answers = answers_of(forgotten_questions="Remote?")

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 15, 17), tz=PARIS)

    assert {reminder.attempt for reminder in plan} == {1}
    assert all(type(reminder.due_at) is int for reminder in plan)


def test_the_finish_time_in_another_zone_plans_the_same_moments() -> None:
    answers = answers_of(forgotten_questions="Remote?")
    finished = paris(THURSDAY, 15)

    assert after_debrief(answers, finished_at=finished.astimezone(UTC), tz=PARIS) == (
        after_debrief(answers, finished_at=finished, tz=PARIS)
    )


@pytest.mark.parametrize("forgotten_questions", [None, "", "   ", " \n\t "])
def test_without_forgotten_questions_there_is_no_questions_reminder(
    forgotten_questions: str | None,
) -> None:
    answers = answers_of()
    if forgotten_questions is not None:
        answers["forgotten_questions"] = forgotten_questions

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 15), tz=PARIS)

    assert [reminder.kind for reminder in plan] == ["thank_you", "no_news"]
    assert not forgotten(answers)


def test_forgotten_questions_get_a_reminder_the_next_morning_at_9_00() -> None:
    answers = answers_of(forgotten_questions="  Is there a training budget?  ")

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 11), tz=PARIS)

    assert forgotten(answers)
    assert [r.due_at for r in plan if r.kind == "questions"] == [at(FRIDAY, 9)]


def test_no_news_waits_5_business_days_after_the_interview_at_9_00() -> None:
    plan = after_debrief(answers_of(), finished_at=paris(THURSDAY, 15), tz=PARIS)

    assert [wall(r.due_at) for r in plan if r.kind == "no_news"] == [(NEXT_THURSDAY, time(9, 0))]


def test_no_news_counts_from_the_day_of_the_debrief_when_the_interview_date_is_unknown() -> None:
    answers = {"company": "Acme Robotics", "interview_date": "not a date"}

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 15), tz=PARIS)

    assert [r.due_at for r in plan if r.kind == "no_news"] == [at(NEXT_THURSDAY, 9)]


def test_no_news_waits_2_business_days_after_a_decision_date_found_in_the_next_steps() -> None:
    answers = answers_of(next_steps="Réponse avant le 5 décembre, puis un entretien avec le CTO.")

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 15), tz=PARIS)

    assert [wall(r.due_at) for r in plan if r.kind == "no_news"] == [
        (date(2026, 12, 8), time(9, 0))
    ]


@pytest.mark.parametrize(
    ("next_steps", "expected"),
    [
        ("réponse avant le 4 décembre", date(2026, 12, 8)),  # Friday → Tuesday
        ("They will answer by 2026-12-01.", date(2026, 12, 3)),  # Tuesday → Thursday
        ("Réponse vendredi", date(2026, 12, 1)),  # Friday 27 November → Tuesday
    ],
)
def test_a_weekday_decision_date_moves_no_news_to_2_business_days_later(
    next_steps: str, expected: date
) -> None:
    plan = after_debrief(
        answers_of(next_steps=next_steps), finished_at=paris(THURSDAY, 15), tz=PARIS
    )

    assert [r.due_at for r in plan if r.kind == "no_news"] == [at(expected, 9)]


def test_a_no_news_date_already_past_is_due_at_once() -> None:
    answers = {"company": "Acme Robotics", "interview_date": "2026-11-02"}
    finished = paris(THURSDAY, 15, 30)

    plan = after_debrief(answers, finished_at=finished, tz=PARIS)

    assert [r.due_at for r in plan if r.kind == "no_news"] == [epoch(finished)]


def test_a_debrief_finished_at_22_00_puts_nothing_in_quiet_hours() -> None:
    answers = answers_of(forgotten_questions="Remote?")

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 22), tz=PARIS)

    assert plan == [
        NewReminder(ReminderKind.THANK_YOU, at(FRIDAY, 8)),
        NewReminder(ReminderKind.QUESTIONS, at(FRIDAY, 9)),
        NewReminder(ReminderKind.NO_NEWS, at(NEXT_THURSDAY, 9)),
    ]
    for reminder in plan:
        assert QUIET_END <= wall(reminder.due_at)[1] < QUIET_START


def test_a_late_finish_on_an_old_interview_sends_no_news_in_the_morning() -> None:
    answers = {"company": "Acme Robotics", "interview_date": "2026-11-02"}

    plan = after_debrief(answers, finished_at=paris(THURSDAY, 23, 45), tz=PARIS)

    assert [r.due_at for r in plan if r.kind == "no_news"] == [at(FRIDAY, 8)]
    for reminder in plan:
        assert QUIET_END <= wall(reminder.due_at)[1] < QUIET_START


def test_no_news_keeps_9_00_local_across_a_daylight_saving_change() -> None:
    # Thursday 26 March 2026; Paris moves to UTC+02:00 on Sunday 29 March.
    thursday = date(2026, 3, 26)
    answers = {"company": "Acme Robotics", "interview_date": thursday.isoformat()}

    plan = after_debrief(answers, finished_at=paris(thursday, 15), tz=PARIS)

    (no_news,) = [r for r in plan if r.kind == "no_news"]
    assert wall(no_news.due_at) == (date(2026, 4, 2), time(9, 0))
    assert no_news.due_at == int(datetime(2026, 4, 2, 7, 0, tzinfo=UTC).timestamp())


# next_no_news


def test_the_second_no_news_comes_a_week_after_the_first() -> None:
    follow_up = next_no_news(
        answers_of(),
        finished_at=paris(THURSDAY, 15),
        now=paris(NEXT_THURSDAY, 9),
        tz=PARIS,
        attempt=1,
    )

    assert follow_up == NewReminder(ReminderKind.NO_NEWS, at(date(2026, 12, 10), 9), attempt=2)


def test_the_second_no_news_after_a_decision_date_comes_a_week_after_the_first() -> None:
    follow_up = next_no_news(
        answers_of(next_steps="réponse avant le 4 décembre"),
        finished_at=paris(THURSDAY, 15),
        now=paris(date(2026, 12, 8), 9),
        tz=PARIS,
        attempt=1,
    )

    assert follow_up == NewReminder(ReminderKind.NO_NEWS, at(date(2026, 12, 15), 9), attempt=2)


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        # Delivered six days late: the second still waits a day.
        (paris(date(2026, 12, 9), 10), at(date(2026, 12, 10), 10)),
        # Delivered after the second's own date: a day later.
        (paris(date(2026, 12, 10), 12), at(date(2026, 12, 11), 12)),
        # A day after a late-evening delivery is in quiet hours: the next morning instead.
        (paris(date(2026, 12, 9), 22), at(date(2026, 12, 11), 8)),
    ],
)
def test_after_a_late_first_no_news_the_second_waits_at_least_a_day(
    delivered: datetime, expected: int
) -> None:
    follow_up = next_no_news(
        answers_of(), finished_at=paris(THURSDAY, 15), now=delivered, tz=PARIS, attempt=1
    )

    assert follow_up == NewReminder(ReminderKind.NO_NEWS, expected, attempt=2)
    assert follow_up.due_at >= epoch(delivered + timedelta(days=1))


def test_there_is_no_third_no_news() -> None:
    follow_up = next_no_news(
        answers_of(),
        finished_at=paris(THURSDAY, 15),
        now=paris(date(2026, 12, 10), 9),
        tz=PARIS,
        attempt=2,
    )

    assert follow_up is None


# next_round


def test_the_next_round_brief_is_due_at_18_00_the_day_before() -> None:
    reminder = next_round(round_date=date(2026, 12, 1), now=paris(THURSDAY, 15), tz=PARIS)

    assert reminder == NewReminder(ReminderKind.NEXT_ROUND, at(date(2026, 11, 30), 18))


def test_the_next_round_brief_is_due_at_once_when_the_date_is_unknown() -> None:
    now = paris(THURSDAY, 15, 30)

    assert next_round(round_date=None, now=now, tz=PARIS) == NewReminder(
        ReminderKind.NEXT_ROUND, epoch(now)
    )


def test_an_unknown_date_asked_at_night_gives_the_brief_in_the_morning() -> None:
    reminder = next_round(round_date=None, now=paris(THURSDAY, 22, 15), tz=PARIS)

    assert reminder == NewReminder(ReminderKind.NEXT_ROUND, at(FRIDAY, 8))


@pytest.mark.parametrize(
    ("round_date", "now", "expected"),
    [
        # The eve at 18:00 is only 30 minutes away: at once.
        (FRIDAY, paris(THURSDAY, 17, 30), at(THURSDAY, 17, 30)),
        # The round is today: at once.
        (THURSDAY, paris(THURSDAY, 10), at(THURSDAY, 10)),
        # The eve is past and it is night: 08:00 on the round day.
        (FRIDAY, paris(THURSDAY, 23), at(FRIDAY, 8)),
        (FRIDAY, paris(FRIDAY, 6, 30), at(FRIDAY, 8)),
    ],
)
def test_the_next_round_brief_is_due_at_once_outside_quiet_hours_when_the_date_is_near(
    round_date: date, now: datetime, expected: int
) -> None:
    assert next_round(round_date=round_date, now=now, tz=PARIS) == NewReminder(
        ReminderKind.NEXT_ROUND, expected
    )


def test_an_eve_just_over_an_hour_away_is_kept() -> None:
    reminder = next_round(round_date=FRIDAY, now=paris(THURSDAY, 16, 59), tz=PARIS)

    assert reminder == NewReminder(ReminderKind.NEXT_ROUND, at(THURSDAY, 18))


# parse_day and epoch


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-25", date(2026, 11, 25)),
        (None, None),
        ("", None),
        ("25/11/2026", None),
        ("2026-02-30", None),
        ("yesterday", None),
    ],
)
def test_parse_day_reads_a_stored_iso_date_and_nothing_else(
    value: str | None, expected: date | None
) -> None:
    assert parse_day(value) == expected


def test_epoch_is_whole_unix_seconds() -> None:
    moment = datetime(2026, 11, 26, 14, 0, 0, 999_999, tzinfo=UTC)

    seconds = epoch(moment)

    assert seconds == 1_795_701_600
    assert type(seconds) is int
    assert epoch(moment.astimezone(PARIS)) == seconds
    assert epoch(paris(THURSDAY, 15)) == seconds


@pytest.mark.parametrize(
    ("outcome", "cancelled"),
    [
        (Outcome.WAITING, set()),
        (Outcome.NEXT_ROUND, {"no_news", "feedback"}),
        (Outcome.REJECTED, {"no_news", "next_round"}),
        (Outcome.OFFER, {"no_news", "feedback", "next_round", "questions"}),
        (Outcome.WITHDRAWN, {"no_news", "feedback", "next_round", "questions", "thank_you"}),
    ],
)
def test_each_outcome_cancels_the_reminders_it_makes_pointless(
    outcome: Outcome, cancelled: set[str]
) -> None:
    assert cancelled_by(outcome) == cancelled


@pytest.mark.parametrize(
    ("kind", "hours", "days", "buttons"),
    [
        (ReminderKind.THANK_YOU, 3, 0, ["sent", "later", "skip"]),
        (ReminderKind.QUESTIONS, 0, 1, ["done", "snooze", "cancel"]),
        (ReminderKind.NO_NEWS, 0, 2, ["news", "snooze"]),
        (ReminderKind.FEEDBACK, 0, 1, ["done", "later"]),
        (ReminderKind.NEXT_ROUND, 0, 1, ["done"]),
    ],
)
def test_each_kind_has_its_snooze_its_buttons_and_its_own_message(
    kind: ReminderKind, hours: int, days: int, buttons: list[str]
) -> None:
    behaviour = rule(kind)

    assert (behaviour.snooze_hours, behaviour.snooze_days) == (hours, days)
    assert list(behaviour.buttons) == buttons
    assert behaviour.intro == f"reminders.{kind}"
