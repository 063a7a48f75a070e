"""The decision date announced in a free-text note, looking forward."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

from conversations import dates
from conversations.dates import find_decision_date, parse_upcoming_date, small_number

if TYPE_CHECKING:
    from _typeshed import TraceFunction

# A Thursday.
TODAY = date(2026, 11, 26)


def test_the_fixed_today_is_a_thursday() -> None:
    assert TODAY.weekday() == 3


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Réponse avant le 5 décembre, deuxième entretien avec le CTO", date(2026, 12, 5)),
        ("They'll answer by Friday", date(2026, 11, 27)),
        ("réponse d'ici deux semaines", date(2026, 12, 10)),
        ("Réponse d’ici deux semaines", date(2026, 12, 10)),
        ("within 2 weeks", date(2026, 12, 10)),
        ("la semaine prochaine", date(2026, 12, 3)),
        ("next week", date(2026, 12, 3)),
        ("dans 10 jours", date(2026, 12, 6)),
        ("15/12", date(2026, 12, 15)),
        ("Ils me rappellent le 15/12/2026.", date(2026, 12, 15)),
        ("Decision on December 5th", date(2026, 12, 5)),
        ("decision on the 5th of December, 2027", date(2027, 12, 5)),
        ("réponse le 2026-12-24", date(2026, 12, 24)),
        ("retour lundi prochain", date(2026, 11, 30)),
        ("they will get back to me next Monday", date(2026, 11, 30)),
        ("réponse vendredi 4 décembre", date(2026, 12, 4)),
        ("réponse demain", date(2026, 11, 27)),
        ("réponse après-demain", date(2026, 11, 28)),
        ("answer by the 3rd", date(2026, 12, 3)),
        ("réponse avant le 3.", date(2026, 12, 3)),
    ],
)
def test_the_announced_decision_date_is_found_in_a_note(note: str, expected: date) -> None:
    assert find_decision_date(note, today=TODAY) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("réponse d'ici un mois", date(2026, 12, 26)),
        ("réponse sous huit jours", date(2026, 12, 4)),
        ("réponse dans trois semaines", date(2026, 12, 17)),
        ("in a week", date(2026, 12, 3)),
        ("within ten days", date(2026, 12, 6)),
        ("in a couple of weeks", date(2026, 12, 10)),
        ("d'ici quelques jours", date(2026, 11, 29)),
        ("within the next 3 weeks", date(2026, 12, 17)),
        ("dans les 15 jours", date(2026, 12, 11)),
        ("d'ici 2 à 3 semaines", date(2026, 12, 17)),
        ("in 2-3 weeks", date(2026, 12, 17)),
        ("réponse sous 48h", date(2026, 11, 28)),
        ("sous quinzaine", date(2026, 12, 11)),
        ("une dizaine de jours", date(2026, 12, 6)),
        ("in about 2 weeks", date(2026, 12, 10)),
    ],
)
def test_a_delay_counts_from_today_in_digits_or_words(note: str, expected: date) -> None:
    assert find_decision_date(note, today=TODAY) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("réponse fin décembre", date(2026, 12, 31)),
        ("réponse fin novembre", date(2026, 11, 30)),
        ("mi-décembre", date(2026, 12, 15)),
        ("début janvier", date(2027, 1, 10)),
        ("late February", date(2027, 2, 28)),
        ("fin de semaine", date(2026, 11, 27)),
        ("by the end of next week", date(2026, 12, 4)),
        ("fin du mois", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
    ],
)
def test_vague_periods_resolve_to_a_day_by_which_an_answer_is_due(
    note: str, expected: date
) -> None:
    assert find_decision_date(note, today=TODAY) == expected


def test_a_day_and_month_already_behind_mean_next_year() -> None:
    assert find_decision_date("réponse le 3 mars", today=TODAY) == date(2027, 3, 3)
    assert find_decision_date("answer by 20/11", today=TODAY) == date(2027, 11, 20)
    assert find_decision_date("réponse le 26/11", today=TODAY) == TODAY


def test_the_29th_of_february_waits_for_a_leap_year() -> None:
    assert find_decision_date("réponse le 29/02", today=TODAY) == date(2028, 2, 29)


def test_a_weekday_named_today_means_next_week() -> None:
    assert find_decision_date("réponse jeudi", today=TODAY) == date(2026, 12, 3)


def test_a_day_of_month_already_behind_means_next_month() -> None:
    assert find_decision_date("réponse avant le 20", today=TODAY) == date(2026, 12, 20)
    assert find_decision_date("by the 31st", today=date(2027, 1, 31)) == date(2027, 1, 31)
    assert find_decision_date("by the 31st", today=date(2027, 2, 1)) == date(2027, 3, 31)


def test_the_date_announced_for_the_decision_wins_over_another_date() -> None:
    note = "Deuxième entretien le 1er décembre, réponse le 10 décembre"
    assert find_decision_date(note, today=TODAY) == date(2026, 12, 10)
    note = "Second round on Monday and they will answer within two weeks"
    assert find_decision_date(note, today=TODAY) == date(2026, 12, 10)


def test_a_decision_word_after_the_date_counts_too() -> None:
    note = "Entretien avec le CTO lundi. Le 15/12 pour la réponse finale"
    assert find_decision_date(note, today=TODAY) == date(2026, 12, 15)


def test_without_a_decision_word_the_first_date_is_taken() -> None:
    note = "Entretien avec le CTO le 1er décembre, puis RH le 3 décembre"
    assert find_decision_date(note, today=TODAY) == date(2026, 12, 1)


def test_a_note_spread_over_lines_is_read_line_by_line() -> None:
    note = "Deuxième entretien le 1er décembre\nRéponse le 10 décembre"
    assert find_decision_date(note, today=TODAY) == date(2026, 12, 10)


@pytest.mark.parametrize(
    "note",
    [
        "",
        "Très bon feeling, ils ont aimé mon portfolio",
        "Le 1er entretien s'est bien passé",
        "They may call",
        "2e entretien à prévoir",
        "Salaire 45k, 2 jours de télétravail",
        "réponse le 31/02",
        "Answer soon",
    ],
)
def test_a_note_without_any_date_gives_none(note: str) -> None:
    assert find_decision_date(note, today=TODAY) is None


def test_dates_in_the_past_are_not_read_backwards() -> None:
    assert find_decision_date("hier", today=TODAY) is None
    assert find_decision_date("il y a 3 jours", today=TODAY) is None


class _Counted:
    """A compiled pattern that counts the characters it is asked to scan."""

    def __init__(self, pattern: re.Pattern[str], work: list[int]) -> None:
        self._pattern = pattern
        self._work = work

    def _count(self, string: str, pos: int, endpos: int) -> None:
        self._work[0] += max(0, min(endpos, len(string)) - pos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        self._count(string, pos, endpos)
        return self._pattern.finditer(string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        self._count(string, pos, endpos)
        return self._pattern.search(string, pos, endpos)


def _work(note: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Count what reading a note costs: characters the patterns scan, lines of dates.py run."""
    work = [0]
    with monkeypatch.context() as patch:
        patterns = tuple((_Counted(pattern, work), resolve) for pattern, resolve in dates._UPCOMING)
        patch.setattr(dates, "_UPCOMING", patterns)
        patch.setattr(dates, "_CLAUSE_END", _Counted(dates._CLAUSE_END, work))
        patch.setattr(dates, "_DECISION_WORD", _Counted(dates._DECISION_WORD, work))

        def trace(frame: FrameType, event: str, arg: Any) -> TraceFunction:
            if frame.f_code.co_filename == dates.__file__:
                work[0] += 1
            return trace

        sys.settrace(trace)
        try:
            assert find_decision_date(note, today=TODAY) is not None
        finally:
            sys.settrace(None)
    return work[0]


