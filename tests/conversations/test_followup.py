"""Follow-ups after a debrief: the questions, "no news" and feedback emails, and the brief."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from importlib import resources
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conversations.checklist import checklist
from conversations.email import EmailDraft, forgotten_questions
from conversations.followup import (
    MAX_QUESTIONS,
    MAX_WORDS,
    MIN_WORDS,
    build_feedback_email,
    build_follow_up_email,
    build_preparation_brief,
    build_questions_email,
)
from conversations.i18n import LANGUAGES, Language, catalog, placeholders
from conversations.summary import Summary, SummaryItem
from tests.conversations.test_email import FRENCH_ANSWERS
from tests.samples import FULL_ANSWERS, long_answers, long_text

SENDER = "Jean Martin"
INTERVIEW = date(2026, 11, 25)
LATER = date(2026, 12, 7)

Builder = Callable[[Mapping[str, str], Language], EmailDraft]


def _questions(answers: Mapping[str, str], language: Language) -> EmailDraft:
    draft = build_questions_email(answers, language=language, sender=SENDER)
    assert draft is not None
    return draft


def _follow_up(attempt: int) -> Builder:
    def build(answers: Mapping[str, str], language: Language) -> EmailDraft:
        return build_follow_up_email(
            answers,
            language=language,
            sender=SENDER,
            attempt=attempt,
            today=LATER,
        )

    return build


def _feedback(answers: Mapping[str, str], language: Language) -> EmailDraft:
    return build_feedback_email(answers, language=language, sender=SENDER)


BUILDERS = [
    pytest.param(_questions, id="questions"),
    pytest.param(_follow_up(1), id="follow-up-1"),
    pytest.param(_follow_up(2), id="follow-up-2"),
    pytest.param(_feedback, id="feedback"),
]
MINIMAL = {"company": "Acme", "forgotten_questions": "Salary?"}


def _every_answer(length: int) -> dict[str, str]:
    return {question.key: long_text(length, seed=n) for n, question in enumerate(checklist())}


def _words(draft: EmailDraft) -> set[str]:
    return set(re.findall(r"\w+", f"{draft.subject}\n{draft.body}".lower()))


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(MINIMAL, id="minimal"),
        pytest.param(FULL_ANSWERS, id="full"),
        pytest.param(FRENCH_ANSWERS, id="full-french-notes"),
        pytest.param(long_answers(4000), id="text-answers-4000-characters"),
        pytest.param(_every_answer(4000), id="every-answer-4000-characters"),
        pytest.param(
            dict.fromkeys(("company", "position"), "x" * 4000)
            | {"forgotten_questions": f"{'x' * 4000}?\nSalary?", "email_strength": "x" * 4000},
            id="4000-character-words",
        ),
    ],
)
def test_every_email_is_60_to_150_words_and_under_4000_characters(
    build: Builder, language: Language, answers: dict[str, str]
) -> None:
    if build is _questions and not build_questions_email(answers, language=language, sender=""):
        # A pasted page of prose holds no question short enough to send as it is.
        assert len(answers["forgotten_questions"]) == 4000
        return
    draft = build(answers, language)

    assert MIN_WORDS <= draft.words <= MAX_WORDS, draft.body
    assert len(draft.body) <= 4000
    assert len(draft.subject) <= 4000
    assert len(draft.subject.split()) <= 20
    assert draft.body.endswith(SENDER)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"company": "Acme"}, id="not-answered"),
        pytest.param({"company": "Acme", "forgotten_questions": ""}, id="empty"),
        pytest.param({"company": "Acme", "forgotten_questions": "  \n "}, id="blank"),
        pytest.param({"company": "Acme", "forgotten_questions": "- \n;\n•"}, id="only-bullets"),
    ],
)
def test_no_questions_email_without_forgotten_questions(
    answers: dict[str, str], language: Language
) -> None:
    assert build_questions_email(answers, language=language, sender=SENDER) is None


def test_the_questions_email_lists_the_questions_politely() -> None:
    draft = _questions(FULL_ANSWERS, "en")

    assert draft.subject == "Questions following our interview — Senior Backend Engineer"
    assert draft.body.startswith(
        "Dear Ms Dubois,\n\n"
        "Thank you again for our recent conversation about the Senior Backend Engineer position"
        " at Acme Robotics"
    )
    assert (
        "that I did not get the chance to ask during the interview:\n"
        "- What does on-call look like?\n"
        "- How is the team split between sites?\n"
        "- When would the role start?\n"
        "- Is there a training budget?\n\n"
        "I would be grateful for your answers"
    ) in draft.body
    assert "Thank you in advance for your time." in draft.body
    assert draft.body.endswith("Kind regards,\nJean Martin")


def test_the_french_questions_email_uses_french_typography() -> None:
    draft = _questions(FRENCH_ANSWERS, "fr")

    assert draft.subject == "Questions suite à notre entretien — Développeur backend senior"
    assert draft.body.startswith("Bonjour Madame Dubois,\n\nJe vous remercie encore")
    assert (
        "lors de l'entretien\u00a0:\n"
        "- Comment fonctionnent les astreintes\u00a0?\n"
        "- Comment l'équipe est-elle répartie entre les sites\u00a0?\n"
        "- Quand le poste commencerait-il\u00a0?\n"
        "- Y a-t-il un budget formation\u00a0?\n\n"
        "Vos réponses me seraient précieuses"
    ) in draft.body
    assert draft.body.endswith("Bien cordialement,\nJean Martin")


def test_at_most_five_questions_are_asked() -> None:
    asked = "\n".join(f"Question number {n}?" for n in range(1, 8))

    body = _questions({"company": "Acme", "forgotten_questions": asked}, "en").body

    assert "- Question number 5?\n" in body
    assert "Question number 6" not in body
    assert MAX_QUESTIONS == 5


def test_questions_are_split_and_get_a_question_mark_and_a_capital() -> None:
    answers = {"company": "Acme", "forgotten_questions": "- what salary range? remote days ?"}

    body = _questions(answers, "en").body

    assert "- What salary range?\n- Remote days?\n" in body


def test_forgotten_questions_is_shared_with_the_thank_you_email() -> None:
    note = "1. how is on-call organised ;\n2) Remote days ? start date\n\nWhat budget?"

    assert forgotten_questions(note, language="en") == [
        "How is on-call organised?",
        "Remote days?",
        "What budget?",
    ]
    assert forgotten_questions(note, language="fr", limit=2) == [
        "How is on-call organised\u00a0?",
        "Remote days\u00a0?",
    ]
    assert forgotten_questions("salary\nstart date", language="en") == []
    assert forgotten_questions(f"Why {'very ' * 50}long?", language="en") == []
    assert forgotten_questions(None, language="en") == []


@pytest.mark.parametrize("build", BUILDERS)
def test_the_subject_names_the_position_or_else_the_company(build: Builder) -> None:
    with_position = build(FULL_ANSWERS, "en").subject
    without = build(MINIMAL, "fr").subject

    assert with_position.endswith(" — Senior Backend Engineer")
    assert without.endswith(" — Acme")


@pytest.mark.parametrize("build", BUILDERS)
def test_the_greeting_uses_the_name_or_a_neutral_formal_one(build: Builder) -> None:
    assert build(FULL_ANSWERS, "en").body.startswith("Dear Ms Dubois,\n\n")
    assert build(FULL_ANSWERS, "fr").body.startswith("Bonjour Madame Dubois,\n\n")
    assert build(MINIMAL, "en").body.startswith("Hello,\n\n")
    assert build(MINIMAL, "fr").body.startswith("Madame, Monsieur,\n\n")


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    "answers",
    [pytest.param(FRENCH_ANSWERS, id="full"), pytest.param(MINIMAL, id="minimal")],
)
def test_french_emails_say_vous_never_tu_and_are_gender_neutral(
    build: Builder, answers: dict[str, str]
) -> None:
    draft = build(answers, "fr")
    words = _words(draft)

    assert "vous" in words
    assert words.isdisjoint({"tu", "toi", "ton", "ta", "tes", "te"})
    gendered = {"ravi", "intéressé", "reconnaissant", "convaincu", "déçu", "motivé", "informé"}
    assert words.isdisjoint(gendered | {f"{word}e" for word in gendered})
    assert "(e)" not in draft.body
    assert "·e" not in draft.body


@pytest.mark.parametrize("build", BUILDERS)
def test_french_emails_put_a_non_breaking_space_before_double_punctuation(
    build: Builder,
) -> None:
    draft = build(FRENCH_ANSWERS, "fr")

    assert re.findall(r".[?:!;]", f"{draft.subject}\n{draft.body}") != []
    assert re.findall(r"[^\u00a0][?:!;]", f"{draft.subject}\n{draft.body}") == []


def test_french_followup_texts_put_a_non_breaking_space_before_double_punctuation() -> None:
    texts = catalog()
    wrong = {
        key: texts.template("fr", key)
        for key in texts.keys("fr")
        if key.startswith("followup.") and re.search(r"[^\u00a0][?:!;]", texts.template("fr", key))
    }

    assert wrong == {}


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_recipient_is_the_interviewer_and_mailto_opens_the_draft(
    build: Builder, language: Language
) -> None:
    answers = {**FRENCH_ANSWERS, "email_strength": "R&D + 50% = ça marche?! #1 <ok>"}
    draft = build(answers, language)

    link = draft.mailto()

    assert draft.to == "claire.dubois@acme.example"
    assert link is not None
    assert " " not in link
    assert "\n" not in link
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    assert unquote(parts.path) == "claire.dubois@acme.example"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert query == {"subject": [draft.subject], "body": [draft.body]}
    assert build(MINIMAL, language).to is None
    assert build(MINIMAL, language).mailto() is None


@pytest.mark.parametrize(
    ("interview_date", "language", "expected"),
    [
        (INTERVIEW, "en", "follow up on our interview on Wednesday 25 November about the"),
        (INTERVIEW, "fr", "suite de notre entretien du mercredi 25 novembre concernant le"),
        (date(2025, 11, 25), "fr", "entretien du mardi 25 novembre 2025 concernant le"),
        (LATER - timedelta(days=1), "en", "follow up on our interview yesterday about the"),
        (LATER - timedelta(days=1), "fr", "suite de notre entretien d'hier concernant le"),
        (None, "en", "follow up on our interview about the Senior Backend Engineer position"),
        (None, "fr", "suite de notre entretien concernant le poste de Développeur"),
    ],
)
def test_the_follow_up_says_when_the_interview_took_place_in_words(
    interview_date: date | None, language: Language, expected: str
) -> None:
    answers = dict(FULL_ANSWERS if language == "en" else FRENCH_ANSWERS)
    answers.pop("interview_date")
    if interview_date is not None:
        answers["interview_date"] = interview_date.isoformat()
    draft = build_follow_up_email(answers, language=language, sender=SENDER, attempt=1, today=LATER)

    assert expected in draft.body


def test_the_follow_up_restates_interest_and_asks_where_the_process_stands() -> None:
    body = _follow_up(1)(FULL_ANSWERS, "en").body
    generic = _follow_up(1)(MINIMAL, "en").body

    assert "confirmed my strong interest in the position" in body
    assert "quickly be useful to your team thanks to the RabbitMQ cluster I ran" in body
    assert "Could you let me know where the recruitment process stands" in body
    assert "contribute quickly to your team's goals." in generic
    assert "où en est le processus de recrutement" in _follow_up(1)(FRENCH_ANSWERS, "fr").body


def test_the_second_follow_up_is_firmer_but_courteous() -> None:
    first = _follow_up(1)(FULL_ANSWERS, "en")
    second = _follow_up(2)(FULL_ANSWERS, "en")
    french = _follow_up(2)(FRENCH_ANSWERS, "fr")

    assert second.subject == "Following up again on my application — Senior Backend Engineer"
    assert "I am following up again on my application for the Senior Backend Engineer" in (
        second.body
    )
    assert "when a decision is expected" in second.body
    assert "Thank you in advance" in second.body
    assert "again" not in first.subject
    assert "following up again" not in first.body
    assert french.subject == "Relance de ma candidature — Développeur backend senior"
    assert "Je me permets de vous relancer" in french.body
    assert _follow_up(3)(FULL_ANSWERS, "en") == second


def test_the_follow_up_needs_a_positive_attempt() -> None:
    with pytest.raises(ValueError, match="attempt"):
        _follow_up(0)(FULL_ANSWERS, "en")


def test_the_follow_up_reads_no_clock() -> None:
    draft = build_follow_up_email(
        {**FULL_ANSWERS, "interview_date": "2031-03-03"},
        language="en",
        sender=SENDER,
        attempt=1,
        today=date(2031, 3, 4),
    )

    assert "our interview yesterday" in draft.body


def test_the_feedback_email_thanks_them_and_asks_for_feedback() -> None:
    english = _feedback(FULL_ANSWERS, "en")
    french = _feedback(FRENCH_ANSWERS, "fr")

    assert english.subject == "Your feedback on my interview — Senior Backend Engineer"
    assert "Thank you for letting me know your decision regarding the Senior Backend" in (
        english.body
    )
    assert "I would be very grateful for your feedback on my interview" in english.body
    assert "which points I should work on" in english.body
    assert french.subject == "Votre retour sur mon entretien — Développeur backend senior"
    assert "vos retours sur mon entretien me seraient très précieux" in french.body


@pytest.mark.parametrize("build", BUILDERS)
def test_private_notes_never_reach_the_recruiter(build: Builder) -> None:
    body = build(FULL_ANSWERS, "en").body

    for key in ("obstacles", "blunders", "not_convinced", "improve", "awkward_questions"):
        assert FULL_ANSWERS[key] not in body


# The preparation brief.

SECOND_ROUND: dict[str, str] = {
    "company": "Acme Robotics SAS",
    "interview_date": "2026-12-03",
    "interviewers": "M. Marc Petit, CTO",
    "interviewer_decides": "no",
    "obstacles": "no team lead experience",
    "improve": "Answer in two minutes, not ten.",
    "next_steps": "Final answer on Friday.",
    "commute": "Still 45 minutes.",
}
BRIEF_KEYS = (
    "interviewers",
    "obstacles",
    "counter_arguments",
    "awkward_questions",
    "forgotten_questions",
    "improve",
    "best_arguments",
    "next_steps",
)


def _items(brief: Summary) -> dict[str, dict[str, str]]:
    return {
        section.title: {item.label: item.answer for item in section.items}
        for section in brief.sections
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_brief_quotes_every_relevant_answer_verbatim(language: Language) -> None:
    brief = build_preparation_brief([FULL_ANSWERS, SECOND_ROUND], language=language)
    quoted = [item.answer for section in brief.sections for item in section.items]

    for answers in (FULL_ANSWERS, SECOND_ROUND):
        for key in BRIEF_KEYS:
            if key in answers:
                assert any(answers[key] in answer for answer in quoted), key
    for key in ("commute", "atmosphere", "how_it_went"):
        assert all(FULL_ANSWERS[key] not in answer for answer in quoted), key


def test_the_brief_has_its_sections_in_order_with_one_item_per_round() -> None:
    brief = build_preparation_brief([FULL_ANSWERS, SECOND_ROUND], language="en")

    assert brief.title == "🎯 Preparing your next round at Acme Robotics SAS"
    assert _items(brief) == {
        "The interviewers so far": {
            "Round 1": f"{FULL_ANSWERS['interviewers']}\nMakes the hiring decision",
            "Round 2": "M. Marc Petit, CTO\nDoes not make the hiring decision",
        },
        "Obstacles and your answers": {
            "Round 1": "my lack of Kafka experience\n"
            f"Your answer: {FULL_ANSWERS['counter_arguments']}",
            "Round 2": "no team lead experience\nYour answer: none noted yet — prepare one.",
        },
        "Awkward questions to rehearse": {
            "Round 1": FULL_ANSWERS["awkward_questions"],
        },
        "Questions still to ask": {
            "Round 1": FULL_ANSWERS["forgotten_questions"],
        },
        "What you wanted to improve": {
            "Round 1": FULL_ANSWERS["improve"],
            "Round 2": SECOND_ROUND["improve"],
        },
        "Your blunders, not to repeat": {"Round 1": FULL_ANSWERS["blunders"]},
        "Who you did not convince": {"Round 1": FULL_ANSWERS["not_convinced"]},
        "Your best arguments": {
            "Round 1": FULL_ANSWERS["best_arguments"],
        },
        "What was announced": {
            "Round 1": FULL_ANSWERS["next_steps"],
            "Round 2": SECOND_ROUND["next_steps"],
        },
    }
    assert (brief.answered, brief.total) == (9, 9)


def test_the_french_brief() -> None:
    brief = build_preparation_brief([FRENCH_ANSWERS], language="fr")

    assert brief.title == "🎯 Préparer votre prochain entretien chez Acme Robotics"
    assert [section.title for section in brief.sections] == [
        "Vos interlocuteurs jusqu'ici",
        "Les freins et vos réponses",
        "Les questions gênantes à préparer",
        "Les questions encore à poser",
        "Ce que vous vouliez améliorer",
        "Vos maladresses, à ne pas refaire",
        "Qui vous n'aviez pas convaincu",
        "Vos meilleurs arguments",
        "Ce qui a été annoncé",
    ]
    obstacles = brief.sections[1].items
    assert obstacles == (
        SummaryItem(
            "",
            f"mon manque d'expérience sur Kafka\nVotre réponse\u00a0: "
            f"{FRENCH_ANSWERS['counter_arguments']}",
        ),
    )


def test_the_brief_skips_empty_sections_and_rounds() -> None:
    rounds = [
        {"company": "Acme", "improve": "Slow down.", "obstacles": "   "},
        {"company": "Acme", "interview_date": "not a date", "counter_arguments": "I learn fast."},
    ]

    brief = build_preparation_brief(rounds, language="en")

    assert _items(brief) == {
        "Obstacles and your answers": {"Round 2": "Your answer: I learn fast."},
        "What you wanted to improve": {"Round 1": "Slow down."},
    }
    assert (brief.answered, brief.total) == (2, 9)


def test_the_brief_keeps_answers_verbatim_including_markup() -> None:
    odd = "Acme <b>&</i> 🚀\nsecond line with &amp; and <script>"

    brief = build_preparation_brief(
        [{"company": odd, "awkward_questions": odd, "interviewers": odd}], language="en"
    )

    assert odd in brief.title
    # One round: no label repeats it under every heading.
    assert _items(brief)["Awkward questions to rehearse"] == {"": odd}
    assert _items(brief)["The interviewers so far"] == {"": odd}


def test_the_brief_of_no_notes_is_empty() -> None:
    assert build_preparation_brief([], language="en") == Summary(
        "🎯 Preparing your next round at ?", (), answered=0, total=9
    )
    assert build_preparation_brief([{"company": "Acme"}], language="fr").sections == ()


def test_the_brief_names_the_interviewer_with_only_a_name_or_a_role() -> None:
    rounds = [
        {"company": "Acme", "interviewers": "Claire"},
        {"company": "Acme", "interviewers": "HR"},
        {"company": "Acme", "interviewer_decides": "unknown"},
    ]

    brief = build_preparation_brief(rounds, language="en")

    assert _items(brief) == {"The interviewers so far": {"Round 1": "Claire", "Round 2": "HR"}}


# The texts.


def _followup_file(language: Language) -> dict[str, object]:
    folder = resources.files("conversations") / "locales"
    return tomllib.loads((folder / f"followup.{language}.toml").read_text("utf-8"))


def test_the_followup_files_hold_only_a_followup_table_with_the_same_keys() -> None:
    english, french = _followup_file("en"), _followup_file("fr")

    assert list(english) == list(french) == ["followup"]
    assert isinstance(english["followup"], dict)
    assert isinstance(french["followup"], dict)
    assert english["followup"].keys() == french["followup"].keys()


def test_the_followup_texts_have_the_same_placeholders_in_both_languages() -> None:
    texts = catalog()
    keys = {key for key in texts.keys("en") if key.startswith("followup.")}

    assert keys == {key for key in texts.keys("fr") if key.startswith("followup.")}
    assert len(keys) > 30
    for key in keys:
        assert placeholders(texts.template("en", key)) == placeholders(texts.template("fr", key)), (
            key
        )


def test_the_brief_title_names_the_coming_round_s_date() -> None:
    day = date(2026, 12, 10)

    french = build_preparation_brief([FULL_ANSWERS], language="fr", round_date=day, today=LATER)
    english = build_preparation_brief([FULL_ANSWERS], language="en", round_date=day)

    assert french.title == "🎯 Préparer votre entretien du jeudi 10 décembre chez Acme Robotics"
    assert english.title == "🎯 Preparing your round on Thursday 10 December 2026 at Acme Robotics"
