"""Everything the user reads: HTML escaping, keyboards, questions, the summary and the email."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, Button
from conversations.answers import display
from conversations.checklist import Checklist, Kind, Question
from conversations.dates import format_date
from conversations.email import EmailDraft
from conversations.flow import addable_question
from conversations.i18n import LANGUAGES, Language, catalog
from conversations.summary import Summary
from storage.debriefs import Debrief, Outcome

OUTCOMES: tuple[Outcome, ...] = ("waiting", "next_round", "offer", "rejected", "withdrawn")

__all__ = [
    "MESSAGE_LIMIT",
    "OUTCOMES",
    "Line",
    "Reply",
    "draft_choice",
    "email",
    "escape",
    "finished",
    "heard",
    "language_choice",
    "moment",
    "outcome_buttons",
    "outcome_choice",
    "pack",
    "question",
    "reminder",
    "reminder_item",
    "round_date_question",
    "start",
    "summary",
    "text",
    "thank_you",
    "utf16_len",
]

MESSAGE_LIMIT = 4096
# A quoted answer shown back under a question is cut here, so the question always fits.
_QUOTE_LIMIT = 3000
# Longer mailto: links are unreliable in mail apps; past this the body is left out of the link.
_MAILTO_LIMIT = 2000

Style = Literal["plain", "bold", "italic"]
_TAGS: dict[Style, tuple[str, str]] = {
    "plain": ("", ""),
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
}


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send: HTML text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a long message, as plain text, rendered with a style."""

    text: str
    style: Style = "plain"

    def html(self) -> str:
        """Render the line as Telegram HTML."""
        opening, closing = _TAGS[self.style]
        return f"{opening}{escape(self.text)}{closing}" if self.text else ""


def escape(value: object) -> str:
    """Escape a value for Telegram HTML; every text that came from a user goes through here."""
    return html.escape(str(value), quote=False)


def text(language: Language, key: str, /, **values: object) -> str:
    """Return a catalogue text with its placeholders filled in, escaped."""
    return catalog().text(language, key, **{name: escape(v) for name, v in values.items()})


def utf16_len(value: str) -> int:
    """Count UTF-16 code units, which is how Telegram measures message length."""
    return len(value.encode("utf-16-le")) // 2


def _cut(value: str, limit: int) -> int:
    """Return where to cut a line so the head fits in `limit`, at a space when there is one."""
    units = 0
    end = 0
    for index, character in enumerate(value):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            break
        end = index + 1
    space = value.rfind(" ", 0, end)
    return space if space > end * 4 // 5 else end


def _fitting(lines: Iterable[Line], limit: int) -> Iterator[Line]:
    """Split any line longer than `limit` into several lines."""
    for line in lines:
        rest = line.text
        while utf16_len(rest) > limit:
            cut = _cut(rest, limit)
            yield Line(rest[:cut].rstrip(), line.style)
            rest = rest[cut:].lstrip()
        yield Line(rest, line.style)


