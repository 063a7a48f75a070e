"""After a debrief: the questions, "no news" and feedback emails, and the next-round brief."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from conversations.checklist import Key
from conversations.dates import format_date
from conversations.email import (
    EmailDraft,
    Paragraph,
    Parties,
    as_sentence,
    fit,
    forgotten_questions,
    interview_day,
    parties,
    when_words,
)
from conversations.i18n import Language, catalog
from conversations.summary import Summary, SummaryItem, SummarySection

__all__ = [
    "MAX_QUESTIONS",
    "MAX_WORDS",
    "MIN_WORDS",
    "build_feedback_email",
    "build_follow_up_email",
    "build_preparation_brief",
    "build_questions_email",
]

MIN_WORDS = 60
MAX_WORDS = 150
MAX_QUESTIONS = 5


def _t(language: Language, key: str, /, **values: object) -> str:
    """Fill in a followup.* text."""
    return catalog().text(language, f"followup.{key}", **values)


def _signature(language: Language, sender: str) -> Paragraph:
    """Return the one closing every email ends with."""
    return Paragraph((catalog().text(language, "email.signature", sender=sender).strip(),))


def _draft(
    to: Parties, subject: str, paragraphs: Sequence[Paragraph], asks: Sequence[str] = ()
) -> EmailDraft:
    """Fit the paragraphs into a body and address it to everyone met."""
    body = fit(paragraphs, max_words=MAX_WORDS)
    return to.draft(subject, body, [question for question in asks if question in body])


def build_questions_email(
    answers: Mapping[str, str],
    *,
    language: Language,
    sender: str,
    asked: Sequence[str] = (),
) -> EmailDraft | None:
    """Write a 60–150 word email asking up to 5 forgotten questions not yet asked; None if none."""
    questions = [
        question
        for question in forgotten_questions(
            answers.get(Key.FORGOTTEN_QUESTIONS),
            language=language,
            limit=MAX_QUESTIONS + len(asked),
        )
        if question not in asked
    ][:MAX_QUESTIONS]
    if not questions:
        return None
    to = parties(answers)[0]
    # Too long a list gives way one question at a time, from the last.
    lists = tuple(
        "\n".join(f"- {question}" for question in questions[:count])
        for count in range(len(questions), 0, -1)
    )
    context = _t(language, "questions_context", role=to.role(language))
    paragraphs = [
        Paragraph((to.greeting(language),)),
        Paragraph(tuple(f"{context}\n{listed}" for listed in lists), give_way=1),
        Paragraph((_t(language, "questions_closing"),)),
        _signature(language, sender),
    ]
    subject = _t(language, "questions_subject", title=to.title(language))
    return _draft(to, subject, paragraphs, questions)


def build_follow_up_email(
    answers: Mapping[str, str],
    *,
    language: Language,
    sender: str,
    attempt: int,
    today: date,
) -> EmailDraft:
    """Write a 60–150 word "no news" follow-up; attempt 2 and later are a little firmer."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, got {attempt}")
    again = "_again" if attempt >= 2 else ""
    when = when_words(interview_day(answers), today, language, form="of")
    to = parties(answers)[0]
    generic = _t(language, "follow_up_interest")
    strength = as_sentence(answers.get(Key.EMAIL_STRENGTH), language, fragment_key="strength")
    short = _t(language, "follow_up_interest_short")
    interest = (f"{short} {strength}", generic) if strength else (generic,)
    paragraphs = [
        Paragraph((to.greeting(language),)),
        Paragraph((_t(language, f"follow_up_intro{again}", when=when, role=to.role(language)),)),
        Paragraph(interest, give_way=1),
        Paragraph((_t(language, f"follow_up_ask{again}"),)),
        Paragraph((_t(language, "follow_up_closing"),)),
        _signature(language, sender),
    ]
    subject = _t(language, f"follow_up_subject{again}", title=to.title(language))
    return _draft(to, subject, paragraphs)


