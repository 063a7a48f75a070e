"""Everything the user reads: HTML escaping, keyboards, questions, the summary and the email."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal, assert_never

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CANCEL, IN_PLACE, Action, Button
from conversations.answers import display, stars
from conversations.checklist import Checklist, Key, Kind, Question
from conversations.dates import format_date, weekday_name
from conversations.email import EmailDraft, build_thank_you, parties, sending_advice
from conversations.flow import addable_question, previous_key, progress
from conversations.followup import build_preparation_brief
from conversations.history import PAGE_SIZE, Page, interview_day
from conversations.i18n import LANGUAGES, Language, catalog
from conversations.insights import Insights, describe
from conversations.model import Debrief, Outcome, Phase, ReminderKind, Status
from conversations.reminders import LIST_BUTTONS, ReminderOp, rule
from conversations.summary import Summary, build_summary

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)

__all__ = [
    "MESSAGE_LIMIT",
    "OUTCOMES",
    "Line",
    "Reply",
    "debrief_view",
    "deeper_offer",
    "delete_confirm",
    "draft_choice",
    "edit_picker",
    "edit_prompt",
    "email",
    "erase_confirm",
    "escape",
    "finished",
    "heard",
    "history_page",
    "insights",
    "language_choice",
    "linked",
    "moment",
    "outcome_buttons",
    "outcome_choice",
    "pack",
    "question",
    "questions_reminder",
    "recall",
    "recorded",
    "refusal",
    "reminder",
    "reminder_item",
    "round_date_question",
    "stamp",
    "start",
    "summary",
    "text",
    "thank_you_for",
    "utf16_len",
]

MESSAGE_LIMIT = 4096
# A quoted answer shown back under a question is cut here, so the question always fits.
_QUOTE_LIMIT = 3000
# Every other value a user gave (a company, a name) is cut here inside a sentence, so a text
# with its values always fits in one message; the placeholders below hold quotes.
_VALUE_LIMIT = 200
_QUOTED = frozenset({"answer", "transcript", "questions"})
# An answer shown under its question once recorded: enough to recognise it at a glance.
_RECORDED_LIMIT = 160
# Longer mailto: links are unreliable in mail apps; past this the body is left out of the link.
_MAILTO_LIMIT = 2000

_TAG = re.compile(r"<[^>]*>")

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
    """Return a catalogue text with its placeholders filled in, clipped and escaped."""
    return catalog().text(
        language,
        key,
        **{
            name: escape(_clip(str(value), _QUOTE_LIMIT if name in _QUOTED else _VALUE_LIMIT))
            for name, value in values.items()
        },
    )


def count(value: int, language: Language) -> str:
    """Write a whole number as people read it: 20,000 in English, 20 000 in French."""
    grouped = f"{value:,}"
    return grouped.replace(",", "\u202f") if language == "fr" else grouped


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
    question: Question,
    debrief_id: int,
    language: Language,
    today: date,
    action: Action = Action.ANSWER,
) -> list[tuple[str, Button]]:
    """Return the buttons that answer a choice, rating or date question."""

    def answer(value: str) -> Button:
        return Button(action, debrief_id, question.key, value)

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
        case Kind.TEXT | Kind.PEOPLE:
            return []
        case unknown:
            assert_never(unknown)


def _header(checklist: Checklist, debrief: Debrief, key: str, language: Language) -> str:
    """Render a question's section and progress line (within its part of the debrief)."""
    number, total = progress(checklist, debrief, key)
    return text(
        language,
        "debrief.header",
        section=checklist.section_of(key).title(language),
        number=number,
        total=total,
    )


def recorded(
    checklist: Checklist,
    debrief: Debrief,
    key: str,
    answer: str | None,
    *,
    skipped: bool,
    language: Language,
    paused: bool = False,
) -> Reply:
    """Render an asked question once it is left: the answer it got (shortened), no keyboard."""
    asked = checklist.question(key)
    body = f"{_header(checklist, debrief, key, language)}\n{escape(asked.prompt(language))}"
    if answer:
        shown = _clip(display(asked, answer, language), _RECORDED_LIMIT)
        body += "\n\n" + text(language, "recorded.answer", answer=shown)
    elif skipped:
        body += "\n\n" + text(language, "recorded.skipped")
    if paused:
        body += "\n\n" + text(language, "recorded.paused")
    return Reply(body)


