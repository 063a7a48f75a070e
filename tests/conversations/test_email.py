"""The thank-you email draft: 100–200 words that quote the debrief's most useful notes."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conversations.checklist import checklist
from conversations.email import EmailDraft, build_thank_you, sending_advice
from conversations.i18n import LANGUAGES, Language
from tests.samples import FULL_ANSWERS, TODAY, long_answers, long_text

SENDER = "Jean Martin"

FRENCH_ANSWERS: dict[str, str] = {
    **FULL_ANSWERS,
    "position": "Développeur backend senior",
    "company_info": "Ils migrent toute leur télémétrie vers une plateforme événementielle.",
    "position_info": "l'équipe cherche quelqu'un pour reprendre la chaîne d'ingestion",
    "obstacles": "mon manque d'expérience sur Kafka",
    "counter_arguments": "j'ai administré pendant trois ans un cluster RabbitMQ de deux millions"
    " de messages par jour",
    "best_arguments": "j'ai réduit de 60 % la latence de notre API de paiement l'an dernier",
    "forgotten_questions": "Comment fonctionnent les astreintes ?\n"
    "Comment l'équipe est-elle répartie entre les sites ?\n"
    "Quand le poste commencerait-il ?\n"
    "Y a-t-il un budget formation ?",
}


def _draft(answers: dict[str, str], language: Language) -> EmailDraft:
    return build_thank_you(answers, language=language, sender=SENDER, today=TODAY)


def _every_answer_4000_characters() -> dict[str, str]:
    return {question.key: long_text(4000, seed=n) for n, question in enumerate(checklist())}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"company": "Acme"}, id="company-only"),
        pytest.param(FULL_ANSWERS, id="full"),
        pytest.param(FRENCH_ANSWERS, id="full-french-notes"),
        pytest.param(long_answers(4000), id="text-answers-4000-characters"),
        pytest.param(_every_answer_4000_characters(), id="every-answer-4000-characters"),
        pytest.param({"company": long_text(4000)}, id="company-4000-characters"),
    ],
)
def test_the_draft_is_between_100_and_200_words(
    answers: dict[str, str], language: Language
) -> None:
    draft = _draft(answers, language)

    assert 100 <= draft.words <= 200, draft.body
    assert len(draft.subject.split()) <= 20
    assert draft.words == len(draft.body.split())


def test_greeting_uses_the_interviewer_name() -> None:
    assert _draft(FULL_ANSWERS, "en").body.startswith("Dear Claire Dubois,\n\n")
    assert _draft(FULL_ANSWERS, "fr").body.startswith("Bonjour Claire Dubois,\n\n")


def test_greeting_is_formal_without_a_name() -> None:
    assert _draft({"company": "Acme"}, "en").body.startswith("Hello,\n\n")
    assert _draft({"company": "Acme"}, "fr").body.startswith("Madame, Monsieur,\n\n")


def test_subject_names_the_position_or_else_the_company() -> None:
    assert (
        _draft(FULL_ANSWERS, "en").subject
        == "Thank you for our interview — Senior Backend Engineer"
    )
    assert _draft(FRENCH_ANSWERS, "fr").subject == (
        "Remerciements pour notre entretien — Développeur backend senior"
    )
    assert _draft({"company": "Acme"}, "en").subject == "Thank you for our interview — Acme"


def test_the_thanks_name_the_role_the_company_and_when_they_met() -> None:
    english = _draft(FULL_ANSWERS, "en").body
    french = _draft(FRENCH_ANSWERS, "fr").body

    assert "meet me yesterday to discuss the Senior Backend Engineer position at Acme Robotics" in (
        english
    )
    assert "accordé hier pour échanger sur le poste de Développeur backend senior chez Acme" in (
        french
    )


@pytest.mark.parametrize(
    ("days_ago", "language", "expected"),
    [
        (0, "en", "meet me today to"),
        (0, "fr", "accordé aujourd'hui pour"),
        (6, "en", "meet me on Friday 20 November 2026 to"),
        (6, "fr", "accordé le vendredi 20 novembre 2026 pour"),
    ],
)
def test_the_thanks_say_when_the_interview_took_place(
    days_ago: int, language: Language, expected: str
) -> None:
    answers = {**FULL_ANSWERS, "interview_date": (TODAY - timedelta(days=days_ago)).isoformat()}

    assert expected in _draft(answers, language).body


def test_it_mentions_one_specific_point_the_best_argument_and_the_counter_argument() -> None:
    body = _draft(FULL_ANSWERS, "en").body

    assert "They are moving their fleet telemetry to an event-driven platform" in body
    assert "Growth of 40%" not in body, "only the first sentence of a note is quoted"
    assert "I cut the p99 latency of our payment API by 60% last year" in body
    assert "the team needs someone to own the ingestion pipeline" in body
    assert "Regarding my lack of Kafka experience, I would like to add: I ran a RabbitMQ" in body


def test_french_draft_quotes_the_same_notes() -> None:
    body = _draft(FRENCH_ANSWERS, "fr").body

    assert "Ils migrent toute leur télémétrie" in body
    assert "j'ai réduit de 60 % la latence" in body
    assert (
        "Concernant mon manque d'expérience sur Kafka, je tiens à préciser : j'ai administré"
        in (body)
    )


def test_the_specific_point_falls_back_to_the_atmosphere_then_a_generic_sentence() -> None:
    without_info = {**FULL_ANSWERS, "company_info": ""}
    without_notes = {"company": "Acme"}

    assert "Relaxed, people joked in the corridor" in _draft(without_info, "en").body
    assert "learning more about Acme, your team" in _draft(without_notes, "en").body


def test_the_obstacle_is_only_raised_together_with_its_counter_argument() -> None:
    obstacle_only = {**FULL_ANSWERS, "counter_arguments": ""}
    counter_only = {**FULL_ANSWERS, "obstacles": ""}

    assert "Kafka" not in _draft(obstacle_only, "en").body
    assert "I would also like to add: I ran a RabbitMQ cluster" in _draft(counter_only, "en").body


def test_up_to_three_forgotten_questions_are_asked_politely() -> None:
    body = _draft(FULL_ANSWERS, "en").body

    assert (
        "There are also a few questions I did not get to ask:\n"
        "- What does on-call look like?\n"
        "- How is the team split between sites?\n"
        "- When would the role start?\n"
        "Thank you in advance for your answers."
    ) in body
    assert "training budget" not in body


def test_forgotten_questions_on_one_line_are_split_and_get_a_question_mark() -> None:
    answers = {**FULL_ANSWERS, "forgotten_questions": "- salary range; remote days? start date"}

    body = _draft(answers, "en").body

    assert "- salary range?\n- remote days?\n- start date?\n" in body


def test_french_draft_asks_the_questions_politely() -> None:
    body = _draft(FRENCH_ANSWERS, "fr").body

    assert "je n'ai pas eu l'occasion de vous poser quelques questions :\n" in body
    assert "\n- Comment fonctionnent les astreintes\u00a0?\n" in body
    assert "Je vous remercie par avance pour vos réponses." in body
    assert "budget formation" not in body


@pytest.mark.parametrize(
    "answers",
    [pytest.param(FRENCH_ANSWERS, id="full"), pytest.param({"company": "Acme"}, id="min")],
)
def test_french_draft_uses_vous_and_never_tu(answers: dict[str, str]) -> None:
    draft = _draft(answers, "fr")
    words = set(re.findall(r"\w+", f"{draft.subject}\n{draft.body}".lower()))

    assert "vous" in words
    assert words.isdisjoint({"tu", "toi", "ton", "ta", "tes", "te"})


def test_the_signature_is_the_sender_and_the_recipient_the_interviewer() -> None:
    draft = _draft(FULL_ANSWERS, "en")

    assert draft.body.endswith("Best regards,\nJean Martin")
    assert draft.to == "claire.dubois@acme.example"
    assert _draft({"company": "Acme"}, "en").to is None


def test_mailto_is_none_without_a_recipient() -> None:
    assert EmailDraft(to=None, subject="Hi", body="Hello").mailto() is None
    assert EmailDraft(to="", subject="Hi", body="Hello").mailto() is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_mailto_url_encodes_subject_and_body(language: Language) -> None:
    answers = {**FRENCH_ANSWERS, "best_arguments": "R&D + 50% = ça marche?! #1 <ok>"}
    draft = _draft(answers, language)

    link = draft.mailto()

    assert link is not None
    assert " " not in link
    assert "\n" not in link
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    assert unquote(parts.path) == "claire.dubois@acme.example"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert query == {"subject": [draft.subject], "body": [draft.body]}
    assert "R&D + 50% = ça marche" in draft.body


@pytest.mark.parametrize(
    ("interview_date", "key"),
    [
        (None, "email.advice_unknown"),
        ("", "email.advice_unknown"),
        ("not a date", "email.advice_unknown"),
        (TODAY.isoformat(), "email.advice_today"),
        ((TODAY - timedelta(days=1)).isoformat(), "email.advice_late"),
        ((TODAY - timedelta(days=10)).isoformat(), "email.advice_late"),
    ],
)
def test_sending_advice_depends_on_when_the_interview_was(
    interview_date: str | None, key: str
) -> None:
    assert sending_advice(interview_date, today=TODAY) == key
