"""Every email Debrief drafts: the parties, the dates and the fitting they share, and the thank-you.

What goes to a recruiter is written in Debrief's words, or in words the candidate wrote for the
email (the checklist's "email" section, the questions they forgot to ask, the people they met).
Notes the candidate wrote for themselves never go in. Nothing is ever cut: when an email is too
long, an optional paragraph gives way to a shorter one, or is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote

from conversations.checklist import Key
from conversations.dates import find_decision_date, format_date
from conversations.i18n import Language, catalog
from conversations.people import Person, parse_people

__all__ = [
    "MAX_WORDS",
    "MIN_WORDS",
    "EmailDraft",
    "Paragraph",
    "Parties",
    "as_sentence",
    "build_thank_you",
    "decision_words",
    "fit",
    "forgotten_questions",
    "interview_day",
    "parties",
    "questions_asked",
    "questions_left",
    "sending_advice",
    "when_words",
]

MIN_WORDS = 100
MAX_WORDS = 200
# Longer than this, a company or position is a pasted note, not a name: the email does without.
_MAX_NAME_WORDS = 10
_MAX_NAME_CHARACTERS = 80
_MAX_QUESTION_WORDS = 40
# A date further ahead than this was not announced for an answer ("25 November" gone by).
_MAX_DECISION_DAYS = 120
_MAX_QUESTION_CHARACTERS = 300
# A "word" of a pasted note may be thousands of characters long: bodies are measured in both.
_CHARACTERS_PER_WORD = 8
_QUESTION_SPLIT = re.compile(r"\n+|(?<=\?)\s+")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")
_QUESTION_WORDS = frozenset(
    [
        "comment",
        "quand",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "pourquoi",
        "combien",
        "qui",
        "ou",
        "où",
        "est-ce",
        "est-il",
        "est-elle",
        "y",
        "a-t-il",
        "peut-on",
        "pourrait-on",
        "pourriez-vous",
        "pouvez-vous",
        "faut-il",
        "existe-t-il",
        "how",
        "what",
        "when",
        "who",
        "whom",
        "why",
        "which",
        "where",
        "is",
        "are",
        "do",
        "does",
        "did",
        "will",
        "would",
        "could",
        "can",
        "should",
        "may",
    ]
)
# A note that starts like this is a whole sentence; otherwise it completes Debrief's sentence.
_SUBJECTS = frozenset(
    [
        "je",
        "j'",
        "nous",
        "vous",
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "c'",
        "ça",
        "cela",
        "ce",
        "i",
        "i'm",
        "i've",
        "i'd",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it",
        "this",
        "that",
    ]
)
# A few verbs that make an answer ending with a full stop a sentence of its own.
_VERB = re.compile(
    r"\b(?:est|sont|était|a|ai|avons|avez|ont|suis|sera|serait|is|are|was|were|has|have|had|am)\b"
    r"|\bm['’](?:a|ont)\b"
)
# Words that open a fragment with a capital only because they open the answer.
_LEADING_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l'",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d'",
        "mon",
        "ma",
        "mes",
        "notre",
        "nos",
        "votre",
        "vos",
        "son",
        "sa",
        "ses",
        "cette",
        "ce",
        "cet",
        "the",
        "a",
        "an",
        "my",
        "our",
        "your",
        "their",
        "this",
    ]
)


@dataclass(frozen=True, slots=True)
class EmailDraft:
    """A ready-to-send email: recipients (when known), subject, body, the questions it asks."""

    recipients: tuple[str, ...]
    subject: str
    body: str
    asks: tuple[str, ...] = ()
    # Whom the draft is for, when it is written to one person of several met.
    name: str | None = None

    @property
    def to(self) -> str | None:
        """Return the recipients as an address line, None when none is known."""
        return ", ".join(self.recipients) or None

    @property
    def words(self) -> int:
        """Count the words of the body."""
        return len(self.body.split())

    def mailto(self) -> str | None:
        """Return a mailto: link that opens the draft in a mail app, when a recipient is known."""
        if not self.recipients:
            return None
        to = ",".join(quote(address, safe="@") for address in self.recipients)
        query = f"subject={quote(self.subject, safe='')}&body={quote(self.body, safe='')}"
        return f"mailto:{to}?{query}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph and, when it is optional, the shorter forms it gives way to ('' for none).

    `give_way` is 0 for a paragraph that never yields; among the others, the longest yields
    first, then the one with the higher `give_way`.
    """

    forms: tuple[str, ...]
    give_way: int = 0