def build_feedback_email(
    answers: Mapping[str, str], *, language: Language, sender: str
) -> EmailDraft:
    """Write a 60–150 word gracious reply to a rejection that asks for feedback on the interview."""
    to = parties(answers)[0]
    company = to.company or catalog().text(language, "email.your_company")
    paragraphs = [
        Paragraph((to.greeting(language),)),
        Paragraph((_t(language, "feedback_thanks", role=to.role(language)),)),
        Paragraph((_t(language, "feedback_regret", company=company),)),
        Paragraph((_t(language, "feedback_ask"),)),
        Paragraph((_t(language, "feedback_future"),)),
        Paragraph((_t(language, "feedback_closing"),)),
        _signature(language, sender),
    ]
    return _draft(to, _t(language, "feedback_subject", title=to.title(language)), paragraphs)


def _given(answers: Mapping[str, str], key: str) -> str | None:
    """Return an answer as stored, or None when it is missing or blank."""
    value = answers.get(key)
    return value if value and value.strip() else None


def _round_label(number: int, count: int, language: Language) -> str:
    """Name a round by its number when there are several ('' for the only one)."""
    return _t(language, "brief_round", number=number) if count > 1 else ""


def _interviewers(answers: Mapping[str, str], language: Language) -> str | None:
    """Write 'name — role' and whether they decide, from one round's answers."""
    head = _given(answers, Key.INTERVIEWERS)
    decides = {"yes": "brief_decides", "no": "brief_not_decides"}.get(
        answers.get(Key.INTERVIEWER_DECIDES, "")
    )
    lines = [line for line in (head, decides and _t(language, decides)) if line]
    return "\n".join(lines) or None


def _obstacles(answers: Mapping[str, str], language: Language) -> str | None:
    """Pair one round's obstacles with the user's counter-arguments (or a nudge to prepare one)."""
    obstacles = _given(answers, Key.OBSTACLES)
    counter = _given(answers, Key.COUNTER_ARGUMENTS)
    if counter:
        answer = _t(language, "brief_counter", counter=counter)
    elif obstacles:
        answer = _t(language, "brief_no_counter")
    else:
        return None
    return f"{obstacles}\n{answer}" if obstacles else answer


def build_preparation_brief(
    rounds: Sequence[Mapping[str, str]],
    *,
    language: Language,
    round_date: date | None = None,
    today: date | None = None,
) -> Summary:
    """Gather the previous rounds' notes (oldest first) that prepare the next one, verbatim.

    The title names the coming round's date when it is known (without the year when it is
    `today`'s).
    """
    extractors: tuple[tuple[str, Callable[[Mapping[str, str]], str | None]], ...] = (
        ("brief_interviewers", lambda answers: _interviewers(answers, language)),
        ("brief_obstacles", lambda answers: _obstacles(answers, language)),
        ("brief_awkward", lambda answers: _given(answers, Key.AWKWARD_QUESTIONS)),
        ("brief_questions", lambda answers: _given(answers, Key.FORGOTTEN_QUESTIONS)),
        ("brief_improve", lambda answers: _given(answers, Key.IMPROVE)),
        ("brief_blunders", lambda answers: _given(answers, Key.BLUNDERS)),
        ("brief_not_convinced", lambda answers: _given(answers, Key.NOT_CONVINCED)),
        ("brief_arguments", lambda answers: _given(answers, Key.BEST_ARGUMENTS)),
        ("brief_announced", lambda answers: _given(answers, Key.NEXT_STEPS)),
    )
    labels = [_round_label(n, len(rounds), language) for n in range(1, len(rounds) + 1)]
    sections = []
    for title_key, extract in extractors:
        items = tuple(
            SummaryItem(label, found)
            for label, answers in zip(labels, rounds, strict=True)
            if (found := extract(answers))
        )
        if items:
            sections.append(SummarySection(_t(language, title_key), items))
    company = next(
        (found for answers in reversed(rounds) if (found := _given(answers, Key.COMPANY))), "?"
    )
    if round_date is not None:
        year = today is None or round_date.year != today.year
        day = format_date(round_date, language, year=year)
        title = _t(language, "brief_title_on", company=company, date=day)
    else:
        title = _t(language, "brief_title", company=company)
    # answered: the sections with something to say; total: the sections a brief can have.
    return Summary(
        title,
        tuple(sections),
        answered=len(sections),
        total=len(extractors),
    )
