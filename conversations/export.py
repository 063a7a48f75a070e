"""A user's data as files: Markdown for people, versioned JSON for programs, .eml thank-you drafts.

Pure functions: the caller loads the user's debriefs, profile and reminders and sends the files.
The JSON format is described in docs/export.md and docs/export.schema.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Literal, assert_never

from conversations.answers import clip, display
from conversations.checklist import Checklist, Key, Kind, Question, Section
from conversations.dates import format_date
from conversations.email import build_thank_you
from conversations.history import group_rounds
from conversations.i18n import LANGUAGES, Language, catalog, fold, language_from_code
from conversations.insights import Insights, Occurrence, Recurring, build_insights, describe
from conversations.model import Debrief, Outcome, Profile, Reminder

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "eml_filename",
    "export_filename",
    "export_json",
    "export_markdown",
    "thank_you_eml",
]

SCHEMA = "debrief-export"
# 2: the insights across debriefs (/insights) and each debrief's outcome_at.
SCHEMA_VERSION = 2

_RATINGS = frozenset("12345")
# Escaped in titles so that a company called "<b>*Acme*</b>" shows as typed, not as markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~!])")
_BACKTICKS = re.compile(r"`+")
_NOT_WORD = re.compile(r"[\W_]+")
_SLUG_LENGTH = 40


@dataclass(frozen=True, slots=True)
class _Answer:
    """One stored answer and, when the checklist still has it, its question and section."""

    key: str
    text: str
    question: Question | None
    section: Section | None


def _t(language: Language, key: str, /, **values: object) -> str:
    """Fill in an export.* text."""
    return catalog().text(language, f"export.{key}", **values)


def _answers(debrief: Debrief, checklist: Checklist) -> list[_Answer]:
    """List the debrief's answers in checklist order, then those the checklist no longer has."""
    known = [
        _Answer(question.key, text, question, section)
        for section in checklist.sections
        for question in section.questions
        if (text := debrief.answers.get(question.key))
    ]
    others = [
        _Answer(key, text, None, None)
        for key, text in sorted(debrief.answers.items())
        if text and key not in checklist
    ]
    return known + others


def _iso_date(value: str | None) -> date | None:
    """Read a stored YYYY-MM-DD date, None when there is none or it is not one."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _spelled_out(question: Question | None, value: str, language: Language) -> str | None:
    """Spell out a valid choice, rating or date answer; None where only verbatim text will do."""
    if question is None:
        return None
    match question.kind:
        case Kind.CHOICE:
            valid = question.option(value) is not None
        case Kind.RATING:
            valid = value in _RATINGS
        case Kind.DATE:
            valid = _iso_date(value) is not None
        case Kind.TEXT | Kind.PEOPLE:
            valid = False
        case unknown:
            assert_never(unknown)
    return display(question, value, language) if valid else None


def _check_owner(user_ids: Iterable[int]) -> None:
    """Refuse to put the data of more than one user in an export."""
    if len(set(user_ids)) > 1:
        raise ValueError("an export holds the data of one user only")


def _rfc3339(moment: datetime) -> str:
    """Write a moment as an RFC 3339 timestamp in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _language(profile: Profile) -> Language:
    """Return the language the user reads, which also decides how their notes are compared."""
    return profile.language or language_from_code(profile.telegram_language)


def _require_aware(moment: datetime) -> None:
    """Refuse a naive datetime, which would be read in the server's timezone."""
    if moment.utcoffset() is None:
        raise ValueError("exported_at must be timezone-aware")


# Markdown.


def _inline(text: str) -> str:
    """Make user text safe inside a heading or a list item: one line, markup shown as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _verbatim(text: str) -> str:
    """Fence text with more backticks than any run in it, so every character stays as written."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _latest(rounds: Sequence[Debrief], key: str) -> str | None:
    """Return the most recent round's non-blank answer to a question."""
    return next(
        (text for debrief in reversed(rounds) if (text := debrief.answers.get(key, "")).strip()),
        None,
    )


def _application_title(rounds: Sequence[Debrief], language: Language) -> str:
    """Name an application by its company and position, shortened and escaped for a heading."""
    company = _latest(rounds, Key.COMPANY)
    position = _latest(rounds, Key.POSITION)
    name = _inline(clip(company, 12)) if company else _t(language, "untitled")
    if not position:
        return name
    return _t(language, "title_with_position", company=name, position=_inline(clip(position, 12)))


