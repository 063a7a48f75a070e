"""Reading the interview date as people type it, and writing it back, in French and English."""

from __future__ import annotations

import re
from datetime import date, timedelta

from conversations.i18n import Language, fold

__all__ = ["format_date", "parse_interview_date"]

_MONTHS: dict[Language, tuple[str, ...]] = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_RELATIVE = {
    "today": 0, "aujourd'hui": 0, "aujourdhui": 0, "auj": 0, "ce matin": 0, "cet apres-midi": 0,
    "cet aprem": 0, "ce soir": 0, "this morning": 0, "this afternoon": 0, "tonight": 0,
    "yesterday": 1, "hier": 1, "hier matin": 1, "hier apres-midi": 1, "yesterday morning": 1,
    "yesterday afternoon": 1, "avant-hier": 2, "avant hier": 2, "the day before yesterday": 2,
}  # fmt: skip


def _month_number(word: str) -> int | None:
    """Return the month a (possibly abbreviated) French or English name means."""
    word = word.rstrip(".")
    if len(word) < 3:
        return None
    for names in _MONTHS.values():
        for number, name in enumerate(names, start=1):
            if fold(name).startswith(word):
                return number
    return None


def _weekday_number(word: str) -> int | None:
    """Return the weekday (Monday is 0) a French or English name means."""
    for names in _WEEKDAYS.values():
        for number, name in enumerate(names):
            if fold(name) == word:
                return number
    return None


def _most_recent(day: int, month: int, year: int | None, today: date) -> date | None:
    """Build a date; without a year, take the latest such day that is not in the future."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(?:le |on |the )?(\d{1,2})(?:er|st|nd|rd|th)? ([a-z.]+)(?: (\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z.]+) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$")
_AGO = re.compile(r"^(?:il y a (\d+) jours?|(\d+) days? ago)$")
_WEEKDAY = re.compile(r"^(?:last |dernier |ce )?([a-z]+)(?: dernier| last)?$")


def parse_interview_date(text: str, *, today: date) -> date | None:
    """Read a typed date ('25/11', 'hier', 'last monday', '25 nov.'); None when unreadable."""
    folded = fold(text).strip(" .!")
    if folded in _RELATIVE:
        return today - timedelta(days=_RELATIVE[folded])
    if match := _ISO.match(folded):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if match := _NUMERIC.match(folded):
        year = int(match[3]) if match[3] else None
        return _most_recent(int(match[1]), int(match[2]), year, today)
    if (match := _DAY_MONTH.match(folded)) and (month := _month_number(match[2])):
        return _most_recent(int(match[1]), month, int(match[3]) if match[3] else None, today)
    if (match := _MONTH_DAY.match(folded)) and (month := _month_number(match[1])):
        return _most_recent(int(match[2]), month, int(match[3]) if match[3] else None, today)
    if match := _AGO.match(folded):
        return today - timedelta(days=int(match[1] or match[2]))
    if (match := _WEEKDAY.match(folded)) and (weekday := _weekday_number(match[1])) is not None:
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    return None


def format_date(value: date, language: Language) -> str:
    """Write a date the way people read it: 'mercredi 25 novembre 2026'."""
    weekday = _WEEKDAYS[language][value.weekday()]
    month = _MONTHS[language][value.month - 1]
    if language == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{weekday} {day} {month} {value.year}"
    return f"{weekday} {value.day} {month} {value.year}"