def stamp(when: datetime, *, tz: tzinfo, language: Language) -> str:
    """Say briefly when something was done: 'mardi 14:02'."""
    local = when.astimezone(tz)
    return f"{weekday_name(local.date(), language)} {local.strftime('%H:%M')}"


def question(
    checklist: Checklist,
    debrief: Debrief,
    *,
    language: Language,
    today: date,
    preface: str | None = None,
    show_answer: bool = False,
    earlier_round: Debrief | None = None,
    earlier_answer: str | None = None,
) -> Reply:
    """Render the debrief's current question with its progress, buttons and controls.

    earlier_round: the application this debrief may be the next round of, offered with a
    button; earlier_answer: the round before's answer, offered to keep.
    """
    assert debrief.current_key is not None
    current = checklist.question(debrief.current_key)
    header = _header(checklist, debrief, current.key, language)
    offer = _round_offer(earlier_round, language) if earlier_round is not None else None
    parts = [
        *([preface] if preface else []),
        *([offer] if offer else []),
        header,
        escape(current.prompt(language)),
    ]
    answer = debrief.answers.get(current.key)
    # An answer to keep: the one given (after /back), or the round before's (a later round).
    keepable = None
    if show_answer and answer is not None:
        keepable = answer, "debrief.current_answer", "debrief.keep_button"
    elif earlier_answer is not None and answer is None:
        keepable = earlier_answer, "history.earlier_answer", "history.same_button"
    if keepable is not None:
        shown = display(current, keepable[0], language)
        parts.append("\n" + text(language, keepable[1], answer=shown))

    def control(
        action: Action, label_key: str, key: str | None = current.key
    ) -> tuple[str, Button]:
        return text(language, label_key), Button(action, debrief.id, key)

    controls = []
    if current.optional:
        controls.append(control(Action.SKIP, "debrief.skip_button"))
    if previous_key(checklist, debrief, current.key) is not None:
        controls.append(control(Action.BACK, "debrief.back_button"))
    rows = [_answer_buttons(current, debrief.id, language, today), controls]
    if keepable is not None:
        rows.insert(0, [control(Action.KEEP, keepable[2])])
    if earlier_round is not None:
        rows.insert(0, [_round_button(debrief, earlier_round, language)])
    if (addable := addable_question(checklist, debrief)) is not None:
        if debrief.quick_key == addable.key:
            # That answer came within seconds of its question: maybe the rest of the one before.
            rows.append([control(Action.SPLIT, "debrief.split_button", addable.key)])
        else:
            rows.append([control(Action.ADD, "debrief.add_button", addable.key)])
    if all(q.key in debrief.answers for q in checklist.required):
        rows.append([control(Action.FINISH, "debrief.finish_button", None)])
    return Reply("\n".join(parts), _markup(rows))


def _round_offer(earlier: Debrief, language: Language) -> str:
    """Say the user debriefed an interview at this company before: maybe this is its next round."""
    when = _day(earlier, language)
    position = earlier.answers.get(Key.POSITION)
    if position:
        when = f"{_clip(position, 60)}, {when}"
    company = _clip(_company(earlier, language), 80)
    return text(language, "history.round_offer", company=company, when=when)


def _round_button(debrief: Debrief, earlier: Debrief, language: Language) -> tuple[str, Button]:
    """Return the button that makes the debrief the next round of an earlier one."""
    position = earlier.answers.get(Key.POSITION)
    # A button label is plain text, not HTML: the position goes in as typed.
    label = (
        catalog().text(language, "history.round_button", position=_clip(position, 40))
        if position
        else catalog().text(language, "history.round_button_plain")
    )
    return label, Button(Action.NEXT_ROUND, debrief.id, str(earlier.id))


def linked(
    checklist: Checklist, kept: Iterable[str], *, number: int, company: str, language: Language
) -> str:
    """Say which round of the application a debrief is, and what it kept from the one before."""
    said = text(language, "history.linked", number=number, company=company)
    labels = [
        catalog().text(
            language, "history.kept_label", label=checklist.question(key).label(language)
        )
        for key in checklist.order
        if key in kept
    ]
    if labels:
        said += "\n" + text(language, "history.linked_kept", labels=", ".join(labels))
    return said


