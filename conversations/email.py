"""The thank-you email draft, built from the debrief's answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from conversations.dates import format_date
from conversations.i18n import Language, catalog

__all__ = [
    "EmailDraft",
    "build_thank_you",
    "clip",
    "excerpt",
    "forgotten_questions",
    "sending_advice",
]

MIN_WORDS = 100
MAX_WORDS = 200
# A "word" of a note may be a 4000-character paste: quotes are capped in characters too.
_CHARACTERS_PER_WORD = 8
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_QUESTION_SPLIT = re.compile(r"\n+|(?<=\?)\s+|\s*;\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


@dataclass(frozen=True, slots=True)
class EmailDraft:
    """A ready-to-send email: recipient (when known), subject and body."""

    to: str | None
    subject: str
    body: str

    @property
    def words(self) -> int:
        """Count the words of the body."""
        return len(self.body.split())

    def mailto(self) -> str | None:
        """Return a mailto: link that opens the draft in a mail app, when the recipient is known."""
        if not self.to:
            return None
        query = f"subject={quote(self.subject, safe='')}&body={quote(self.body, safe='')}"
        return f"mailto:{quote(self.to, safe='@')}?{query}"


def clip(text: str, max_words: int) -> str:
    """Keep at most max_words words and a few lines' worth of characters, marking any cut."""
    whole = " ".join(text.split())
    clipped = " ".join(whole.split()[:max_words])[: max_words * _CHARACTERS_PER_WORD].rstrip()
    return clipped if clipped == whole else clipped + "…"


def excerpt(text: str | None, max_words: int) -> str | None:
    """Take the first sentence of a note, at most max_words words, without closing punctuation."""
    if not text or not text.strip():
        return None
    first = _BULLET.sub("", _SENTENCE_END.split(text.strip(), maxsplit=1)[0])
    return clip(first, max_words).rstrip(" .;:!,") or None


def forgotten_questions(
    text: str | None, *, language: Language, limit: int = 5, max_words: int = 30
) -> list[str]:
    """Split the forgotten-questions note into at most `limit` questions, each ending with '?'."""
    if not text:
        return []
    # French typography puts a (non-breaking) space before the question mark.
    mark = "\u00a0?" if language == "fr" else "?"
    found = []
    for piece in _QUESTION_SPLIT.split(text.strip()):
        piece = _BULLET.sub("", piece).strip()
        if not piece:
            continue
        found.append(clip(piece, max_words).rstrip(" .;:!,?\u00a0") + mark)
        if len(found) == limit:
            break
    return found


def _when(interview_date: str | None, today: date, language: Language) -> str:
    """Say when the interview took place, relative to today where that reads naturally."""
    texts = catalog()
    if not interview_date:
        return ""
    try:
        day = date.fromisoformat(interview_date)
    except ValueError:
        return ""
    delta = (today - day).days
    if delta == 0:
        return texts.text(language, "email.when_today")
    if delta == 1:
        return texts.text(language, "email.when_yesterday")
    return texts.text(language, "email.when_on", date=format_date(day, language))


def _compose(
    answers: Mapping[str, str], *, language: Language, sender: str, today: date, cap: int
) -> EmailDraft:
    """Assemble the draft with every quoted note cut to `cap` words."""
    texts = catalog()

    def t(key: str, **values: object) -> str:
        # A quote cut short ends with "…", which needs no full stop after it.
        return texts.text(language, f"email.{key}", **values).replace("….", "…")

    company = clip(answers.get("company", ""), min(12, cap)) or t("your_company")
    position = excerpt(answers.get("position"), min(12, cap))
    name = excerpt(answers.get("interviewer_name"), min(8, cap))
    subject = (
        t("subject_position", position=position) if position else t("subject", company=company)
    )

    paragraphs = [t("greeting_name", name=name) if name else t("greeting")]
    role = (
        t("role_position", position=position, company=company)
        if position
        else t("role_company", company=company)
    )
    paragraphs.append(
        t("thanks", when=_when(answers.get("interview_date"), today, language), role=role)
    )

    point = next(
        (
            quoted
            for key in ("company_info", "atmosphere", "impressions")
            if (quoted := excerpt(answers.get(key), cap))
        ),
        None,
    )
    paragraphs.append(t("point", point=point) if point else t("point_generic", company=company))

    argument = excerpt(answers.get("best_arguments"), cap)
    need = excerpt(answers.get("position_info"), cap)
    if argument and need:
        paragraphs.append(t("argument_need", argument=argument, need=need))
    elif argument:
        paragraphs.append(t("argument", argument=argument))
    else:
        paragraphs.append(t("argument_generic", company=company))

    counter = excerpt(answers.get("counter_arguments"), cap)
    obstacle = excerpt(answers.get("obstacles"), max(6, cap // 2))
    if counter and obstacle:
        paragraphs.append(t("obstacle", obstacle=obstacle, counter=counter))
    elif counter:
        paragraphs.append(t("obstacle_unnamed", counter=counter))

    questions = forgotten_questions(
        answers.get("forgotten_questions"), language=language, limit=3, max_words=cap
    )
    if questions:
        listed = "\n".join(f"- {question}" for question in questions)
        paragraphs.append(t("questions", questions=listed))

    paragraphs.append(t("closing"))
    paragraphs.append(t("signature", sender=sender))
    to = answers.get("interviewer_email") or None
    return EmailDraft(to=to, subject=subject, body="\n\n".join(paragraphs))


def build_thank_you(
    answers: Mapping[str, str], *, language: Language, sender: str, today: date
) -> EmailDraft:
    """Write a 100–200 word thank-you email that quotes the most useful notes of the debrief."""
    draft = _compose(answers, language=language, sender=sender, today=today, cap=30)
    # Long notes are quoted shorter and shorter until the body fits the word budget.
    for cap in (22, 16, 12, 8, 6, 4):
        if draft.words <= MAX_WORDS:
            break
        draft = _compose(answers, language=language, sender=sender, today=today, cap=cap)
    return draft


def sending_advice(interview_date: str | None, *, today: date) -> str:
    """Return the catalogue key that tells when to send the email (within 24 hours)."""
    if not interview_date:
        return "email.advice_unknown"
    try:
        day = date.fromisoformat(interview_date)
    except ValueError:
        return "email.advice_unknown"
    return "email.advice_today" if (today - day).days == 0 else "email.advice_late"
