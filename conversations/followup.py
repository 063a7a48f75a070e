"""After a debrief: the questions, "no news" and feedback emails, and the next-round brief."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from conversations.dates import format_date
from conversations.email import EmailDraft, clip, excerpt, forgotten_questions
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
# Quotes are cut to this many words, then shorter and shorter until the body fits MAX_WORDS.
_CAPS = (30, 22, 16, 12, 8, 6, 4)


def _t(language: Language, key: str, /, **values: object) -> str:
    """Fill in a followup.* text; a quote cut short ends with '…', which needs no full stop."""
    return catalog().text(language, f"followup.{key}", **values).replace("….", "…")


@dataclass(frozen=True, slots=True)
class _Parties:
    """Who is written to, about what: the pieces every follow-up email shares."""

    to: str | None
    company: str
    title: str
    role: str
    greeting: str


def _parties(answers: Mapping[str, str], language: Language, cap: int) -> _Parties:
    """Read the recipient, company, position and interviewer's name, quotes cut to `cap` words."""
    company = clip(answers.get("company", ""), min(12, cap)) or _t(language, "your_company")
    position = excerpt(answers.get("position"), min(12, cap))
    name = excerpt(answers.get("interviewer_name"), min(8, cap))
    role = (
        _t(language, "role_position", position=position, company=company)
        if position
        else _t(language, "role_company", company=company)
    )
    greeting = _t(language, "greeting_name", name=name) if name else _t(language, "greeting")
    return _Parties(
        to=answers.get("interviewer_email") or None,
        company=company,
        title=position or company,
        role=role,
        greeting=greeting,
    )


def _fit(compose: Callable[[int], EmailDraft]) -> EmailDraft:
    """Compose with quotes cut shorter and shorter until the body is at most MAX_WORDS words."""
    draft = compose(_CAPS[0])
    for cap in _CAPS[1:]:
        if draft.words <= MAX_WORDS:
            break
        draft = compose(cap)
    return draft


def _draft(parties: _Parties, subject: str, paragraphs: Sequence[str]) -> EmailDraft:
    """Join the paragraphs into a draft addressed to the interviewer."""
    return EmailDraft(to=parties.to, subject=subject, body="\n\n".join(paragraphs))


def build_questions_email(
    answers: Mapping[str, str], *, language: Language, sender: str
) -> EmailDraft | None:
    """Write a 60–150 word email asking up to 5 forgotten questions; None when there are none."""
    if not forgotten_questions(answers.get("forgotten_questions"), language=language):
        return None

    def compose(cap: int) -> EmailDraft:
        parties = _parties(answers, language, cap)
        questions = forgotten_questions(
            answers.get("forgotten_questions"),
            language=language,
            limit=MAX_QUESTIONS,
            max_words=cap,
        )
        listed = "\n".join(f"- {question}" for question in questions)
        return _draft(
            parties,
            _t(language, "questions_subject", title=parties.title),
            [
                parties.greeting,
                f"{_t(language, 'questions_context', role=parties.role)}\n{listed}",
                _t(language, "questions_closing"),
                _t(language, "signature", sender=sender),
            ],
        )

    return _fit(compose)


def _when(interview_date: date | None, today: date, language: Language) -> str:
    """Say when the interview took place ('' when unknown), for 'our interview{when}'."""
    if interview_date is None:
        return ""
    delta = (today - interview_date).days
    if delta == 0:
        return _t(language, "when_today")
    if delta == 1:
        return _t(language, "when_yesterday")
    return _t(language, "when_on", date=format_date(interview_date, language))