def refusal(question: Question, reason: str, *, language: Language) -> str:
    """Say why an answer was not accepted, naming the options of a choice question."""
    options = text(language, "answer.or").join(
        option.label(language) for option in question.options
    )
    return text(language, reason, options=options, limit=count(question.limit, language))


def recall(rounds: Sequence[Mapping[str, str]], *, title: str, language: Language) -> Summary:
    """Gather what the earlier rounds of an application noted, under `title`."""
    return replace(build_preparation_brief(rounds, language=language), title=title)


def heard(transcript: str, *, language: Language, retype: Button | None) -> Reply:
    """Show what a voice note was heard as, with a button to type it instead."""
    body = text(language, "voice.heard", transcript=transcript)
    label = text(language, "voice.retype_button")
    return Reply(body, _markup([[(label, retype)]] if retype is not None else []))


def summary(result: Summary) -> list[str]:
    """Render the summary as one or more messages, cut on line boundaries."""
    lines = [Line(result.title, "bold")]
    for section in result.sections:
        lines += [Line(""), Line(f"▌{section.title}", "bold")]
        for item in section.items:
            if item.label:
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


def _visible_len(message: str) -> int:
    """Measure a message of our HTML as Telegram does: its text without the tags."""
    return utf16_len(html.unescape(_TAG.sub("", message)))


def _with_draft(
    intro: str,
    draft: EmailDraft,
    closing: Sequence[str],
    markup: InlineKeyboardMarkup | None,
    *,
    language: Language,
) -> list[Reply]:
    """Render text, a draft as a copyable block and more text: one message, or several if need be.

    The block is cut on line boundaries only when it cannot fit, so a reply always goes out.
    """
    block = _email_block(draft, language)
    whole = "\n\n".join([intro, f"<pre>{escape(block)}</pre>", *closing])
    if _visible_len(whole) <= MESSAGE_LIMIT:
        return [Reply(whole, markup)]
    pieces = [f"<pre>{piece}</pre>" for piece in pack([Line(line) for line in block.split("\n")])]
    replies = [Reply(intro), *map(Reply, pieces)]
    if not closing:
        return [*replies[:-1], Reply(replies[-1].text, markup)]
    return [*replies, Reply("\n\n".join(closing), markup)]


def _email_closing(draft: EmailDraft, language: Language, advice_key: str | None) -> list[str]:
    """Return what follows a draft: the link that opens it, then when to send it."""
    link = _mailto(draft, language)
    advice = text(language, advice_key) if advice_key else None
    return [part for part in (link, advice) if part is not None]


def email(
    draft: EmailDraft, *, language: Language, advice_key: str | None, intro: str | None = None
) -> str:
    """Render a thank-you draft as text: a copyable block, a mailto link, when to send."""
    closing = _email_closing(draft, language, advice_key)
    head = intro or text(language, "email.intro")
    replies = _with_draft(head, draft, closing, None, language=language)
    return "\n\n".join(reply.text for reply in replies)


def insights(result: Insights, *, language: Language, today: date) -> list[str]:
    """Render /insights as one or more messages: counts, funnel, rating, what keeps coming back."""
    lines: list[Line] = []
    for part in describe(result, language=language, today=today):
        if not lines:
            lines += [Line(part.lines[0], "bold"), *(Line(line) for line in part.lines[1:])]
            continue
        lines.append(Line(""))
        if part.title is not None:
            lines.append(Line(f"▌{part.title}", "bold"))
        lines += [Line(line) for line in part.lines]
        if part.note:
            lines.append(Line(part.note, "italic"))
    return pack(lines)


def start(language: Language, *, name: str) -> Reply:
    """Render the greeting with its New debrief button."""
    return Reply(
        text(language, "start.greeting", name=name),
        _markup([[(text(language, "start.new_button"), Button(Action.NEW))]]),
    )


def draft_choice(checklist: Checklist, debrief: Debrief, *, language: Language) -> Reply:
    """Ask whether to resume the unfinished debrief or start over."""
    company = debrief.answers.get(Key.COMPANY) or catalog().text(language, "debrief.unnamed")
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
    day = format_date(local.date(), language, year=local.year != today.year)
    return catalog().text(language, "time.on", date=day, time=clock)


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