def fit(paragraphs: Sequence[Paragraph], *, max_words: int) -> str:
    """Join the paragraphs, trading optional ones for shorter forms until the body fits."""
    chosen = [0] * len(paragraphs)

    def body() -> str:
        texts = (p.forms[i] for p, i in zip(paragraphs, chosen, strict=True))
        return "\n\n".join(text for text in texts if text)

    def too_long(text: str) -> bool:
        return len(text.split()) > max_words or len(text) > max_words * _CHARACTERS_PER_WORD

    while too_long(body()):
        candidates = [
            n for n, p in enumerate(paragraphs) if p.give_way and chosen[n] < len(p.forms) - 1
        ]
        if not candidates:
            break
        # The longest paragraph yields first: it is most likely a note pasted whole.
        yielding = max(
            candidates,
            key=lambda n: (len(paragraphs[n].forms[chosen[n]]), paragraphs[n].give_way),
        )
        chosen[yielding] += 1
    return body()


def _t(language: Language, key: str, /, **values: object) -> str:
    """Fill in an email.* text."""
    return catalog().text(language, f"email.{key}", **values)


def _name_or_none(value: str | None) -> str | None:
    """Return a company or position as typed, None when absent or too long to be a name."""
    if not value or not value.strip():
        return None
    words = value.split()
    name = " ".join(words)
    fits = len(words) <= _MAX_NAME_WORDS and len(name) <= _MAX_NAME_CHARACTERS
    return name if fits and "\n" not in value.strip() else None


def _addressed(person: Person, language: Language) -> str | None:
    """Name a person the way a greeting does: 'Madame Martin', 'Mr Smith', 'Claire'."""
    if person.last_name and person.title:
        return f"{_t(language, f'title_{person.title.value}')} {person.last_name}"
    return person.full_name or None


def _greeting(people: Sequence[Person], language: Language) -> str:
    """Greet the people written to by name, or neutrally when no name is known."""
    names = [name for person in people if (name := _addressed(person, language))]
    if not names:
        return _t(language, "greeting")
    joined = ", ".join(names[:-1]) + _t(language, "and") + names[-1] if names[1:] else names[0]
    first_names_only = all(
        person.first_name and not person.last_name for person in people if person.named
    )
    return _t(language, "greeting_first_name" if first_names_only else "greeting_name", name=joined)


@dataclass(frozen=True, slots=True)
class Parties:
    """Who an email is written to, and about which position at which company."""

    people: tuple[Person, ...]
    company: str | None
    position: str | None

    @property
    def recipients(self) -> tuple[str, ...]:
        """Return the known addresses of the people written to."""
        return tuple(person.email for person in self.people if person.email)

    def greeting(self, language: Language) -> str:
        """Return the greeting line: 'Bonjour Madame Martin,', 'Dear Mr Smith,', 'Hello,'."""
        return _greeting(self.people, language)

    def role(self, language: Language) -> str:
        """Say what the interview was for: 'le poste de Product Manager chez Acme'."""
        company = self.company or _t(language, "your_company")
        if self.position:
            return _t(language, "role_position", position=self.position, company=company)
        return _t(language, "role_company", company=company)

    def title(self, language: Language) -> str:
        """Return what a subject line names: the position, else the company."""
        return self.position or self.company or _t(language, "your_company")

    def draft(self, subject: str, body: str, asks: Iterable[str] = ()) -> EmailDraft:
        """Address a finished body to these people."""
        one = self.people[0] if len(self.people) == 1 else None
        name = (one.full_name or one.email) if one is not None else None
        return EmailDraft(self.recipients, subject, body, tuple(asks), name)


