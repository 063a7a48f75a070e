"""Interview dates as people type them, in French and English, and written back."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.dates import format_date, parse_interview_date
from conversations.i18n import Language

# A Thursday.
TODAY = date(2026, 11, 26)


def test_the_fixed_today_is_a_thursday() -> None:
    assert TODAY.weekday() == 3


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25/11", date(2026, 11, 25)),
        ("25/11/2026", date(2026, 11, 25)),
        ("25.11", date(2026, 11, 25)),
        ("25-11-26", date(2026, 11, 25)),
        ("2026-11-25", date(2026, 11, 25)),
        ("1/3", date(2026, 3, 1)),
        ("hier", date(2026, 11, 25)),
        ("Hier", date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 25)),
        ("Yesterday!", date(2026, 11, 25)),
        ("aujourd'hui", date(2026, 11, 26)),
        ("aujourd’hui", date(2026, 11, 26)),
        ("Aujourd’hui.", date(2026, 11, 26)),
        ("today", date(2026, 11, 26)),
        ("ce matin", date(2026, 11, 26)),
        ("avant-hier", date(2026, 11, 24)),
        ("25 novembre", date(2026, 11, 25)),
        ("25 Novembre 2026", date(2026, 11, 25)),
        ("le 1er décembre", date(2025, 12, 1)),
        ("3 févr.", date(2026, 2, 3)),
        ("3 fevrier", date(2026, 2, 3)),
        ("November 2", date(2026, 11, 2)),
        ("nov 2nd", date(2026, 11, 2)),
        ("November 2, 2026", date(2026, 11, 2)),
        ("mardi", date(2026, 11, 24)),
        ("Mardi dernier", date(2026, 11, 24)),
        ("last tuesday", date(2026, 11, 24)),
        ("Tuesday", date(2026, 11, 24)),
        ("vendredi", date(2026, 11, 20)),
        ("il y a 3 jours", date(2026, 11, 23)),
        ("il y a 1 jour", date(2026, 11, 25)),
        ("3 days ago", date(2026, 11, 23)),
    ],
)
def test_typed_dates_are_read_relative_to_today(typed: str, expected: date) -> None:
    assert parse_interview_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    "typed", ["31/02", "blah", "", "   ", "99/99", "2026-02-30", "32 janvier", "the 2nd of"]
)
def test_unreadable_or_impossible_dates_give_none(typed: str) -> None:
    assert parse_interview_date(typed, today=TODAY) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("27/11", date(2025, 11, 27)),
        ("1 déc", date(2025, 12, 1)),
        ("December 24", date(2025, 12, 24)),
    ],
)
def test_a_day_and_month_still_ahead_this_year_means_last_year(typed: str, expected: date) -> None:
    assert parse_interview_date(typed, today=TODAY) == expected


def test_todays_day_and_month_mean_today() -> None:
    assert parse_interview_date("26/11", today=TODAY) == TODAY


def test_a_weekday_means_the_most_recent_one_not_in_the_future() -> None:
    for offset, name in enumerate(["jeudi", "mercredi", "mardi", "lundi", "dimanche", "samedi"]):
        parsed = parse_interview_date(name, today=TODAY)
        assert parsed is not None
        assert parsed <= TODAY
        assert (TODAY - parsed).days == offset


def test_an_explicit_year_is_kept_even_in_the_future() -> None:
    """Refusing future dates is the answer layer's job, not the parser's."""
    assert parse_interview_date("25/12/2026", today=TODAY) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (date(2026, 11, 25), "fr", "mercredi 25 novembre 2026"),
        (date(2026, 11, 25), "en", "Wednesday 25 November 2026"),
        (date(2026, 12, 1), "fr", "mardi 1er décembre 2026"),
        (date(2026, 12, 1), "en", "Tuesday 1 December 2026"),
        (date(2026, 2, 3), "fr", "mardi 3 février 2026"),
        (date(2026, 8, 21), "fr", "vendredi 21 août 2026"),
    ],
)
def test_format_date_writes_the_weekday_day_month_and_year(
    value: date, language: Language, expected: str
) -> None:
    assert format_date(value, language) == expected


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_formatted_date_reads_back_as_the_same_date(language: Language) -> None:
    value = date(2026, 11, 2)
    written = format_date(value, language)
    without_weekday = written.split(" ", 1)[1]

    assert parse_interview_date(without_weekday, today=TODAY) == value