def pack(lines: Iterable[Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack lines into as few messages as possible, each under `limit`, cut on line boundaries."""
    messages: list[str] = []
    current: list[Line] = []
    size = 0
    for line in _fitting(lines, limit):
        cost = utf16_len(line.text) + (1 if current else 0)
        if current and size + cost > limit:
            messages.append("\n".join(part.html() for part in current).strip())
            current, size = [], 0
            cost = utf16_len(line.text)
        if not current and not line.text:
            continue
        current.append(line)
        size += cost
    if current:
        messages.append("\n".join(part.html() for part in current).strip())
    return [message for message in messages if message]


def _markup(rows: Sequence[Sequence[tuple[str, Button]]]) -> InlineKeyboardMarkup | None:
    """Build an inline keyboard from (label, button) rows, skipping empty rows."""
    keyboard = [
        [InlineKeyboardButton(label, callback_data=button.encode()) for label, button in row]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def _clip(value: str, limit: int) -> str:
    """Shorten a quoted answer to `limit` UTF-16 units (Telegram's measure), ellipsis included."""
    return value if utf16_len(value) <= limit else value[: _cut(value, limit - 1)].rstrip() + "…"


def _answer_buttons(
    question: Question, debrief_id: int, language: Language, today: date
) -> list[tuple[str, Button]]:
    """Return the buttons that answer a choice, rating or date question."""

    def answer(value: str) -> Button:
        return Button(Action.ANSWER, debrief_id, question.key, value)

    match question.kind:
        case Kind.CHOICE:
            return [(option.label(language), answer(option.key)) for option in question.options]
        case Kind.RATING:
            return [(str(value), answer(str(value))) for value in range(1, 6)]
        case Kind.DATE:
            return [
                (text(language, "debrief.today_button"), answer(today.isoformat())),
                (
                    text(language, "debrief.yesterday_button"),
                    answer((today - timedelta(days=1)).isoformat()),
                ),
            ]
        case _:
            return []


def question(
    checklist: Checklist,
    debrief: Debrief,
    *,
    language: Language,
    today: date,
    preface: str | None = None,
    show_answer: bool = False,
) -> Reply:
    """Render the debrief's current question with its progress, buttons and controls."""
    assert debrief.current_key is not None
    current = checklist.question(debrief.current_key)
    header = text(
        language,
        "debrief.header",
        section=checklist.section_of(current.key).title(language),
        number=checklist.number(current.key),
        total=len(checklist),
    )
    parts = [*([preface] if preface else []), header, escape(current.prompt(language))]
    answer = debrief.answers.get(current.key)
    if show_answer and answer is not None:
        shown = _clip(display(current, answer, language), _QUOTE_LIMIT)
        parts.append("\n" + text(language, "debrief.current_answer", answer=shown))

    def control(
        action: Action, label_key: str, key: str | None = current.key
    ) -> tuple[str, Button]:
        return text(language, label_key), Button(action, debrief.id, key)

    controls = []
    if current.optional:
        controls.append(control(Action.SKIP, "debrief.skip_button"))
    if checklist.before(current.key) is not None:
        controls.append(control(Action.BACK, "debrief.back_button"))
    rows = [_answer_buttons(current, debrief.id, language, today), controls]
    if show_answer and answer is not None:
        rows.insert(0, [control(Action.KEEP, "debrief.keep_button")])
    if (addable := addable_question(checklist, debrief)) is not None:
        rows.append([control(Action.ADD, "debrief.add_button", addable.key)])
    if all(q.key in debrief.answers for q in checklist.required):
        rows.append([control(Action.FINISH, "debrief.finish_button", None)])
    return Reply("\n".join(parts), _markup(rows))


def heard(transcript: str, *, language: Language, retype: Button | None) -> Reply:
    """Show what a voice note was heard as, with a button to type it instead."""
    body = text(language, "voice.heard", transcript=_clip(transcript, _QUOTE_LIMIT))
    label = text(language, "voice.retype_button")
    return Reply(body, _markup([[(label, retype)]] if retype is not None else []))


def summary(result: Summary) -> list[str]:
    """Render the summary as one or more messages, cut on line boundaries."""
    lines = [Line(result.title, "bold")]
    for section in result.sections:
        lines += [Line(""), Line(f"▌{section.title}", "bold")]
        for item in section.items:
            lines.append(Line(item.label, "italic"))
            lines += [Line(part) for part in item.answer.splitlines() if part.strip()]
    return pack(lines)


def _email_block(draft: EmailDraft, language: Language) -> str:
    """Write an email as one copyable block: recipient, subject, then the body."""
    block = []
    if draft.to:
        block.append(catalog().text(language, "email.to", to=draft.to))
    block.append(catalog().text(language, "email.subject_label", subject=draft.subject))
    block += ["", draft.body]
    return "\n".join(block)


def _mailto(draft: EmailDraft, language: Language) -> str | None:
    """Render a link that opens the draft in a mail app, when the recipient is known."""
    link = draft.mailto()
    if link is None:
        return None
    if len(link) > _MAILTO_LIMIT:
        link = link.split("&body=", 1)[0]
    label = text(language, "email.mailto")
    return f'<a href="{html.escape(link, quote=True)}">{label}</a>'


def email(draft: EmailDraft, *, language: Language, advice_key: str) -> str:
    """Render the thank-you draft as one message: a copyable block, a mailto link, when to send."""
    parts = [text(language, "email.intro"), f"<pre>{escape(_email_block(draft, language))}</pre>"]
    link = _mailto(draft, language)
    if link is not None:
        parts.append(link)
    parts.append(text(language, advice_key))
    return "\n\n".join(parts)


def start(language: Language, *, name: str) -> Reply:
    """Render the greeting with its New debrief button."""
    return Reply(
        text(language, "start.greeting", name=name),
        _markup([[(text(language, "start.new_button"), Button(Action.NEW))]]),
    )


def draft_choice(checklist: Checklist, debrief: Debrief, *, language: Language) -> Reply:
    """Ask whether to resume the unfinished debrief or start over."""
    company = debrief.answers.get("company") or catalog().text(language, "debrief.unnamed")
    body = text(
        language,
        "debrief.draft_exists",
        company=_clip(company, 80),
        answered=len(debrief.answers),
        total=len(checklist),
    )
    return Reply(
        body,
        _markup(
            [
                [
                    (text(language, "debrief.resume_button"), Button(Action.RESUME, debrief.id)),
                    (text(language, "debrief.restart_button"), Button(Action.RESTART, debrief.id)),
                ]
            ]
        ),
    )


_LANGUAGE_NAMES: dict[Language, str] = {"en": "🇬🇧 English", "fr": "🇫🇷 Français"}


def language_choice(language: Language) -> Reply:
    """Offer the supported languages as buttons."""
    buttons = [(_LANGUAGE_NAMES[lang], Button(Action.LANGUAGE, None, lang)) for lang in LANGUAGES]
    return Reply(text(language, "language.choose"), _markup([buttons]))


def moment(when: datetime, *, now: datetime, tz: tzinfo, language: Language) -> str:
    """Say when something will happen, in the user's zone: 'tomorrow at 09:00'."""
    local, today = when.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return catalog().text(language, "time.today", time=clock)
    if local.date() == today + timedelta(days=1):
        return catalog().text(language, "time.tomorrow", time=clock)
    return catalog().text(language, "time.on", date=format_date(local.date(), language), time=clock)


def _button_row(
    language: Language, action: Action, row_id: int, choices: Sequence[tuple[str, str]]
) -> list[tuple[str, Button]]:
    """Build one row of buttons that share an action and a row id."""
    return [(text(language, label), Button(action, row_id, value)) for value, label in choices]


def outcome_buttons(debrief_id: int, language: Language) -> list[list[tuple[str, Button]]]:
    """Return the rows of buttons that set how an application stands."""
    choices = [(outcome, f"outcome.{outcome}_button") for outcome in OUTCOMES]
    return [
        _button_row(language, Action.OUTCOME, debrief_id, choices[:3]),
        _button_row(language, Action.OUTCOME, debrief_id, choices[3:]),
    ]


def outcome_choice(debrief_id: int, language: Language, *, preface: str | None = None) -> Reply:
    """Ask how the application stands."""
    question = text(language, "outcome.question")
    body = f"{preface}\n\n{question}" if preface else question
    return Reply(body, _markup(outcome_buttons(debrief_id, language)))


def thank_you(draft: EmailDraft, *, language: Language, advice_key: str, debrief_id: int) -> Reply:
    """Render the thank-you draft with a button to say it was sent."""
    sent = [(text(language, "reminders.sent_button"), Button(Action.THANKS_SENT, debrief_id))]
    return Reply(email(draft, language=language, advice_key=advice_key), _markup([sent]))


def finished(
    *,
    language: Language,
    debrief_id: int,
    answered: int,
    total: int,
    notes: Sequence[str],
    ask_questions_when: bool,
) -> Reply:
    """Render the end of a debrief: what was saved, what comes next, and how things stand."""
    lines = [text(language, "debrief.finished", answered=answered, total=total), *notes]
    rows = []
    if ask_questions_when:
        choices = [
            ("2d", "reminders.in_two_days_button"),
            ("other", "reminders.other_time_button"),
            ("never", "reminders.never_button"),
        ]
        rows.append(_button_row(language, Action.QUESTIONS_WHEN, debrief_id, choices))
    lines += ["", text(language, "outcome.question")]
    rows += outcome_buttons(debrief_id, language)
    return Reply("\n".join(lines), _markup(rows))


_REMINDER_BUTTONS: dict[str, tuple[tuple[str, str], ...]] = {
    "thank_you": (
        ("sent", "reminders.sent_button"),
        ("later", "reminders.later_button"),
        ("skip", "reminders.skip_button"),
    ),
    "no_news": (("news", "reminders.news_button"), ("snooze", "reminders.snooze_button")),
    "feedback": (("done", "reminders.done_button"), ("later", "reminders.later_button")),
    "next_round": (("done", "reminders.done_button"),),
}
_LIST_BUTTONS = (
    ("done", "reminders.done_button"),
    ("snooze", "reminders.snooze_button"),
    ("cancel", "reminders.cancel_button"),
)


def reminder(
    kind: str,
    reminder_id: int,
    *,
    language: Language,
    intro: str,
    draft: EmailDraft | None,
) -> Reply:
    """Render a delivered reminder: its intro, the email draft it carries, and its buttons."""
    parts = [intro]
    if draft is not None:
        parts.append(f"<pre>{escape(_email_block(draft, language))}</pre>")
        link = _mailto(draft, language)
        if link:
            parts.append(link)
    choices = _REMINDER_BUTTONS.get(kind, _LIST_BUTTONS)
    row = _button_row(language, Action.REMINDER, reminder_id, choices)
    return Reply("\n\n".join(parts), _markup([row]))


def reminder_item(label: str, reminder_id: int, *, language: Language) -> Reply:
    """Render one pending reminder of /reminders with Done / Snooze / Cancel."""
    row = _button_row(language, Action.REMINDER, reminder_id, _LIST_BUTTONS)
    return Reply(label, _markup([row]))


def round_date_question(debrief_id: int, language: Language) -> Reply:
    """Ask for the next round's date, with a way out when it is not known yet."""
    unknown = [
        (text(language, "outcome.round_unknown_button"), Button(Action.ROUND_UNKNOWN, debrief_id))
    ]
    return Reply(text(language, "outcome.round_date"), _markup([unknown]))
