"""Where a text message goes: a new answer, the rest of the previous one, or nowhere."""

from __future__ import annotations

import pytest

from conversations.checklist import checklist
from conversations.flow import TextRoute, addable_question, can_finish, route_text, target_key
from storage.debriefs import Debrief

# "position" (text) comes right before "interview_date" (date);
# "interviewer_decides" (choice) comes right before "company_info".
ASKED_MESSAGE_ID = 100


def _debrief(
    *,
    current_key: str | None = "interview_date",
    asked_key: str | None = "interview_date",
    asked_message_id: int | None = ASKED_MESSAGE_ID,
    append_key: str | None = None,
    answers: dict[str, str] | None = None,
    message_ids: frozenset[int] = frozenset(),
) -> Debrief:
    return Debrief(
        id=1,
        user_id=42,
        status="active",
        current_key=current_key,
        asked_key=asked_key,
        asked_message_id=asked_message_id,
        append_key=append_key,
        answers={"company": "Acme", "position": "Engineer"} if answers is None else answers,
        message_ids=message_ids,
    )


def test_the_fixture_order_matches_the_checklist() -> None:
    position = checklist().before("interview_date")
    decides = checklist().before("company_info")

    assert position is not None
    assert position.key == "position"
    assert decides is not None
    assert decides.key == "interviewer_decides"


def test_a_redelivered_message_is_already_stored() -> None:
    debrief = _debrief(message_ids=frozenset({98, 99}), append_key="position")

    assert route_text(checklist(), debrief, message_id=99) is TextRoute.ALREADY_STORED


def test_a_text_after_tapping_add_is_an_addition() -> None:
    debrief = _debrief(append_key="position")

    assert route_text(checklist(), debrief, message_id=150) is TextRoute.ADDITION


def test_a_text_written_before_the_question_arrived_continues_the_previous_answer() -> None:
    debrief = _debrief()

    route = route_text(checklist(), debrief, message_id=ASKED_MESSAGE_ID - 1)

    assert route is TextRoute.CONTINUATION


def test_a_text_written_after_the_question_arrived_answers_it() -> None:
    debrief = _debrief()

    assert route_text(checklist(), debrief, message_id=ASKED_MESSAGE_ID + 1) is TextRoute.ANSWER


@pytest.mark.parametrize(
    ("asked_key", "asked_message_id", "message_id"),
    [("position", 90, 500), ("position", 90, 80), (None, None, 500)],
    ids=["previous-question-was-the-last-delivered", "older-message", "nothing-delivered-yet"],
)
def test_a_text_while_the_question_was_not_recorded_as_delivered_answers_it(
    asked_key: str | None, asked_message_id: int | None, message_id: int
) -> None:
    """After a crash between sending a question and recording it, the user most likely saw it."""
    debrief = _debrief(asked_key=asked_key, asked_message_id=asked_message_id)

    assert not debrief.question_delivered
    assert route_text(checklist(), debrief, message_id=message_id) is TextRoute.ANSWER


def test_an_undelivered_question_after_a_skipped_one_takes_the_text_as_its_answer() -> None:
    debrief = _debrief(asked_key="position", answers={"company": "Acme"})

    assert route_text(checklist(), debrief, message_id=50) is TextRoute.ANSWER


def test_a_previous_choice_question_cannot_be_continued() -> None:
    debrief = _debrief(
        current_key="company_info",
        asked_key="company_info",
        answers={"company": "Acme", "interviewer_decides": "yes"},
    )

    assert route_text(checklist(), debrief, message_id=ASKED_MESSAGE_ID - 1) is TextRoute.ANSWER
    undelivered = _debrief(
        current_key="company_info",
        asked_key="interviewer_decides",
        answers={"company": "Acme", "interviewer_decides": "yes"},
    )
    assert route_text(checklist(), undelivered, message_id=500) is TextRoute.ANSWER


def test_the_first_question_always_takes_the_text_as_its_answer() -> None:
    debrief = _debrief(current_key="company", asked_key=None, asked_message_id=None, answers={})

    assert route_text(checklist(), debrief, message_id=1) is TextRoute.ANSWER


@pytest.mark.parametrize(
    ("route", "append_key", "expected"),
    [
        (TextRoute.ANSWER, None, "interview_date"),
        (TextRoute.CONTINUATION, None, "position"),
        (TextRoute.ADDITION, "company", "company"),
        (TextRoute.ALREADY_STORED, None, None),
    ],
)
def test_target_key_names_the_answer_a_text_goes_to(
    route: TextRoute, append_key: str | None, expected: str | None
) -> None:
    debrief = _debrief(append_key=append_key)

    assert target_key(checklist(), debrief, route) == expected


def test_addable_question_is_the_previous_answered_text_question() -> None:
    addable = addable_question(checklist(), _debrief())

    assert addable is not None
    assert addable.key == "position"


@pytest.mark.parametrize(
    ("current_key", "answers"),
    [
        pytest.param(None, {"company": "Acme"}, id="debrief-finished"),
        pytest.param("company", {}, id="first-question"),
        pytest.param("interview_date", {"company": "Acme"}, id="previous-skipped"),
        pytest.param("company_info", {"interviewer_decides": "no"}, id="previous-choice"),
        pytest.param("interviewers", {"interview_date": "2026-11-25"}, id="previous-date"),
        pytest.param("how_it_went", {"rating": "4"}, id="previous-rating"),
    ],
)
def test_nothing_is_addable_without_an_answered_text_question_just_before(
    current_key: str | None, answers: dict[str, str]
) -> None:
    debrief = _debrief(current_key=current_key, asked_key=current_key, answers=answers)

    assert addable_question(checklist(), debrief) is None


def test_can_finish_once_the_company_is_answered() -> None:
    assert not can_finish(checklist(), {})
    assert not can_finish(checklist(), {"position": "Engineer", "rating": "4"})
    assert can_finish(checklist(), {"company": "Acme"})
