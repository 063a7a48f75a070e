"""The context a voice note's transcription is primed with: the question, then the names given."""

from __future__ import annotations

from conversations.checklist import checklist
from conversations.hints import MAX_CONTEXT, speech_context
from conversations.model import Debrief, Status


def _debrief(answers: dict[str, str]) -> Debrief:
    """An active debrief with these answers."""
    return Debrief(1, 1, Status.ACTIVE, "obstacles", "obstacles", 5, None, answers=answers)


def test_the_question_comes_first_then_the_names_already_given() -> None:
    answers = {
        "company": "Acme  Robotics.",
        "interviewers": "Mme Claire Dubois, DRH, claire@acme.fr\nJulien",
        "rating": "4",
    }
    context = speech_context(checklist(), _debrief(answers), "obstacles", language="en")
    prompt = checklist().question("obstacles").prompt("en")
    assert context == f"{prompt} Acme Robotics. Claire Dubois, Julien."


def test_the_answer_being_replaced_is_not_suggested_to_itself() -> None:
    answers = {"company": "Acme", "interviewers": "Zoé Lambert"}
    context = speech_context(checklist(), _debrief(answers), "interviewers", language="fr")
    assert context is not None
    assert "Zoé" not in context
    assert context.endswith("Acme.")


def test_a_later_round_primes_the_people_question_with_the_names_met_before() -> None:
    context = speech_context(
        checklist(),
        _debrief({"company": "Acme"}),
        "interviewers",
        language="en",
        earlier="Ms Zoé Lambert, CTO, zoe@acme.example\nJulien",
    )
    assert context is not None
    assert context.endswith("Acme. Zoé Lambert, Julien.")
    assert "zoe@acme.example" not in context


def test_nothing_known_gives_no_context_and_a_long_one_is_cut_to_its_end() -> None:
    assert speech_context(checklist(), None, None, language="en") is None
    long = _debrief({"company": "A" * 1000})
    context = speech_context(checklist(), long, "obstacles", language="en")
    assert context is not None
    assert len(context) == MAX_CONTEXT
    assert context.endswith("A.")


def test_the_french_question_reaches_whisper_with_plain_spaces_only() -> None:
    # Whisper primed with "entreprise\u00a0?" transcribed a 30-second French note as nothing.
    context = speech_context(checklist(), _debrief({"company": "Acme"}), "obstacles", language="fr")
    assert context is not None
    assert "?" in context
    assert "\u00a0" not in context
    assert "\u202f" not in context
