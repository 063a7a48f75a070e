"""Where a text message goes: a new answer, the rest of the previous one, or nowhere."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations.checklist import checklist
from conversations.flow import (
    Destination,
    DraftAnswer,
    EditedPart,
    Ignored,
    NoDraft,
    PausedDraft,
    Prompt,
    Redelivered,
    Route,
    Situation,
    SummaryDue,
    TextRoute,
    Unasked,
    addable_question,
    answered_quickly,
    can_finish,
    carried_over,
    next_key,
    previous_key,
    progress,
    route,
    route_edit,
    route_text,
    sequence,
    takes_text,
    target_key,
    written_answer,
)
from conversations.model import (
    AnswerPart,
    Awaiting,
    Debrief,
    EditPrompt,
    Phase,
    ReminderTimeOffer,
    ReminderTimePrompt,
    RoundDatePrompt,
    Status,
    TimezonePrompt,
)

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
        status=Status.ACTIVE,
        current_key=current_key,
        asked_key=asked_key,
        asked_message_id=asked_message_id,
        append_key=append_key,
        answers={"company": "Acme", "position": "Engineer"} if answers is None else answers,
        message_ids=message_ids,
    )


def test_the_fixture_order_matches_the_checklist() -> None:
    # The fixture's debriefs were begun before the express part: they ask in file order.
    order = checklist().sequential

    assert order[order.index("interview_date") - 1] == "position"
    assert order[order.index("company_info") - 1] == "interviewer_decides"


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


PAUSED = replace(_debrief(), status=Status.PAUSED)
DONE = replace(_debrief(current_key=None), id=9, status=Status.DONE)


@pytest.mark.parametrize(
    "awaiting",
    [TimezonePrompt(), EditPrompt(9, "position"), RoundDatePrompt(9), ReminderTimePrompt(9)],
    ids=["timezone", "edit", "round-date", "reminder-time"],
)
@pytest.mark.parametrize("draft", [_debrief(), PAUSED, None], ids=["active", "paused", "none"])
def test_a_prompt_the_user_asked_for_beats_the_open_question(
    awaiting: Awaiting, draft: Debrief | None
) -> None:
    situation = Situation(draft, awaiting, DONE)

    decision = route(checklist(), situation, message_id=ASKED_MESSAGE_ID + 1)

    resume = draft if draft is not None and draft.status == "active" else None
    target = None if isinstance(awaiting, TimezonePrompt) else DONE
    assert decision == Route(Prompt(awaiting, target, resume))
    assert takes_text(decision.destination)


def test_an_edit_from_the_history_writes_the_answer_it_names() -> None:
    decision = route(
        checklist(), Situation(_debrief(), EditPrompt(9, "position"), DONE), message_id=500
    )

    assert written_answer(decision.destination) == (9, "position")


@pytest.mark.parametrize(
    ("awaiting", "awaited"),
    [
        (EditPrompt(9, "position"), None),
        (EditPrompt(9, "renamed_question"), DONE),
        (RoundDatePrompt(9), None),
        (ReminderTimePrompt(9), None),
        (ReminderTimeOffer(9), None),
        (ReminderTimeOffer(9), DONE),
    ],
    ids=[
        "edit-deleted-debrief",
        "edit-unknown-question",
        "round-deleted",
        "time-deleted",
        "offer-deleted",
        "offer-while-a-debrief-is-open",
    ],
)
def test_a_stale_prompt_is_forgotten_and_the_text_goes_to_the_debrief(
    awaiting: Awaiting, awaited: Debrief | None
) -> None:
    draft = _debrief()

    decision = route(
        checklist(), Situation(draft, awaiting, awaited), message_id=ASKED_MESSAGE_ID + 1
    )

    assert decision == Route(DraftAnswer(draft, "interview_date", TextRoute.ANSWER), True)
    assert written_answer(decision.destination) == (draft.id, "interview_date")


def test_the_offer_at_a_debriefs_end_takes_a_text_when_no_debrief_is_open() -> None:
    decision = route(checklist(), Situation(None, ReminderTimeOffer(9), DONE), message_id=5)

    assert decision == Route(Prompt(ReminderTimeOffer(9), DONE, None))


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (None, NoDraft()),
        (PAUSED, PausedDraft(PAUSED)),
        (_debrief(current_key=None), SummaryDue(_debrief(current_key=None))),
        (_debrief(message_ids=frozenset({7})), Redelivered(_debrief(message_ids=frozenset({7})))),
        (
            _debrief(asked_key=None, asked_message_id=None),
            Unasked(_debrief(asked_key=None, asked_message_id=None)),
        ),
    ],
    ids=["no-draft", "paused", "summary-due", "redelivered", "question-not-sent"],
)
def test_a_text_nothing_takes_is_not_worth_transcribing(
    draft: Debrief | None, expected: Destination
) -> None:
    decision = route(checklist(), Situation(draft), message_id=7)

    assert decision == Route(expected)
    assert not takes_text(decision.destination)
    assert written_answer(decision.destination) is None


def test_an_edited_message_changes_the_answer_part_it_carried_or_nothing() -> None:
    part = AnswerPart(1, "position", 0)

    assert route_edit(checklist(), part) == EditedPart(part)
    assert route_edit(checklist(), None) == Ignored()
    assert route_edit(checklist(), AnswerPart(1, "renamed_question", 0)) == Ignored()


def _quick_case(kind_key: str, *, asked_at: int | None = 100) -> Debrief:
    """A debrief asking `kind_key`, the question before it answered in words."""
    previous = checklist().before(kind_key)
    assert previous is not None
    return Debrief(
        1, 1, Status.ACTIVE, kind_key, kind_key, 50, None,
        answers={previous.key: "Acme"}, asked_at=asked_at,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("after", "quick"), [(0, True), (1, True), (5, True), (10, True), (11, False), (60, False)]
)
def test_an_answer_within_seconds_of_its_question_may_be_the_rest_of_the_one_before(
    after: int, quick: bool
) -> None:
    second = checklist().key_after(checklist().first.key)
    assert second is not None
    debrief = _quick_case(second)
    assert answered_quickly(checklist(), debrief, sent_at=100 + after) is quick


def test_no_quick_answer_without_a_known_question_time_or_a_previous_answer() -> None:
    second = checklist().key_after(checklist().first.key)
    assert second is not None
    assert not answered_quickly(checklist(), _quick_case(second, asked_at=None), sent_at=101)
    assert not answered_quickly(checklist(), _quick_case(second), sent_at=None)
    bare = replace(_quick_case(second), answers={})
    assert not answered_quickly(checklist(), bare, sent_at=101)


EARLIER_ROUND = {
    "company": "Acme",
    "position": "Backend engineer",
    "interviewers": "Ms Claire Martin, HR Director",
    "company_info": "A robotics SME",
    "commute": "40 minutes",
    "atmosphere": "Quiet open space",
    "rating": "4",
}


def _round_two(current_key: str = "position", **answers: str) -> Debrief:
    """Return a debrief in the express order, at `current_key`, with these answers."""
    return replace(
        _debrief(
            current_key=current_key, asked_key=current_key, answers={"company": "Acme", **answers}
        ),
        phase=Phase.EXPRESS,
        previous_id=7,
    )


def test_linking_takes_the_position_and_the_lasting_facts_and_moves_past_the_position() -> None:
    answers, kept, current = carried_over(checklist(), _round_two(), EARLIER_ROUND)

    assert answers == {
        "position": "Backend engineer",
        "company_info": "A robotics SME",
        "commute": "40 minutes",
    }
    # Only the facts that last are kept from asking; the people met are offered, not carried.
    assert kept == {"company_info", "commute"}
    assert current == "interviewers"


def test_what_this_round_was_told_is_never_overwritten_by_the_round_before() -> None:
    debrief = _round_two("next_steps", position="Tech lead", commute="1 hour now")

    answers, kept, current = carried_over(checklist(), debrief, EARLIER_ROUND)

    assert answers == {"company_info": "A robotics SME"}
    assert kept == {"company_info"}
    assert current == "next_steps"


def test_kept_questions_are_left_out_of_the_order_and_the_counts() -> None:
    debrief = replace(_round_two("next_steps"), kept=frozenset({"company_info", "commute"}))
    order = sequence(checklist(), debrief)

    assert "company_info" not in order
    assert "commute" not in order
    deeper = [key for key in checklist().deeper if key not in debrief.kept]
    assert next_key(checklist(), debrief, "atmosphere") == deeper[deeper.index("atmosphere") + 1]
    assert previous_key(checklist(), debrief, "position_info") == "working_conditions"
    number, total = progress(checklist(), debrief, "position_info")
    assert (number, total) == (deeper.index("position_info") + 1, len(checklist().deeper) - 2)
    # From a kept question (made current by an older version), the order still goes on.
    assert next_key(checklist(), debrief, "company_info") == "atmosphere"