def parties(answers: Mapping[str, str], *, joint: bool = True) -> list[Parties]:
    """Return whom to write to: everyone at once (joint), or one Parties per person met."""
    people = tuple(parse_people(answers.get(Key.INTERVIEWERS) or ""))
    company = _name_or_none(answers.get(Key.COMPANY))
    position = _name_or_none(answers.get(Key.POSITION))
    if joint or len(people) < 2:
        return [Parties(people, company, position)]
    return [Parties((person,), company, position) for person in people]


def interview_day(answers: Mapping[str, str]) -> date | None:
    """Return the interview's date as stored, None when unknown."""
    try:
        return date.fromisoformat(answers.get(Key.INTERVIEW_DATE) or "")
    except ValueError:
        return None


def _day(day: date, today: date, language: Language) -> str:
    """Write a day in words, without the year when it is this year's."""
    return format_date(day, language, year=day.year != today.year)


def when_words(day: date | None, today: date, language: Language, *, form: str) -> str:
    """Say when the interview was, for the sentence `form` ('at': ' hier', 'of': ' d'hier')."""
    if day is None:
        return ""
    delta = (today - day).days
    if delta == 0:
        return _t(language, f"when_{form}_today")
    if delta == 1:
        return _t(language, f"when_{form}_yesterday")
    return _t(language, f"when_{form}_on", date=_day(day, today, language))


def decision_words(answers: Mapping[str, str], today: date, language: Language) -> str | None:
    """Say when the answer was announced for ('vendredi'), None when no future date was noted."""
    noted = answers.get(Key.NEXT_STEPS)
    if not noted:
        return None
    decided = find_decision_date(noted, today=interview_day(answers) or today)
    if decided is None or decided <= today or (decided - today).days > _MAX_DECISION_DAYS:
        return None
    ahead = (decided - today).days
    if ahead == 1:
        return _t(language, "by_tomorrow")
    if ahead < 7:
        return _t(language, "by_weekday", day=format_date(decided, language).split()[0])
    return _t(language, "by_date", date=_day(decided, today, language))


def _is_question(text: str) -> bool:
    """Tell whether a line reads as a question one could send as it is."""
    first = text.split()[0].casefold().rstrip(",") if text.split() else ""
    return text.endswith("?") or first in _QUESTION_WORDS or first.split("-")[0] in _QUESTION_WORDS


def forgotten_questions(text: str | None, *, language: Language, limit: int = 5) -> list[str]:
    """Return up to `limit` questions of the note, whole, each ending with a question mark."""
    if not text:
        return []
    found = []
    for raw in _QUESTION_SPLIT.split(text.strip()):
        piece = _BULLET.sub("", raw).strip()
        marked = piece.endswith("?")
        piece = piece.rstrip(" .;:!,?\u00a0\u202f")
        too_long = len(piece.split()) > _MAX_QUESTION_WORDS or len(piece) > _MAX_QUESTION_CHARACTERS
        if not piece or too_long or not (marked or _is_question(piece)):
            continue
        piece = piece[0].upper() + piece[1:]
        found.append(catalog().text(language, "email.question", question=piece))
        if len(found) == limit:
            break
    return found


def as_sentence(text: str | None, language: Language, *, fragment_key: str) -> str | None:
    """Use what the candidate wrote for the email: a whole sentence, or words that complete ours."""
    if not text or not text.strip():
        return None
    words = " ".join(text.split())
    first = words.split()[0].casefold()
    whole = (
        first in _SUBJECTS
        or first[:2] in ("j'", "c'", "j’", "c’")
        or re.search(r"[.!?]\s", words) is not None
        or (words[-1] in ".!" and _VERB.search(words.casefold()) is not None)
    )
    if whole:
        sentence = (words[0].upper() + words[1:]).rstrip("… ")
        if sentence[-1] not in ".!?":
            sentence += "."
        return _t(language, "sentence", sentence=sentence)
    words = words.rstrip(" .;:,")
    if first in _LEADING_WORDS or first[:2] in ("l'", "d'", "l’", "d’"):
        words = words[0].lower() + words[1:]
    return _t(language, fragment_key, words=words)