def _intro(draft: EmailDraft, language: Language, fallback: str) -> str:
    """Say whom a draft is for when it is one of several, else use `fallback`."""
    return text(language, "email.intro_person", name=draft.name) if draft.name else fallback


def thank_you_for(
    debrief: Debrief, *, language: Language, sender: str, today: date, joint: bool = False
) -> list[Reply]:
    """Draft a debrief's thank-you emails, one per person met or one to all, each with Sent
    (unless one was sent already: the button could do nothing).

    The last one says when to send them and, when several people were met, offers the other way.
    """
    answers = debrief.answers
    drafts = build_thank_you(answers, language=language, sender=sender, today=today, joint=joint)
    advice = sending_advice(answers.get(Key.INTERVIEW_DATE), today=today)
    if len(drafts) > 1:
        advice += "_many"  # "send them", under the last of several drafts
    several = len(parties(answers)[0].people) > 1
    sent_button = (text(language, "reminders.sent_button"), Button(Action.THANKS_SENT, debrief.id))
    sent = [] if debrief.thank_you_sent else [sent_button]
    replies = []
    for number, draft in enumerate(drafts):
        last = number == len(drafts) - 1
        rows = [sent]
        if last and several:
            switch = ("each", "email.each_button") if joint else ("joint", "email.joint_button")
            rows.append([(text(language, switch[1]), Button(Action.DRAFT, debrief.id, switch[0]))])
        closing = _email_closing(draft, language, advice if last else None)
        intro = _intro(draft, language, text(language, "email.intro"))
        replies += _with_draft(intro, draft, closing, _markup(rows), language=language)
    return replies


def finished(
    *,
    language: Language,
    debrief_id: int,
    answered: int,
    total: int,
    left: int = 0,
    thank_you_when: str | None,
    no_news_when: str | None,
) -> Reply:
    """Render the end of a debrief or of its express part (`left` questions to go deeper)."""
    if left:
        lines = [text(language, "end.saved", answered=answered, left=left)]
    else:
        lines = [text(language, "debrief.finished", answered=answered, total=total)]
    if thank_you_when is not None:
        lines.append(text(language, "end.thank_you", when=thank_you_when))
    lines += ["", text(language, "end.status")]
    if no_news_when is not None:
        lines.append(text(language, "end.no_news", when=no_news_when))
    change = (text(language, "end.status_button"), Button(Action.STATUS, debrief_id, IN_PLACE))
    return Reply("\n".join(lines), _markup([[change]]))


def deeper_offer(debrief_id: int, remaining: int, *, language: Language, intro: str = "") -> Reply:
    """Offer to go deeper: now first, then tonight, or later."""
    choices = [
        ("now", "deeper.now_button"),
        ("tonight", "deeper.tonight_button"),
        ("later", "deeper.later_button"),
    ]
    row = _button_row(language, Action.DEEPER, debrief_id, choices)
    body = text(language, "deeper.offer", count=remaining)
    return Reply(f"{intro}\n\n{body}" if intro else body, _markup([row]))


def questions_reminder(*, language: Language, debrief_id: int, when: str) -> Reply:
    """Say when the forgotten questions come back, with other times to choose from."""
    choices = [
        ("2d", "reminders.in_two_days_button"),
        ("other", "reminders.other_time_button"),
        ("never", "reminders.never_button"),
    ]
    row = _button_row(language, Action.QUESTIONS_WHEN, debrief_id, choices)
    return Reply(text(language, "end.questions", when=when), _markup([row]))


def _reminder_buttons(
    language: Language, reminder_id: int, ops: tuple[ReminderOp, ...]
) -> list[tuple[str, Button]]:
    """Return the row of buttons under a reminder."""
    choices = [(op.value, f"reminders.{op}_button") for op in ops]
    return _button_row(language, Action.REMINDER, reminder_id, choices)


def reminder(
    kind: ReminderKind,
    reminder_id: int,
    *,
    language: Language,
    intro: str,
    drafts: Sequence[EmailDraft] = (),
) -> list[Reply]:
    """Render a delivered reminder: its intro, then each draft it carries; buttons on the last."""
    markup = _markup([_reminder_buttons(language, reminder_id, rule(kind).buttons)])
    if not drafts:
        return [Reply(intro, markup)]
    replies: list[Reply] = []
    for number, draft in enumerate(drafts):
        last = number == len(drafts) - 1
        head = intro if number == 0 else _intro(draft, language, text(language, "email.intro"))
        if number == 0 and draft.name:
            head = f"{intro}\n\n{_intro(draft, language, intro)}"
        closing = _email_closing(draft, language, None)
        replies += _with_draft(head, draft, closing, markup if last else None, language=language)
    return replies


