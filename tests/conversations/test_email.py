"""Every email a candidate gets from Debrief, read as a recruiter would: the corpus rules first."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conversations.checklist import checklist
from conversations.email import (
    EmailDraft,
    build_thank_you,
    parties,
    questions_asked,
    questions_left,
    sending_advice,
)
from conversations.followup import (
    build_feedback_email,
    build_follow_up_email,
    build_questions_email,
)
from conversations.french import elides
from conversations.i18n import LANGUAGES, Language
from tests.conversations.emails_corpus import CORPUS, PRIVATE_KEYS, TODAY, Debrief
from tests.samples import FULL_ANSWERS
from tests.samples import TODAY as SAMPLES_TODAY

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
    "email_moment": "la migration de votre télémétrie vers une plateforme événementielle",
    "email_strength": "mes trois ans d'administration d'un cluster RabbitMQ",
}

_CLOSINGS = re.compile(
    r"Bien cordialement|Cordialement|Bien à vous|Je vous prie d'agréer|Salutations"
    r"|Kind regards|Best regards|Sincerely|Yours faithfully|Yours sincerely",
)
_GREETING = re.compile(r"^(?:Bonjour [^\n]+,|Madame, Monsieur,|Dear [^\n]+,|Hi [^\n]+,|Hello,)\n")
_BARE_TITLE = re.compile(
    r"^(?:Bonjour|Dear|Hi) (?:M|Mme|Mlle|Mr|Mrs|Ms|Dr|Pr|Monsieur|Madame|Docteur)\.?,", re.I
)
_ELIDABLE = re.compile(r"(?<![\w'])(de|le|la|que|jusque) ([\w'-]+)", re.IGNORECASE)


def _sentences(note: str) -> list[str]:
    """Split a note into its sentences of four words or more."""
    pieces = re.split(r"(?<=[.!?])\s+|\n+", note)
    return [piece.strip() for piece in pieces if len(piece.split()) >= 4]


def check_rules(
    draft: EmailDraft,
    debrief: Debrief,
    *,
    words: tuple[int, int] = (90, 200),
    asks_next_step: bool = True,
    sender: str = SENDER,
) -> None:
    """Assert what makes an email sendable as it is."""
    body, language = draft.body, debrief.language
    text = f"{draft.subject}\n{body}"
    assert words[0] <= draft.words <= words[1], body
    assert "…" not in text, body
    assert "..." not in text, body
    assert _GREETING.match(body), body
    assert not _BARE_TITLE.match(body), body
    assert len(_CLOSINGS.findall(body)) == 1, body
    assert body.rstrip().endswith(sender)
    assert "(s)" not in text
    assert "(e)" not in text
    for key in PRIVATE_KEYS:
        for sentence in _sentences(debrief.answers.get(key, "")):
            assert sentence not in body, (key, sentence)
    if asks_next_step and debrief.answers.get("next_steps"):
        assert re.search(r"Comme convenu|As agreed", body), body
    if language == "fr":
        for found in _ELIDABLE.finditer(body):
            assert not elides(found[2]), (found[0], body)
        assert re.findall(r"[^\W\d_][?!:;]| [?!:;»]|« ", text) == [], text
        assert "’" not in text
        assert not re.search(r"\b(?:Mme|Mlle|M\.) ", body.split("\n", 1)[0])
        assert re.search(r"\btu\b|\btoi\b", body) is None
    else:
        assert "at your disposal" not in body
        assert "Please accept" not in body


@pytest.mark.parametrize("joint", [False, True], ids=["one-each", "joint"])
@pytest.mark.parametrize("debrief", CORPUS, ids=[debrief.name for debrief in CORPUS])
def test_every_thank_you_of_the_corpus_can_be_sent_as_it_is(debrief: Debrief, joint: bool) -> None:
    drafts = build_thank_you(
        debrief.answers, language=debrief.language, sender=SENDER, today=TODAY, joint=joint
    )

    assert drafts
    for draft in drafts:
        check_rules(draft, debrief, words=(90, 200), asks_next_step=True)


Build = Callable[[dict[str, str], Language], EmailDraft | None]
_OTHERS: dict[str, Build] = {
    "questions": lambda a, lang: build_questions_email(a, language=lang, sender=SENDER),
    "follow-up": lambda a, lang: build_follow_up_email(
        a, language=lang, sender=SENDER, attempt=1, today=TODAY + timedelta(days=8)
    ),
    "follow-up-again": lambda a, lang: build_follow_up_email(
        a, language=lang, sender=SENDER, attempt=2, today=TODAY + timedelta(days=15)
    ),
    "feedback": lambda a, lang: build_feedback_email(a, language=lang, sender=SENDER),
}


@pytest.mark.parametrize("kind", list(_OTHERS))
@pytest.mark.parametrize("debrief", CORPUS, ids=[debrief.name for debrief in CORPUS])
def test_every_other_email_of_the_corpus_keeps_the_same_rules(debrief: Debrief, kind: str) -> None:
    draft = _OTHERS[kind](debrief.answers, debrief.language)

    if draft is None:
        assert kind == "questions"
        return
    check_rules(draft, debrief, words=(60, 150), asks_next_step=False)


# The thank-you, piece by piece.


def _thank_you(answers: dict[str, str], language: Language, **more: object) -> EmailDraft:
    [draft] = build_thank_you(
        answers, language=language, sender=SENDER, today=TODAY, joint=True, **more
    )
    return draft


@pytest.mark.parametrize(
    ("person", "french", "english"),
    [
        ("M. Durand", "Bonjour Monsieur Durand,", "Dear Mr Durand,"),
        ("Mr. Smith", "Bonjour Monsieur Smith,", "Dear Mr Smith,"),
        ("Mme Claire Martin", "Bonjour Madame Martin,", "Dear Ms Martin,"),
        ("Mlle Dupont", "Bonjour Madame Dupont,", "Dear Ms Dupont,"),
        ("Mrs Jones", "Bonjour Madame Jones,", "Dear Mrs Jones,"),
        ("Ms Priya Shah", "Bonjour Madame Shah,", "Dear Ms Shah,"),
        ("Dr Anne Petit", "Bonjour Docteur Petit,", "Dear Dr Petit,"),
        ("Pr Marc Olivier", "Bonjour Professeur Olivier,", "Dear Professor Olivier,"),
        ("Monsieur JEAN DE LA FONTAINE", "Bonjour Monsieur de La Fontaine,",
         "Dear Mr de La Fontaine,"),
        ("Claire", "Bonjour Claire,", "Hi Claire,"),
        ("claire martin", "Bonjour Claire Martin,", "Dear Claire Martin,"),
        ("rh@acme.fr", "Madame, Monsieur,", "Hello,"),
        ("", "Madame, Monsieur,", "Hello,"),
        ("M.", "Madame, Monsieur,", "Hello,"),
        ("Mme Claire Martin\nM. Julien Roche", "Bonjour Madame Martin et Monsieur Roche,",
         "Dear Ms Martin and Mr Roche,"),
        ("Claire\nJulien", "Bonjour Claire et Julien,", "Hi Claire and Julien,"),
    ],
)  # fmt: skip
def test_the_greeting_understands_titles_and_never_stops_at_one(
    person: str, french: str, english: str
) -> None:
    answers = {"company": "Acme", "interviewers": person}

    assert _thank_you(answers, "fr").body.split("\n")[0] == french
    assert _thank_you(answers, "en").body.split("\n")[0] == english


def test_two_people_met_get_one_draft_each_with_their_own_address() -> None:
    answers = {
        "company": "Acme",
        "interviewers": "Mme Claire Martin, DRH, claire@acme.fr\nJulien, CTO\n"
        "M. Roche, roche@acme.fr",
    }

    drafts = build_thank_you(answers, language="fr", sender=SENDER, today=TODAY)

    assert [draft.recipients for draft in drafts] == [("claire@acme.fr",), (), ("roche@acme.fr",)]
    assert [draft.body.split("\n")[0] for draft in drafts] == [
        "Bonjour Madame Martin,",
        "Bonjour Julien,",
        "Bonjour Monsieur Roche,",
    ]
    joint = _thank_you(answers, "fr")
    assert joint.recipients == ("claire@acme.fr", "roche@acme.fr")
    assert joint.mailto() is not None
    assert str(joint.mailto()).startswith("mailto:claire@acme.fr,roche@acme.fr?subject=")


@pytest.mark.parametrize(
    ("position", "company", "expected"),
    [
        ("Assistante de direction", "Alan", "le poste d'Assistante de direction chez Alan"),
        ("Hôtesse d'accueil", "Hermès", "le poste d'Hôtesse d'accueil chez Hermès"),
        ("héros du quotidien", "Acme", "le poste de héros du quotidien chez Acme"),
        ("le responsable produit", "Acme", "le poste du responsable produit chez Acme"),
        (None, "Uber", "l'opportunité de rejoindre Uber"),
    ],
)
def test_french_elides_and_contracts_before_what_the_user_typed(
    position: str | None, company: str, expected: str
) -> None:
    answers = {"company": company} | ({"position": position} if position else {})

    assert expected in _thank_you(answers, "fr").body


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (TODAY, "fr", "accordé aujourd'hui pour"),
        (TODAY - timedelta(days=1), "en", "meet me yesterday to"),
        (date(2026, 11, 25), "fr", "accordé le mercredi 25 novembre pour"),
        (date(2026, 11, 25), "en", "meet me on Wednesday 25 November to"),
        (date(2025, 11, 25), "fr", "accordé le mardi 25 novembre 2025 pour"),
    ],
)
def test_the_day_is_said_in_words_without_this_year(
    day: date, language: Language, expected: str
) -> None:
    answers = {"company": "Acme", "interview_date": day.isoformat()}

    assert expected in _thank_you(answers, language).body


@pytest.mark.parametrize(
    ("noted", "language", "expected"),
    [
        ("Réponse d'ici vendredi", "fr", "Comme convenu, j'attends votre retour d'ici vendredi."),
        ("réponse demain", "fr", "Comme convenu, j'attends votre retour d'ici demain."),
        ("Décision le 15/12", "fr", "Comme convenu, j'attends votre retour d'ici le mardi 15"
         " décembre."),
        ("On me dira", "fr", "Comme convenu, j'attends de vos nouvelles pour la suite du"
         " processus."),
        ("Answer by Friday", "en", "As agreed, I look forward to hearing from you by Friday."),
        ("answer on 25 November", "en", "As agreed, I look forward to hearing from you about the"
         " next steps."),
    ],
)  # fmt: skip
def test_the_next_step_is_recalled_as_announced(
    noted: str, language: Language, expected: str
) -> None:
    answers = {"company": "Acme", "interview_date": TODAY.isoformat(), "next_steps": noted}

    assert expected in _thank_you(answers, language).body


def test_notes_stay_notes_and_the_email_answers_are_used_in_their_place() -> None:
    [before, after] = (debrief for debrief in CORPUS if debrief.name.startswith("issue-pm"))

    old = _thank_you(before.answers, "fr").body
    new = _thank_you(after.answers, "fr").body

    assert "J'ai particulièrement apprécié la présentation de vos projets" in old
    assert "Je n'ai jamais fait de paie" not in old
    assert (
        "J'ai particulièrement apprécié notre échange sur la refonte de votre roadmap paie"
        " et la place des utilisateurs dans vos arbitrages." in new
    )
    assert (
        "Je crois pouvoir être rapidement utile à votre équipe grâce à ma refonte du tunnel de"
        " commande chez Cdiscount, qui a fait gagner 12 % de conversion." in new
    )
    assert "Je me forme à la paie depuis un mois et j'en maîtrise déjà les bases." in new
    assert "c'est exactement notre problème" not in new


def test_a_whole_sentence_is_kept_and_words_complete_ours() -> None:
    answers = {
        "company": "Monzo",
        "email_moment": "I loved hearing how your team ships small changes every day.",
        "email_strength": "The two engineers I coached into lead roles",
    }

    body = _thank_you(answers, "en").body

    assert "\n\nI loved hearing how your team ships small changes every day.\n\n" in body
    assert "useful to your team thanks to the two engineers I coached into lead roles." in body


def test_too_long_an_answer_gives_way_to_a_shorter_paragraph_and_nothing_is_cut() -> None:
    answers = {
        "company": "Acme",
        "email_moment": "your plans for the warehouse " * 60,
        "email_reassurance": "I learn fast. " * 80,
        "forgotten_questions": "What is the budget?",
    }

    body = _thank_you(answers, "en").body

    assert "your plans for the warehouse" not in body
    assert "I particularly appreciated hearing about your projects" in body
    assert "I learn fast." not in body
    assert "What is the budget?" in body
    assert "…" not in body


def test_up_to_three_questions_are_asked_and_known_as_asked() -> None:
    draft = _thank_you(FULL_ANSWERS, "en")

    assert draft.asks == (
        "What does on-call look like?",
        "How is the team split between sites?",
        "When would the role start?",
    )
    assert "There are a few questions we did not have time to cover:\n- What does on-call" in (
        draft.body
    )
    assert "Is there a training budget?" not in draft.body


def test_a_sent_thank_you_leaves_the_questions_email_only_what_it_did_not_ask() -> None:
    asked = questions_asked(FULL_ANSWERS, language="en", sender=SENDER, today=TODAY)
    rest = build_questions_email(FULL_ANSWERS, language="en", sender=SENDER, asked=asked)
    three = {**FULL_ANSWERS, "forgotten_questions": "What budget?\nWho decides?"}

    assert rest is not None
    assert rest.asks == ("Is there a training budget?",)
    assert questions_left(FULL_ANSWERS, language="en", sender=SENDER, today=TODAY)
    assert not questions_left(three, language="en", sender=SENDER, today=TODAY)
    asked_all = questions_asked(three, language="en", sender=SENDER, today=TODAY)
    assert build_questions_email(three, language="en", sender=SENDER, asked=asked_all) is None


def test_french_draft_uses_vous_french_typography_and_one_apostrophe() -> None:
    answers = {**FRENCH_ANSWERS, "email_moment": "l’organisation de l’équipe « plateforme »"}

    body = _thank_you(answers, "fr").body

    assert "notre échange sur l'organisation de l'équipe «\u00a0plateforme\u00a0»." in body
    assert "- Comment fonctionnent les astreintes\u00a0?" in body
    assert body.endswith("Bien cordialement,\nJean Martin")


def test_the_parties_read_people_company_and_position_without_a_pasted_note() -> None:
    [to] = parties({"company": "x" * 200, "position": "word " * 30})

    assert to.company is None
    assert to.position is None
    assert to.role("en") == "the opportunity to join your company"


@pytest.mark.parametrize("language", LANGUAGES)
def test_mailto_url_encodes_subject_and_body(language: Language) -> None:
    draft = _thank_you({**FULL_ANSWERS, "company": "R&D + Co #1"}, language)

    link = draft.mailto()

    assert link is not None
    parts = urlsplit(link)
    assert unquote(parts.path) == "claire.dubois@acme.example"
    assert parse_qs(parts.query, strict_parsing=True) == {
        "subject": [draft.subject],
        "body": [draft.body],
    }
    assert _thank_you({"company": "Acme"}, language).mailto() is None


@pytest.mark.parametrize(
    ("interview_date", "days_later", "expected"),
    [
        ("2026-11-26", 0, "email.advice_today"),
        ("2026-11-26", 1, "email.advice_late"),
        (None, 0, "email.advice_unknown"),
        ("not a date", 0, "email.advice_unknown"),
    ],
)
def test_sending_advice_depends_on_when_the_interview_was(
    interview_date: str | None, days_later: int, expected: str
) -> None:
    today = SAMPLES_TODAY + timedelta(days=days_later)

    assert sending_advice(interview_date, today=today) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_of_the_deeper_answers_only_the_interview_date_changes_the_thank_you_draft(
    language: Language,
) -> None:
    # The deeper part ends with the draft again only when it changed: this is what can change it.
    express = {k: v for k, v in FULL_ANSWERS.items() if k in checklist().express}
    before = build_thank_you(express, language=language, sender="Alice", today=SAMPLES_TODAY)
    changing = set()
    for key in checklist().deeper:
        if key not in FULL_ANSWERS:
            continue
        answers = {**express, key: FULL_ANSWERS[key]}
        after = build_thank_you(answers, language=language, sender="Alice", today=SAMPLES_TODAY)
        if after != before:
            changing.add(key)
    assert changing == {"interview_date"}