def _round_heading(debrief: Debrief, number: int, count: int, language: Language) -> str:
    """Name a debrief: its round when the application has several, and the interview date."""
    day = _iso_date(debrief.answers.get(Key.INTERVIEW_DATE))
    key = "round" if count > 1 else "interview"
    if day is None:
        return _t(language, key, number=number)
    return _t(language, f"{key}_on", number=number, date=format_date(day, language))


def _moment(moment: datetime | None, zone: tzinfo, language: Language) -> str | None:
    """Write a moment as a date and time in the export's timezone."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return _t(language, "moment", date=format_date(local.date(), language), time=f"{local:%H:%M}")


def _stamp(moment: datetime | None) -> str | None:
    """Write a moment as the database stores it: UTC, ISO 8601, milliseconds, a Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _field(label_key: str, value: str, language: Language) -> str:
    """Write one '**Label:** value' line of a debrief's details."""
    return _t(language, "field", label=_t(language, label_key), value=value)


def _details(
    debrief: Debrief, *, checklist: Checklist, language: Language, zone: tzinfo
) -> list[str]:
    """List a debrief's status, outcome, rating, thank-you and times."""
    next_round = debrief.next_round_date
    if debrief.outcome is Outcome.NEXT_ROUND and next_round:
        outcome = _t(language, "outcome_next_round_on", date=format_date(next_round, language))
    else:
        outcome = _t(language, f"outcome_{debrief.outcome}")
    rating_question = checklist.question(Key.RATING) if Key.RATING in checklist else None
    rating = _spelled_out(rating_question, debrief.answers.get(Key.RATING, ""), language)
    sent = "thank_you_sent" if debrief.thank_you_sent else "thank_you_not_sent"
    lines = [
        _field("status", _t(language, f"status_{debrief.status}"), language),
        _field("outcome", outcome, language),
        _field("rating", rating or _t(language, "not_rated"), language),
        _field("thank_you", _t(language, sent), language),
    ]
    if started := _moment(debrief.created_at, zone, language):
        lines.append(_field("started", started, language))
    if finished := _moment(debrief.finished_at, zone, language):
        lines.append(_field("finished", finished, language))
    answered = sum(1 for question in checklist if debrief.answers.get(question.key))
    lines.append(
        catalog().text(language, "summary.answered", answered=answered, total=len(checklist))
    )
    return [f"- {line}" for line in lines]


def _answers_markdown(debrief: Debrief, *, checklist: Checklist, language: Language) -> list[str]:
    """Write every answer under its section and question, verbatim."""
    lines: list[str] = []
    title: str | None = None
    for answer in _answers(debrief, checklist):
        section = answer.section.title(language) if answer.section else _t(language, "other")
        if section != title:
            title = section
            lines += [f"#### {section}", ""]
            if answer.section is None:
                lines += [_t(language, "other_note"), ""]
        question = answer.question
        label = _inline(question.label(language) if question else answer.key)
        if shown := _spelled_out(question, answer.text, language):
            lines += [_t(language, "field", label=label, value=shown), ""]
        else:
            lines += [f"**{label}**", "", _verbatim(answer.text), ""]
    return lines


def _insights_markdown(debriefs: Sequence[Debrief], language: Language, today: date) -> list[str]:
    """Write the insights across debriefs (what /insights shows), user text escaped."""
    insights = build_insights(debriefs, language=language)
    lines = [f"## {_t(language, 'insights')}", ""]
    if not insights.enough:
        key = "insights.not_enough_one" if debriefs else "insights.not_enough_none"
        return [*lines, catalog().text(language, key), ""]
    for part in describe(insights, language=language, today=today)[1:]:
        if part.title is not None:
            lines += [f"### {_inline(part.title)}", ""]
        lines += [f"- {_inline(line)}" for line in part.lines]
        if part.note:
            lines.append(f"- *{_inline(part.note)}*")
        lines.append("")
    return lines


def _anchor(debrief: Debrief) -> str:
    """Return the id the index links to."""
    return f"debrief-{debrief.id}"


def _outline(
    debriefs: Iterable[Debrief], language: Language
) -> list[tuple[str, list[tuple[Debrief, str]]]]:
    """List each application's title with its rounds and their headings."""
    return [
        (
            _application_title(rounds, language),
            [
                (debrief, _round_heading(debrief, number, len(rounds), language))
                for number, debrief in enumerate(rounds, start=1)
            ],
        )
        for rounds in (a.rounds for a in group_rounds(debriefs))
    ]