def reminder_item(label: str, reminder_id: int, *, language: Language) -> Reply:
    """Render one pending reminder of /reminders with Done / Snooze / Cancel."""
    row = _reminder_buttons(language, reminder_id, LIST_BUTTONS)
    return Reply(label, _markup([row]))


def round_date_question(debrief_id: int, language: Language) -> Reply:
    """Ask for the next round's date, with a way out when it is not known yet."""
    unknown = [
        (text(language, "outcome.round_unknown_button"), Button(Action.ROUND_UNKNOWN, debrief_id))
    ]
    return Reply(text(language, "outcome.round_date"), _markup([unknown]))


def _company(debrief: Debrief, language: Language) -> str:
    """Return the debrief's company as typed, or a placeholder."""
    return debrief.answers.get(Key.COMPANY) or catalog().text(language, "history.unnamed")


def _day(debrief: Debrief, language: Language) -> str:
    """Say the day of a debrief's interview (plain text)."""
    day = interview_day(debrief)
    return format_date(day, language) if day else catalog().text(language, "history.no_date")


def _headline(debrief: Debrief, language: Language) -> str:
    """Describe a debrief in one line: date, status, rating (plain text)."""
    texts = catalog()
    parts = [_day(debrief, language)]
    if debrief.status == Status.DONE:
        parts.append(texts.text(language, f"outcome.{debrief.outcome}_button"))
    else:
        parts.append(
            texts.text(
                language,
                f"history.{'paused' if debrief.status is Status.PAUSED else 'in_progress'}",
            )
        )
    rating = debrief.answers.get(Key.RATING, "")
    if rating.isdigit() and 1 <= int(rating) <= 5:
        parts.append(stars(int(rating)))
    return " · ".join(parts)


def _first_given(debriefs: Sequence[Debrief], key: str) -> str | None:
    """Return the first answer to `key` among debriefs, if any gave one."""
    return next((d.answers[key] for d in debriefs if d.answers.get(key)), None)


