"""Moments typed in French or English, read relative to now in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conversations import when
from conversations.when import parse_when

PARIS = ZoneInfo("Europe/Paris")
# Thursday 26 November 2026 at 15:00 in Paris.
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return a wall time in Paris in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def test_now_is_a_thursday_afternoon() -> None:
    assert (NOW.weekday(), NOW.hour) == (3, 15)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("demain 14h", at(11, 27, 14)),
        ("demain à 14h30", at(11, 27, 14, 30)),
        ("demain matin", at(11, 27, 9)),
        ("demain après-midi", at(11, 27, 14)),
        ("demain apres midi", at(11, 27, 14)),
        ("demain soir", at(11, 27, 19)),
        ("demain midi", at(11, 27, 12)),
        ("ce soir", at(11, 26, 19)),
        ("ce soir 20h30", at(11, 26, 20, 30)),
        ("aujourd'hui 18h", at(11, 26, 18)),
        ("lundi", at(11, 30, 9)),
        ("lundi 10h", at(11, 30, 10)),
        ("lundi prochain", at(11, 30, 9)),
        ("vendredi prochain à 11h", at(11, 27, 11)),
        ("dans 3 jours", at(11, 29, 9)),
        ("dans 3 jours à 14h", at(11, 29, 14)),
        ("dans une semaine", at(12, 3, 9)),
        ("après-demain", at(11, 28, 9)),
        ("apres demain 10h", at(11, 28, 10)),
        ("le 3 décembre à 10h", at(12, 3, 10)),
        ("3 décembre", at(12, 3, 9)),
        ("le 3", at(12, 3, 9)),
        ("3/12 10h", at(12, 3, 10)),
        ("14h demain", at(11, 27, 14)),
        ("8h du soir demain", at(11, 27, 20)),
        ("demain soir 8h", at(11, 27, 20)),
        ("vers 17h", at(11, 26, 17)),
        ("à 16h", at(11, 26, 16)),
        ("14 h 30", at(11, 27, 14, 30)),
    ],
)
def test_french_moments_are_read_relative_to_now(typed: str, expected: datetime) -> None:
    assert parse_when(typed, now=NOW) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tomorrow 2pm", at(11, 27, 14)),
        ("tomorrow at 9", at(11, 27, 9)),
        ("tomorrow morning", at(11, 27, 9)),
        ("tomorrow afternoon", at(11, 27, 14)),
        ("tomorrow evening at 8", at(11, 27, 20)),
        ("tomorrow noon", at(11, 27, 12)),
        ("monday", at(11, 30, 9)),
        ("next monday", at(11, 30, 9)),
        ("monday 10am", at(11, 30, 10)),
        ("in 3 days", at(11, 29, 9)),
        ("in a week", at(12, 3, 9)),
        ("at 5pm", at(11, 26, 17)),
        ("5:30 pm", at(11, 26, 17, 30)),
        ("2 p.m.", at(11, 27, 14)),
        ("17:30", at(11, 26, 17, 30)),
        ("12am", at(11, 27, 0)),
        ("tonight", at(11, 26, 19)),
        ("this evening", at(11, 26, 19)),
        ("December 3 at 10am", at(12, 3, 10)),
        ("the day after tomorrow", at(11, 28, 9)),
    ],
)
def test_english_moments_are_read_relative_to_now(typed: str, expected: datetime) -> None:
    assert parse_when(typed, now=NOW) == expected


@pytest.mark.parametrize(
    ("typed", "delay"),
    [
        ("dans 2 heures", timedelta(hours=2)),
        ("dans 2h", timedelta(hours=2)),
        ("dans 30 minutes", timedelta(minutes=30)),
        ("dans une heure", timedelta(hours=1)),
        ("dans 1h30", timedelta(hours=1, minutes=30)),
        ("dans une heure et demie", timedelta(hours=1, minutes=30)),
        ("dans une demi-heure", timedelta(minutes=30)),
        ("in 2 hours", timedelta(hours=2)),
        ("in 30 min", timedelta(minutes=30)),
        ("in an hour", timedelta(hours=1)),
        ("in two hours", timedelta(hours=2)),
        ("in half an hour", timedelta(minutes=30)),
    ],
)
def test_a_delay_in_minutes_or_hours_is_counted_from_now(typed: str, delay: timedelta) -> None:
    assert parse_when(typed, now=NOW) == NOW + delay


@pytest.mark.parametrize(
    "typed",
    [
        "Demain  14H",
        "DEMAIN 14h",
        "  demain 14h  ",
        "demain 14h.",
        "demain à 14h00",
        "demain a 14h",
    ],
)
def test_case_accents_and_extra_spaces_do_not_matter(typed: str) -> None:
    assert parse_when(typed, now=NOW) == at(11, 27, 14)


@pytest.mark.parametrize("typed", ["demain aprés-midi", "Demain Après-Midi", "demain aprem"])
def test_misspelt_or_familiar_afternoons_are_read(typed: str) -> None:
    assert parse_when(typed, now=NOW) == at(11, 27, 14)


@pytest.mark.parametrize(("typed", "hour"), [("14h", 14), ("noon", 12), ("midi", 12), ("9am", 9)])
def test_a_time_alone_that_has_passed_today_means_tomorrow(typed: str, hour: int) -> None:
    assert parse_when(typed, now=NOW) == at(11, 27, hour)


@pytest.mark.parametrize(("typed", "hour"), [("16h", 16), ("17:30", 17), ("at 8pm", 20)])
def test_a_time_alone_still_ahead_today_means_today(typed: str, hour: int) -> None:
    result = parse_when(typed, now=NOW)
    assert result is not None
    assert (result.date(), result.hour) == (NOW.date(), hour)


def test_this_evening_is_only_read_while_it_is_still_ahead() -> None:
    late = at(11, 26, 20)
    assert parse_when("ce soir", now=late) is None
    assert parse_when("tonight", now=late) is None
    assert parse_when("ce matin", now=NOW) is None


def test_a_weekday_named_on_that_weekday_means_next_week() -> None:
    monday = at(11, 30, 8)
    assert parse_when("lundi", now=monday) == at(12, 7, 9)
    assert parse_when("monday 10am", now=monday) == at(12, 7, 10)
    assert parse_when("jeudi", now=NOW) == at(12, 3, 9)


def test_a_day_month_already_behind_this_year_means_next_year() -> None:
    assert parse_when("le 3 mars à 10h", now=NOW) == datetime(2027, 3, 3, 10, 0, tzinfo=PARIS)


def test_an_explicit_moment_in_the_past_is_refused() -> None:
    assert parse_when("aujourd'hui 10h", now=NOW) is None
    assert parse_when("26/11 10h", now=NOW) is None


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "blah",
        "demain 25h",
        "demain 14h61",
        "at 13pm",
        "31/02 10h",
        "hier",
        "in 0 minutes",
        "dans 3 bananes",
        "ce",
        "9",
        "demain 9",
    ],
)
def test_unreadable_moments_are_none(typed: str) -> None:
    assert parse_when(typed, now=NOW) is None


def test_the_result_is_in_the_zone_of_now() -> None:
    result = parse_when("demain 14h", now=NOW)
    assert result is not None
    assert result.tzinfo is PARIS


def test_a_fixed_offset_zone_works() -> None:
    minus_five = timezone(timedelta(hours=-5))
    now = datetime(2026, 11, 26, 15, 0, tzinfo=minus_five)
    assert parse_when("demain 9h", now=now) == datetime(2026, 11, 27, 9, 0, tzinfo=minus_five)


def test_a_delay_counts_real_hours_across_a_spring_forward() -> None:
    # 01:30 CET on 29 March 2026; at 02:00 the clocks jump to 03:00.
    night = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)
    result = parse_when("dans 2 heures", now=night)
    assert result is not None
    assert (result.hour, result.minute) == (4, 30)
    # Subtracting two datetimes of the same zone would count wall-clock time: compare in UTC.
    assert result.astimezone(UTC) - night.astimezone(UTC) == timedelta(hours=2)


def test_a_wall_time_after_a_dst_change_is_that_wall_time() -> None:
    saturday = datetime(2026, 3, 28, 15, 0, tzinfo=PARIS)
    result = parse_when("demain 9h", now=saturday)
    assert result is not None
    assert (result.day, result.hour, result.utcoffset()) == (29, 9, timedelta(hours=2))


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("demain 14h", now=datetime(2026, 11, 26, 15, 0))  # noqa: DTZ001


def test_a_dotted_day_and_month_is_not_mistaken_for_a_time() -> None:
    assert parse_when("3.12", now=NOW) is None


def test_reading_a_long_text_costs_a_bounded_number_of_tries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every cut of the text in two was tried, each a join and regex passes over the whole text:
    # a 4,000-character dictation cost 70 ms of CPU, a 20,000-character one 0.4 s.
    tries = 0
    clock = when._clock

    def counted(text: str) -> time | None:
        nonlocal tries
        tries += 1
        return clock(text)

    monkeypatch.setattr(when, "_clock", counted)

    assert parse_when("demain à 14h " + "et puis " * 500, now=NOW) is None
    assert tries < 30
    assert parse_when("mercredi 3 décembre à 14h30", now=NOW) is not None
