"""Turning what the user typed or tapped into a stored answer, and a stored answer into text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import assert_never

from conversations.checklist import Kind, Question
from conversations.dates import format_date, parse_interview_date
from conversations.i18n import Language, catalog, fold
from conversations.people import PersonError, parse_people

__all__ = ["Accepted", "Rejected", "clip", "display", "interpret", "stars"]


@dataclass(frozen=True, slots=True)
class Accepted:
    """A valid answer, in the form it is stored."""

    value: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """An answer that does not fit the question; `reason` is a catalogue key."""

    reason: str


# A "word" of a note may be a 4000-character paste: a clipped text is capped in characters too.
_CHARACTERS_PER_WORD = 8
_RATING = re.compile(r"^([1-5])(?:[.,]0)?\s*(?:/\s*5|sur 5|out of 5|etoiles?|stars?)?$")
_STAR_CHARACTERS = frozenset("★⭐*")


def interpret(question: Question, text: str, *, today: date) -> Accepted | Rejected:
    """Validate a typed answer for a question and normalise it for storage."""
    stripped = text.strip()
    if not stripped:
        return Rejected("answer.empty")
    if len(stripped) > question.limit:
        return Rejected("answer.too_long")
    match question.kind:
        case Kind.TEXT:
            return Accepted(stripped)
        case Kind.CHOICE:
            folded = fold(stripped).strip(" .!")
            for option in question.options:
                names = {option.key, option.label.fr, option.label.en, *option.synonyms}
                if folded in {fold(name).strip(" .!") for name in names}:
                    return Accepted(option.key)
            return Rejected("answer.choice_invalid")
        case Kind.RATING:
            folded = fold(stripped).strip(" .!")
            if match := _RATING.match(folded):
                return Accepted(match[1])
            compact = stripped.replace("\ufe0f", "").replace(" ", "")
            if compact and set(compact) <= _STAR_CHARACTERS and len(compact) <= 5:
                return Accepted(str(len(compact)))
            return Rejected("answer.rating_invalid")
        case Kind.DATE:
            parsed = parse_interview_date(stripped, today=today)
            if parsed is None:
                return Rejected("answer.date_invalid")
            if parsed > today:
                return Rejected("answer.date_future")
            return Accepted(parsed.isoformat())
        case Kind.PEOPLE:
            try:
                if not parse_people(stripped, strict=True):
                    return Rejected("answer.empty")
            except PersonError as error:
                return Rejected(error.reason)
            lines = (line.strip() for line in stripped.splitlines())
            return Accepted("\n".join(line for line in lines if line))


def clip(text: str, max_words: int) -> str:
    """Shorten user text shown in the chat to max_words words, marking a cut; never in an email."""
    whole = " ".join(text.split())
    clipped = " ".join(whole.split()[:max_words])[: max_words * _CHARACTERS_PER_WORD].rstrip()
    return clipped if clipped == whole else clipped + "…"


def stars(rating: int) -> str:
    """Draw a rating out of five as stars."""
    return "★" * rating + "☆" * (5 - rating)


def display(question: Question, value: str, language: Language) -> str:
    """Render a stored answer as the user should read it."""
    match question.kind:
        case Kind.CHOICE:
            option = question.option(value)
            return option.label(language) if option else value
        case Kind.RATING:
            return catalog().text(language, "summary.rating", stars=stars(int(value)), rating=value)
        case Kind.DATE:
            try:
                return format_date(date.fromisoformat(value), language)
            except ValueError:
                return value
        case Kind.TEXT | Kind.PEOPLE:
            return value
        case unknown:
            assert_never(unknown)