def export_markdown(
    debriefs: Sequence[Debrief],
    *,
    checklist: Checklist,
    language: Language,
    exported_at: datetime,
) -> str:
    """Write every debrief, every answer verbatim, as a Markdown document for the user to keep.

    Applications come newest first, their rounds in order; times are shown in exported_at's
    timezone. Skipped questions are left out; answers to questions the checklist no longer has
    are kept under "Other".
    """
    _require_aware(exported_at)
    _check_owner(debrief.user_id for debrief in debriefs)
    zone = exported_at.tzinfo or UTC
    grouped = _outline(debriefs, language)
    lines = [
        f"# {_t(language, 'title')}",
        "",
        _t(
            language,
            "exported",
            date=format_date(exported_at.date(), language),
            time=f"{exported_at:%H:%M}",
            zone=exported_at.tzname(),
        ),
        _t(language, "counts", debriefs=len(debriefs), applications=len(grouped)),
        "",
        _t(language, "how_to_read"),
        "",
    ]
    if not grouped:
        return "\n".join([*lines, _t(language, "nothing"), ""])
    lines += [f"## {_t(language, 'contents')}", ""]
    for title, headings in grouped:
        lines.append(f"- **{title}**")
        lines += [f"  - [{heading}](#{_anchor(debrief)})" for debrief, heading in headings]
    for title, headings in grouped:
        if lines[-1]:
            lines.append("")
        lines += ["---", "", f"## {title}", ""]
        for debrief, heading in headings:
            lines += [f'<a id="{_anchor(debrief)}"></a>', "", f"### {heading}", ""]
            lines += _details(debrief, checklist=checklist, language=language, zone=zone)
            lines.append("")
            lines += _answers_markdown(debrief, checklist=checklist, language=language)
    if lines[-1]:
        lines.append("")
    lines += ["---", "", *_insights_markdown(debriefs, language, exported_at.date())]
    return "\n".join(lines).rstrip("\n") + "\n"


# JSON.


def _answer_json(answer: _Answer) -> dict[str, object]:
    """Describe one answer: where it sits in the checklist and its text exactly as stored."""
    question = answer.question
    shown = {language: _spelled_out(question, answer.text, language) for language in LANGUAGES}
    return {
        "key": answer.key,
        "section": answer.section.key if answer.section else None,
        "kind": question.kind.value if question else None,
        "label": {language: question.label(language) for language in LANGUAGES}
        if question
        else None,
        "text": answer.text,
        "display": None if None in shown.values() else shown,
    }


def _reminder_json(reminder: Reminder) -> dict[str, object]:
    """Describe one follow-up reminder."""
    return {
        "kind": reminder.kind,
        "due_at": _rfc3339(datetime.fromtimestamp(reminder.due_at, UTC)),
        "state": reminder.state,
        "attempt": reminder.attempt,
    }


def _occurrence_json(occurrence: Occurrence) -> dict[str, object]:
    """Describe where a note was made."""
    return {
        "debrief_id": occurrence.debrief_id,
        "company": occurrence.company,
        "date": occurrence.day.isoformat() if occurrence.day else None,
        "text": occurrence.wording,
    }


def _recurring_json(found: Sequence[Recurring]) -> list[dict[str, object]]:
    """Describe notes that keep coming back, each with every place it came up."""
    return [
        {"text": r.wording, "occurrences": [_occurrence_json(o) for o in r.occurrences]}
        for r in found
    ]


def _insights_json(insights: Insights) -> dict[str, object]:
    """Describe the figures of /insights."""
    funnel = insights.funnel
    return {
        "interviews": insights.interviews,
        "applications": insights.applications,
        "later_rounds": insights.later_rounds,
        "companies": insights.companies,
        "funnel": {
            "applications": funnel.applications,
            "answered": funnel.answered,
            "next_round": funnel.next_round,
            "offers": funnel.offers,
            "now": dict(funnel.now),
        },
        "ratings": [
            {"debrief_id": p.debrief_id, "date": p.day.isoformat(), "rating": p.rating}
            for p in insights.ratings
        ],
        "rating_trend": insights.trend.value,
        "rating_first_mean": insights.first_mean,
        "rating_last_mean": insights.last_mean,
        "recurring_awkward_questions": _recurring_json(insights.awkward),
        "recurring_obstacles": _recurring_json(insights.obstacles),
        "often_forgotten_questions": _recurring_json(insights.forgotten),
        "improvements": [
            {
                "said": _occurrence_json(i.said),
                "came_back_as_blunder": [_occurrence_json(o) for o in i.came_back],
                "later_debriefs": i.later_debriefs,
            }
            for i in insights.improvements
        ],
        "answer_days": [
            {"debrief_id": w.debrief_id, "company": w.company, "days": w.days, "outcome": w.outcome}
            for w in insights.waits
        ],
        "median_answer_days": insights.median_wait,
    }