def _thank_you_body(
    answers: Mapping[str, str], to: Parties, *, language: Language, sender: str, today: date
) -> tuple[str, tuple[str, ...]]:
    """Write the thank-you body for these people; return it with the questions it asks."""
    when = when_words(interview_day(answers), today, language, form="at")
    moment = as_sentence(answers.get(Key.EMAIL_MOMENT), language, fragment_key="moment")
    strength = as_sentence(answers.get(Key.EMAIL_STRENGTH), language, fragment_key="strength")
    reassurance = as_sentence(answers.get(Key.EMAIL_REASSURANCE), language, fragment_key="reassure")
    questions = forgotten_questions(
        answers.get(Key.FORGOTTEN_QUESTIONS), language=language, limit=3
    )
    decision = decision_words(answers, today, language)
    if decision:
        next_step = _t(language, "next_step_by", day=decision)
    elif answers.get(Key.NEXT_STEPS):
        next_step = _t(language, "next_step_announced")
    else:
        next_step = _t(language, "next_step_unknown")
    asked = ""
    if questions:
        key = "questions_one" if len(questions) == 1 else "questions_many"
        asked = _t(language, key, questions="\n".join(f"- {q}" for q in questions))
    generic_moment = _t(language, "moment_generic")
    generic_strength = _t(language, "strength_generic")
    paragraphs = [
        Paragraph((to.greeting(language),)),
        Paragraph((_t(language, "thanks", when=when, role=to.role(language)),)),
        Paragraph((moment, generic_moment) if moment else (generic_moment,), give_way=2),
        Paragraph((strength, generic_strength) if strength else (generic_strength,), give_way=2),
        Paragraph((reassurance, "") if reassurance else ("",), give_way=3),
        Paragraph((asked, ""), give_way=4),
        Paragraph((next_step,)),
        Paragraph((_t(language, "signature", sender=sender).strip(),)),
    ]
    body = fit(paragraphs, max_words=MAX_WORDS)
    return body, tuple(questions) if asked and asked in body else ()


def build_thank_you(
    answers: Mapping[str, str],
    *,
    language: Language,
    sender: str,
    today: date,
    joint: bool = False,
) -> list[EmailDraft]:
    """Draft the thank-you email: one per person met, or one to all of them when joint."""
    drafts = []
    several = parties(answers, joint=joint)
    for to in several:
        body, asks = _thank_you_body(answers, to, language=language, sender=sender, today=today)
        subject = _t(language, "subject", title=to.title(language))
        draft = to.draft(subject, body, asks)
        # A name tells drafts apart only when there are several.
        drafts.append(draft if len(several) > 1 else replace(draft, name=None))
    return drafts


def questions_asked(
    answers: Mapping[str, str], *, language: Language, sender: str, today: date
) -> tuple[str, ...]:
    """Return the forgotten questions that the thank-you email, once sent, has asked."""
    drafts = build_thank_you(answers, language=language, sender=sender, today=today)
    return tuple(dict.fromkeys(question for draft in drafts for question in draft.asks))


def questions_left(
    answers: Mapping[str, str], *, language: Language, sender: str, today: date
) -> bool:
    """Tell whether a sent thank-you left some forgotten questions for the questions email."""
    asked = questions_asked(answers, language=language, sender=sender, today=today)
    every = forgotten_questions(answers.get(Key.FORGOTTEN_QUESTIONS), language=language)
    return any(question not in asked for question in every)


def sending_advice(interview_date: str | None, *, today: date) -> str:
    """Return the catalogue key that tells when to send the email (within 24 hours)."""
    if not interview_date:
        return "email.advice_unknown"
    try:
        day = date.fromisoformat(interview_date)
    except ValueError:
        return "email.advice_unknown"
    return "email.advice_today" if (today - day).days == 0 else "email.advice_late"