@pytest.mark.parametrize("unit", ["réponse 1/2 ", "lundi x. ", "answer demain "])
def test_reading_a_note_costs_in_proportion_to_its_length(
    unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hundreds of dates: each date's clause was searched again, its bounds found by a scan of
    # every clause end (20 parts of 4,000 characters took 4 s of CPU).
    short = (unit * 1000)[:1000]

    ratio = _work(short * 4, monkeypatch) / _work(short, monkeypatch)

    assert ratio < 5


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("demain", date(2026, 11, 27)),
        ("Lundi", date(2026, 11, 30)),
        ("3/12", date(2026, 12, 3)),
        ("le 3 décembre", date(2026, 12, 3)),
        ("dans 3 jours", date(2026, 11, 29)),
        ("next week", date(2026, 12, 3)),
    ],
)
def test_an_upcoming_date_typed_alone_is_read_forward(typed: str, expected: date) -> None:
    assert parse_upcoming_date(typed, today=TODAY) == expected


@pytest.mark.parametrize("typed", ["réponse demain", "demain 14h", "hier", ""])
def test_an_upcoming_date_must_be_the_whole_text(typed: str) -> None:
    assert parse_upcoming_date(typed, today=TODAY) is None


@pytest.mark.parametrize(
    ("word", "value"),
    [("3", 3), ("deux", 2), ("Une", 1), ("dix", 10), ("a", 1), ("ten", 10), ("a couple of", 2)],
)
def test_small_numbers_are_read_in_digits_or_words(word: str, value: int) -> None:
    assert small_number(word) == value


def test_an_unknown_number_word_is_none() -> None:
    assert small_number("beaucoup") is None