def history_page(page: Page, *, language: Language) -> Reply:
    """Render a page of the history: applications with their rounds, a button per debrief."""
    lines = [
        text(language, "history.title", total=page.total, page=page.number, pages=page.count),
        text(language, "history.hint"),
    ]
    buttons: list[tuple[str, Button]] = []
    first = (page.number - 1) * PAGE_SIZE + 1
    for number, application in enumerate(page.applications, start=first):
        newest_first = application.rounds[::-1]
        company = _first_given(newest_first, Key.COMPANY) or _company(application.latest, language)
        position = _first_given(newest_first, Key.POSITION)
        title = f"{number}. {_clip(company, 60)}"
        lines.append("")
        lines.append(
            f"<b>{escape(title)}</b>" + (f" — {escape(_clip(position, 60))}" if position else "")
        )
        several = len(application.rounds) > 1
        for index, debrief in reversed(list(enumerate(application.rounds, start=1))):
            round_label = catalog().text(language, "history.round", number=index)
            headline = _headline(debrief, language)
            lines.append(escape(f"   {round_label} · {headline}" if several else f"   {headline}"))
            label = f"{number}. {_clip(company, 24)}" + (f" · {round_label}" if several else "")
            buttons.append((label, Button(Action.OPEN, debrief.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    navigation = []
    if page.number > 1:
        label = text(language, "history.previous_button", page=page.number - 1)
        navigation.append((label, Button(Action.HISTORY, None, str(page.number - 1))))
    if page.number < page.count:
        label = text(language, "history.next_button", page=page.number + 1)
        navigation.append((label, Button(Action.HISTORY, None, str(page.number + 1))))
    rows.append(navigation)
    return Reply("\n".join(lines), _markup(rows))


def _debrief_buttons(debrief: Debrief, language: Language) -> InlineKeyboardMarkup | None:
    """Return what can be done with a debrief of the history."""

    def button(label_key: str, action: Action) -> tuple[str, Button]:
        return text(language, label_key), Button(action, debrief.id)

    listing = (text(language, "history.list_button"), Button(Action.HISTORY, None, "1"))
    if debrief.status != Status.DONE:
        return _markup(
            [
                [button("history.resume_button", Action.RESUME)],
                [
                    button("history.edit_button", Action.EDIT),
                    button("history.delete_button", Action.DELETE),
                ],
                [listing],
            ]
        )
    deeper = (
        [[(text(language, "deeper.history_button"), Button(Action.DEEPER, debrief.id, "now"))]]
        if debrief.phase is Phase.DEEPER and debrief.current_key is not None
        else []
    )
    next_round = (
        [[(text(language, "history.next_round_button"), Button(Action.NEW, None, str(debrief.id)))]]
        if debrief.outcome in (Outcome.WAITING, Outcome.NEXT_ROUND)
        else []
    )
    return _markup(
        [
            *deeper,
            [
                button("history.email_button", Action.DRAFT),
                button("history.edit_button", Action.EDIT),
            ],
            [
                button("history.status_button", Action.STATUS),
                button("history.delete_button", Action.DELETE),
            ],
            *next_round,
            [listing],
        ]
    )


def debrief_view(
    checklist: Checklist, debrief: Debrief, *, language: Language, preface: str | None = None
) -> list[Reply]:
    """Render a debrief of the history: its summary, with the actions under the last part."""
    result = build_summary(debrief.answers, language=language, checklist=checklist)
    parts = summary(result)
    if preface:
        parts.insert(0, preface)
    replies = [Reply(part) for part in parts[:-1]]
    replies.append(Reply(parts[-1], _debrief_buttons(debrief, language)))
    return replies


def edit_picker(checklist: Checklist, debrief: Debrief, *, language: Language) -> Reply:
    """Ask which answer to change, a button per question (✓ when answered)."""
    buttons = [
        (
            ("✓ " if debrief.answers.get(q.key) else "") + q.label(language),
            Button(Action.EDIT, debrief.id, q.key),
        )
        for q in checklist
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [(text(language, "history.cancel_button"), Button(Action.OPEN, debrief.id, CANCEL))]
    )
    return Reply(text(language, "history.pick_question"), _markup(rows))


def edit_prompt(
    checklist: Checklist, debrief: Debrief, key: str, *, language: Language, today: date
) -> Reply:
    """Show a question, its current answer, and how to send a new one."""
    asked = checklist.question(key)
    answer = debrief.answers.get(key)
    current = (
        text(
            language,
            "history.edit_current",
            answer=display(asked, answer, language),
        )
        if answer
        else text(language, "history.edit_empty")
    )
    body = "\n\n".join(
        [
            text(
                language,
                "history.edit_prompt",
                label=asked.label(language),
                prompt=asked.prompt(language),
            ),
            current,
            text(language, "history.edit_how"),
        ]
    )
    rows = [
        _answer_buttons(asked, debrief.id, language, today, Action.EDIT_VALUE),
        [(text(language, "history.cancel_button"), Button(Action.OPEN, debrief.id, CANCEL))],
    ]
    return Reply(body, _markup(rows))


def delete_confirm(debrief: Debrief, *, language: Language) -> Reply:
    """Ask to confirm deleting one debrief."""
    company = _clip(_company(debrief, language), 80)
    return Reply(
        text(language, "history.delete_confirm", company=company),
        _markup(
            [
                [
                    (
                        text(language, "history.delete_yes"),
                        Button(Action.DELETE, debrief.id, "yes"),
                    ),
                    (
                        text(language, "history.delete_no"),
                        Button(Action.OPEN, debrief.id, CANCEL),
                    ),
                ]
            ]
        ),
    )


def erase_confirm(*, debriefs: int, reminders: int, language: Language) -> Reply:
    """Ask to confirm deleting all of the user's data."""
    return Reply(
        text(language, "erase.confirm", debriefs=debriefs, reminders=reminders),
        _markup(
            [
                [
                    (text(language, "erase.yes"), Button(Action.ERASE, None, "yes")),
                    (text(language, "erase.no"), Button(Action.ERASE, None, "no")),
                ]
            ]
        ),
    )
