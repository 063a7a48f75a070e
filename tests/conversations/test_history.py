"""Grouping rounds, paging the history and spotting a next round, without Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from conversations.history import (
    PAGE_SIZE,
    company_spelling,
    group_rounds,
    interview_day,
    paginate,
    previous_round,
    same_company,
)
from conversations.model import Debrief, Status


def made(
    debrief_id: int,
    company: str = "Acme",
    *,
    previous: int | None = None,
    status: Status = Status.DONE,
    created: str | None = None,
    interview: str | None = None,
) -> Debrief:
    """Return a stored debrief as the repository would."""
    answers = {"company": company}
    if interview:
        answers["interview_date"] = interview
    return Debrief(
        debrief_id,
        1,
        status,
        None,
        None,
        None,
        None,
        answers,
        created_at=datetime.fromisoformat(created or f"2026-11-{debrief_id:02d}T10:00:00.000Z"),
        previous_id=previous,
    )


def test_rounds_of_one_application_are_grouped_oldest_round_first() -> None:
    newest_first = [made(5, "Initech"), made(4, previous=2), made(3, "Globex"), made(2), made(1)]
    newest_first[1] = made(4, previous=2)
    newest_first[3] = made(2, previous=1)

    groups = group_rounds(newest_first)

    assert [[d.id for d in g.rounds] for g in groups] == [[5], [1, 2, 4], [3]]
    assert groups[1].latest.id == 4


def test_a_deleted_round_in_the_middle_leaves_the_later_ones_grouped_on_their_own() -> None:
    groups = group_rounds([made(3, previous=2), made(1)])

    assert [[d.id for d in g.rounds] for g in groups] == [[3], [1]]


def test_a_cycle_of_links_cannot_hang_the_grouping() -> None:
    groups = group_rounds([made(2, previous=1), made(1, previous=2)])

    assert sorted(d.id for g in groups for d in g.rounds) == [1, 2]


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (1, 1), (3, 3), (99, 3)])
def test_pages_are_clamped_to_those_that_exist(asked: int, shown: int) -> None:
    applications = group_rounds([made(n, f"Company {n}") for n in range(2 * PAGE_SIZE + 1, 0, -1)])

    page = paginate(applications, asked)

    assert (page.number, page.count, page.total) == (shown, 3, 2 * PAGE_SIZE + 1)
    assert len(page.applications) == (1 if shown == 3 else PAGE_SIZE)


def test_an_empty_history_is_one_empty_page() -> None:
    page = paginate([], 1)

    assert (page.number, page.count, page.total, page.applications) == (1, 1, 0, ())


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Société Générale", "societe generale", True),
        ("ACME, Inc.", "acme inc", True),
        ("  Acme  ", "acme", True),
        ("Acme", "Acme Robotics", False),
        ("", "", False),
        ("!!!", "???", False),
    ],
)
def test_company_names_match_whatever_the_case_accents_and_punctuation(
    first: str, second: str, same: bool
) -> None:
    assert same_company(first, second) is same


def test_the_previous_round_is_the_latest_finished_debrief_at_that_company() -> None:
    candidates = [
        made(9, "Acme", status=Status.ACTIVE),
        made(7, "Globex"),
        made(6, "acme"),
        made(3, "Acme"),
    ]

    found = previous_round(candidates, "ACME", current_id=9)

    assert found is not None
    assert found.id == 6
    assert previous_round(candidates, "Initech", current_id=9) is None
    assert previous_round([made(9, "Acme")], "Acme", current_id=9) is None


def test_the_interview_day_is_the_answer_else_the_day_the_debrief_began() -> None:
    assert interview_day(made(1, interview="2026-11-20")) == date(2026, 11, 20)
    assert interview_day(made(1, created="2026-11-24T23:00:00.000Z")) == date(2026, 11, 24)
    assert interview_day(replace(made(1, interview="not a date"), created_at=None)) is None


@pytest.mark.parametrize(
    ("typed", "earlier", "kept"),
    [
        ("acme robotics", "Acme Robotics", "Acme Robotics"),
        ("ACME ROBOTICS", "Acme Robotics", "Acme Robotics"),
        ("Acme Robotics", "acme robotics", "Acme Robotics"),
        ("AcmE", "Acme", "AcmE"),
        ("globex", "Acme", "globex"),
    ],
)
def test_a_company_named_again_keeps_the_spelling_written_with_care(
    typed: str, earlier: str, kept: str
) -> None:
    assert company_spelling(typed, earlier) == kept