def build_follow_up_email(
    answers: Mapping[str, str],
    *,
    language: Language,
    sender: str,
    attempt: int,
    interview_date: date | None,
    today: date,
) -> EmailDraft:
    """Write a 60–150 word "no news" follow-up; attempt 2 and later are a little firmer."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, got {attempt}")
    again = "_again" if attempt >= 2 else ""
    when = _when(interview_date, today, language)

    def compose(cap: int) -> EmailDraft:
        parties = _parties(answers, language, cap)
        argument = excerpt(answers.get("best_arguments"), cap)
        interest = (
            _t(language, "follow_up_interest_argument", argument=argument)
            if argument
            else _t(language, "follow_up_interest")
        )
        return _draft(
            parties,
            _t(language, f"follow_up_subject{again}", title=parties.title),
            [
                parties.greeting,
                _t(language, f"follow_up_intro{again}", when=when, role=parties.role),
                interest,
                _t(language, f"follow_up_ask{again}"),
                _t(language, "follow_up_closing"),
                _t(language, "signature", sender=sender),
            ],
        )

    return _fit(compose)


def build_feedback_email(
    answers: Mapping[str, str], *, language: Language, sender: str
) -> EmailDraft:
    """Write a 60–150 word gracious reply to a rejection that asks for feedback on the interview."""

    def compose(cap: int) -> EmailDraft:
        parties = _parties(answers, language, cap)
        return _draft(
            parties,
            _t(language, "feedback_subject", title=parties.title),
            [
                parties.greeting,
                _t(language, "feedback_thanks", role=parties.role),
                _t(language, "feedback_regret", company=parties.company),
                _t(language, "feedback_ask"),
                _t(language, "feedback_future"),
                _t(language, "feedback_closing"),
                _t(language, "signature", sender=sender),
            ],
        )

    return _fit(compose)


def _given(answers: Mapping[str, str], key: str) -> str | None:
    """Return an answer as stored, or None when it is missing or blank."""
    value = answers.get(key)
    return value if value and value.strip() else None


def _round_label(number: int, answers: Mapping[str, str], language: Language) -> str:
    """Name a round by its number, and its date in words when known."""
    try:
        day = date.fromisoformat(answers.get("interview_date") or "")
    except ValueError:
        return _t(language, "brief_round", number=number)
    return _t(language, "brief_round_on", number=number, date=format_date(day, language))


def _interviewers(answers: Mapping[str, str], language: Language) -> str | None:
    """Write 'name — role' and whether they decide, from one round's answers."""
    head = " — ".join(
        value
        for value in (_given(answers, "interviewer_name"), _given(answers, "interviewer_role"))
        if value
    )
    decides = {"yes": "brief_decides", "no": "brief_not_decides"}.get(
        answers.get("interviewer_decides", "")
    )
    lines = [line for line in (head, decides and _t(language, decides)) if line]
    return "\n".join(lines) or None


def _obstacles(answers: Mapping[str, str], language: Language) -> str | None:
    """Pair one round's obstacles with the user's counter-arguments (or a nudge to prepare one)."""
    obstacles = _given(answers, "obstacles")
    counter = _given(answers, "counter_arguments")
    if counter:
        answer = _t(language, "brief_counter", counter=counter)
    elif obstacles:
        answer = _t(language, "brief_no_counter")
    else:
        return None
    return f"{obstacles}\n{answer}" if obstacles else answer


def build_preparation_brief(rounds: Sequence[Mapping[str, str]], *, language: Language) -> Summary:
    """Gather the previous rounds' notes (oldest first) that prepare the next one, verbatim."""
    extractors: tuple[tuple[str, Callable[[Mapping[str, str]], str | None]], ...] = (
        ("brief_interviewers", lambda answers: _interviewers(answers, language)),
        ("brief_obstacles", lambda answers: _obstacles(answers, language)),
        ("brief_awkward", lambda answers: _given(answers, "awkward_questions")),
        ("brief_questions", lambda answers: _given(answers, "forgotten_questions")),
        ("brief_improve", lambda answers: _given(answers, "improve")),
        ("brief_arguments", lambda answers: _given(answers, "best_arguments")),
        ("brief_announced", lambda answers: _given(answers, "next_steps")),
    )
    labels = [_round_label(n, answers, language) for n, answers in enumerate(rounds, start=1)]
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
        (found for answers in reversed(rounds) if (found := _given(answers, "company"))), "?"
    )
    # answered: the sections with something to say; total: the sections a brief can have.
    return Summary(
        _t(language, "brief_title", company=company),
        tuple(sections),
        answered=len(sections),
        total=len(extractors),
    )
