"""Typed answers are validated and normalised per kind of question, and displayed back."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.answers import Accepted, Rejected, display, interpret, stars
from conversations.checklist import Kind, Question, checklist
from conversations.i18n import Language, catalog

TODAY = date(2026, 11, 26)


def _question(key: str) -> Question:
    return checklist().question(key)


def test_each_kind_has_a_question_in_the_shipped_checklist() -> None:
    kinds = {question.kind for question in checklist()}

    assert kinds == set(Kind)
    assert _question("company").kind is Kind.TEXT
    assert _question("interviewer_decides").kind is Kind.CHOICE
    assert _question("rating").kind is Kind.RATING
    assert _question("interview_date").kind is Kind.DATE
    assert _question("interviewers").kind is Kind.PEOPLE


def test_a_text_answer_is_kept_stripped_but_otherwise_verbatim() -> None:
    typed = "  Acme <b>&</i> 🚀\n  second line  \n"

    assert interpret(_question("company"), typed, today=TODAY) == Accepted(
        "Acme <b>&</i> 🚀\n  second line"
    )


@pytest.mark.parametrize(
    "key", ["company", "interviewer_decides", "rating", "interview_date", "interviewers"]
)
@pytest.mark.parametrize("typed", ["", "   ", "\n\t "])
def test_an_empty_answer_is_rejected_for_every_kind(key: str, typed: str) -> None:
    assert interpret(_question(key), typed, today=TODAY) == Rejected("answer.empty")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Oui", "yes"),
        ("Yes", "yes"),
        ("yes", "yes"),
        ("OUI", "yes"),
        ("ouais", "yes"),
        ("y", "yes"),
        ("yep!", "yes"),
        ("Non", "no"),
        ("No.", "no"),
        ("nope", "no"),
        ("Je ne sais pas", "unknown"),
        ("je  ne   sais pas", "unknown"),
        ("Aucune idee", "unknown"),
        ("AUCUNE IDÉE", "unknown"),
        ("Don't know", "unknown"),
        ("don’t know", "unknown"),
        ("not sure", "unknown"),
        ("idk", "unknown"),
        ("unknown", "unknown"),
    ],
)
def test_a_choice_is_read_from_its_label_key_or_synonyms_in_both_languages(
    typed: str, expected: str
) -> None:
    assert interpret(_question("interviewer_decides"), typed, today=TODAY) == Accepted(expected)


@pytest.mark.parametrize("typed", ["maybe", "peut-être", "yes no", "1"])
def test_an_unknown_choice_is_rejected(typed: str) -> None:
    assert interpret(_question("interviewer_decides"), typed, today=TODAY) == Rejected(
        "answer.choice_invalid"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4", "4"),
        (" 4 ", "4"),
        ("4/5", "4"),
        ("4 / 5", "4"),
        ("4 sur 5", "4"),
        ("4 out of 5", "4"),
        ("4.0", "4"),
        ("3 étoiles", "3"),
        ("2 stars", "2"),
        ("1", "1"),
        ("5", "5"),
        ("★★★", "3"),
        ("⭐⭐⭐⭐", "4"),
        ("⭐️⭐️", "2"),
        ("* * * * *", "5"),
    ],
)
def test_a_rating_is_read_from_a_digit_a_fraction_or_stars(typed: str, expected: str) -> None:
    assert interpret(_question("rating"), typed, today=TODAY) == Accepted(expected)


@pytest.mark.parametrize("typed", ["6", "0", "great", "4/10", "★★★★★★", "4.5", "-1"])
def test_a_rating_outside_one_to_five_is_rejected(typed: str) -> None:
    assert interpret(_question("rating"), typed, today=TODAY) == Rejected("answer.rating_invalid")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hier", "2026-11-25"),
        ("today", "2026-11-26"),
        ("25/11", "2026-11-25"),
        ("le 1er décembre", "2025-12-01"),
    ],
)
def test_a_date_is_stored_in_iso_format(typed: str, expected: str) -> None:
    assert interpret(_question("interview_date"), typed, today=TODAY) == Accepted(expected)


def test_a_date_in_the_future_is_rejected() -> None:
    rejected = interpret(_question("interview_date"), "27/11/2026", today=TODAY)

    assert rejected == Rejected("answer.date_future")


def test_an_unreadable_date_is_rejected() -> None:
    rejected = interpret(_question("interview_date"), "sometime", today=TODAY)

    assert rejected == Rejected("answer.date_invalid")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Mme Claire Martin, DRH, claire@acme.fr", "Mme Claire Martin, DRH, claire@acme.fr"),
        ("  claire.dubois@acme.example ", "claire.dubois@acme.example"),
        (
            "Claire\n\n  M. Durand (CTO) <durand@acme.fr>  ",
            "Claire\nM. Durand (CTO) <durand@acme.fr>",
        ),
        ("Claire Martin et Julien Roche", "Claire Martin et Julien Roche"),
        ("- Mr. Smith, mailto:smith@acme.co.uk", "- Mr. Smith, mailto:smith@acme.co.uk"),
    ],
)
def test_people_met_are_accepted_one_per_line(typed: str, expected: str) -> None:
    assert interpret(_question("interviewers"), typed, today=TODAY) == Accepted(expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Claire, claire@", "answer.people_email_invalid"),
        ("Claire, @acme.fr", "answer.people_email_invalid"),
        ("Claire Martin et Julien Roche, claire@acme.fr", "answer.people_one_per_line"),
        ("Claire Martin et Julien Roche, DRH et CTO", "answer.people_one_per_line"),
        ("j'ai vu la DRH puis le CTO et aussi deux développeurs", "answer.people_invalid"),
        ("Salle 42", "answer.people_invalid"),
        ("\n".join(f"Person {chr(65 + n)}" for n in range(9)), "answer.people_too_many"),
    ],
)
def test_a_line_that_is_not_a_person_is_refused_with_the_reason(typed: str, reason: str) -> None:
    assert interpret(_question("interviewers"), typed, today=TODAY) == Rejected(reason)


def test_every_rejection_reason_is_a_catalogue_key() -> None:
    reasons = {
        "answer.empty",
        "answer.choice_invalid",
        "answer.rating_invalid",
        "answer.date_invalid",
        "answer.date_future",
        "answer.people_email_invalid",
        "answer.people_one_per_line",
        "answer.people_invalid",
        "answer.people_too_many",
    }
    assert reasons <= catalog().keys("en")
    assert reasons <= catalog().keys("fr")


@pytest.mark.parametrize(
    ("key", "value", "language", "expected"),
    [
        ("company", "Acme <b>&</i> 🚀", "fr", "Acme <b>&</i> 🚀"),
        ("interviewer_decides", "yes", "fr", "Oui"),
        ("interviewer_decides", "unknown", "en", "Don't know"),
        ("interviewer_decides", "retired_option", "en", "retired_option"),
        ("rating", "4", "fr", "★★★★☆ 4/5"),
        ("rating", "1", "en", "★☆☆☆☆ 1/5"),
        ("interview_date", "2026-11-25", "fr", "mercredi 25 novembre 2026"),
        ("interview_date", "2026-12-01", "en", "Tuesday 1 December 2026"),
        ("interview_date", "not a date", "en", "not a date"),
        ("interviewers", "Mme Claire Martin, DRH", "en", "Mme Claire Martin, DRH"),
    ],
)
def test_display_shows_each_kind_as_the_user_reads_it(
    key: str, value: str, language: Language, expected: str
) -> None:
    assert display(_question(key), value, language) == expected


def test_stars_draws_a_rating_out_of_five() -> None:
    assert stars(0) == "☆☆☆☆☆"
    assert stars(3) == "★★★☆☆"
    assert stars(5) == "★★★★★"


def _of_length(question: Question, length: int) -> str:
    """Return a valid answer to a text or people question, exactly `length` characters long."""
    if question.kind is Kind.PEOPLE:
        return "Claire Martin, " + "é" * (length - len("Claire Martin, "))
    return "é" * length


@pytest.mark.parametrize(
    ("key", "limit"),
    [("company", 200), ("position", 200), ("interviewers", 2000), ("impressions", 20_000)],
)
def test_an_answer_over_its_questions_limit_is_refused_as_too_long(key: str, limit: int) -> None:
    question = _question(key)

    assert question.limit == limit
    fitting = _of_length(question, limit)
    assert interpret(question, fitting, today=TODAY) == Accepted(fitting)
    too_long = _of_length(question, limit + 1)
    assert interpret(question, too_long, today=TODAY) == Rejected("answer.too_long")


def test_an_email_address_over_254_characters_is_refused() -> None:
    address = "claire." * 40 + "@acme.example"

    assert interpret(_question("interviewers"), f"Claire, {address}", today=TODAY) == Rejected(
        "answer.people_email_invalid"
    )


def test_one_telegram_message_is_always_accepted_as_a_free_text_answer() -> None:
    free_text = [q for q in checklist() if q.kind is Kind.TEXT and q.max_length is None]

    assert len(free_text) == 20
    for question in free_text:
        for message in ("é" * 4096, "🙂" * 2048):  # Telegram's most: 4,096 UTF-16 units
            assert interpret(question, message, today=TODAY) == Accepted(message)