def export_json(
    debriefs: Sequence[Debrief],
    *,
    checklist: Checklist,
    profile: Profile,
    reminders: Sequence[Reminder],
    exported_at: datetime,
) -> str:
    """Write the user's settings, debriefs, answers and reminders as JSON (see docs/export.md)."""
    _require_aware(exported_at)
    _check_owner([profile.user_id, *(d.user_id for d in debriefs), *(r.user_id for r in reminders)])
    by_debrief: dict[int, list[Reminder]] = {}
    for reminder in sorted(reminders, key=lambda reminder: (reminder.due_at, reminder.id)):
        by_debrief.setdefault(reminder.debrief_id, []).append(reminder)
    exported = {debrief.id for debrief in debriefs}
    entries = []
    for rounds in (a.rounds for a in group_rounds(debriefs)):
        for number, debrief in enumerate(rounds, start=1):
            entries.append(
                {
                    "id": debrief.id,
                    "application_id": rounds[0].id,
                    "round": number,
                    "previous_id": debrief.previous_id if debrief.previous_id in exported else None,
                    "status": debrief.status,
                    "created_at": _stamp(debrief.created_at),
                    "finished_at": _stamp(debrief.finished_at),
                    "outcome": debrief.outcome,
                    "outcome_at": _stamp(debrief.outcome_at),
                    "next_round_date": (
                        debrief.next_round_date.isoformat() if debrief.next_round_date else None
                    ),
                    "thank_you_sent": debrief.thank_you_sent,
                    "answers": [_answer_json(answer) for answer in _answers(debrief, checklist)],
                    "reminders": [_reminder_json(r) for r in by_debrief.get(debrief.id, [])],
                }
            )
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": _rfc3339(exported_at),
        "user": {
            "telegram_user_id": profile.user_id,
            "name": profile.name,
            "language": profile.language,
            "telegram_language": profile.telegram_language,
            "timezone": profile.timezone,
        },
        "debriefs": entries,
        "insights": _insights_json(build_insights(debriefs, language=_language(profile))),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# Thank-you drafts.


def _recipient(address: str | None) -> Address | None:
    """Return the interviewer's address as a To header can carry it, None when it cannot."""
    if not address:
        return None
    local, _, domain = address.rpartition("@")
    try:
        spec = f"{local}@{domain.encode('idna').decode('ascii')}"
        parsed = Address(addr_spec=spec)
    except (ValueError, HeaderParseError):
        return None
    # The parser drops comments and splits lists: anything but the exact address is another one.
    return parsed if parsed.addr_spec == spec else None


def thank_you_eml(
    debrief: Debrief, *, language: Language, sender_name: str, exported_at: datetime
) -> bytes:
    """Write the debrief's thank-you email as an unsent .eml draft that mail apps open."""
    _require_aware(exported_at)
    # One draft to everyone met: a file per person would say the same thing several times.
    (draft,) = build_thank_you(
        debrief.answers,
        language=language,
        sender=sender_name,
        today=exported_at.date(),
        joint=True,
    )
    message = EmailMessage(policy=SMTP)
    # No From: the user's address is unknown, and the mail app fills it in when sending.
    if recipients := [found for to in draft.recipients if (found := _recipient(to))]:
        message["To"] = recipients
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(exported_at)
    # Outlook opens a message with this header as a draft, ready to edit and send.
    message["X-Unsent"] = "1"
    message.set_content(draft.body, charset="utf-8")
    return message.as_bytes()


# File names.


def _slug(text: str) -> str:
    """Turn user text into a file-name part: lower case, accents dropped, words joined by '-'."""
    return _NOT_WORD.sub("-", fold(text)).strip("-")[:_SLUG_LENGTH].rstrip("-")


def export_filename(exported_at: datetime, extension: Literal["md", "json"]) -> str:
    """Name an export file after its day: debrief-export-2026-11-26.md."""
    return f"debrief-export-{exported_at.date().isoformat()}.{extension}"


def eml_filename(debrief: Debrief) -> str:
    """Name a thank-you draft after the company and the interview: thank-you-acme-2026-11-25.eml."""
    day = _iso_date(debrief.answers.get(Key.INTERVIEW_DATE)) or (
        debrief.created_at.astimezone(UTC).date() if debrief.created_at else None
    )
    parts = ["thank-you", _slug(debrief.answers.get(Key.COMPANY, "")) or "interview"]
    if day:
        parts.append(day.isoformat())
    return "-".join(parts) + ".eml"
