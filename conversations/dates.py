"""Reading the interview date as people type it, and writing it back, in French and English."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, timedelta

from conversations.i18n import Language, fold

__all__ = [
    "find_decision_date",
    "format_date",
    "parse_interview_date",
    "parse_upcoming_date",
    "short_date",
    "small_number",
    "weekday_name",
]

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


def weekday_name(value: date, language: Language) -> str:
    """Name the day of the week of a date: 'mardi', 'Tuesday'."""
    return _WEEKDAYS[language][value.weekday()]


def format_date(value: date, language: Language, *, year: bool = True) -> str:
    """Write a date the way people read it: 'mercredi 25 novembre 2026' ('mercredi 25 novembre')."""
    weekday = _WEEKDAYS[language][value.weekday()]
    month = _MONTHS[language][value.month - 1]
    day = "1er" if language == "fr" and value.day == 1 else str(value.day)
    return f"{weekday} {day} {month}" + (f" {value.year}" if year else "")


def short_date(value: date, language: Language, *, today: date) -> str:
    """Write a date briefly for a list: '3 mars', with the year only when it is not this one."""
    month = _MONTHS[language][value.month - 1]
    day = "1er" if language == "fr" and value.day == 1 else str(value.day)
    return f"{day} {month}" if value.year == today.year else f"{day} {month} {value.year}"


# Looking forward: when the recruiter will answer, when a reminder is wanted.

_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "quinze": 15, "quelques": 3,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fifteen": 15,
    "a few": 3, "few": 3, "a couple of": 2, "a couple": 2, "couple of": 2,
}  # fmt: skip
_NUMBER = "(\\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_WEEKDAY_NAMES = "|".join(fold(name) for names in _WEEKDAYS.values() for name in names)
_ORDINAL = "(?:er|e|st|nd|rd|th)?"
_YEAR = "(?:,? (\\d{4}))?"
_Resolver = Callable[[re.Match[str], date], date | None]


def small_number(word: str) -> int | None:
    """Read a count in digits or in words ('3', 'deux', 'a couple of'); None otherwise."""
    folded = fold(word)
    if folded.isdigit():
        return int(folded)
    return _NUMBER_WORDS.get(folded)


def _upcoming(day: int, month: int, year: str | None, today: date) -> date | None:
    """Build a date; without a year, take the first such day that is not in the past."""
    if year is not None:
        try:
            return date(int(year) + 2000 if len(year) == 2 else int(year), month, day)
        except ValueError:
            return None
    for candidate_year in range(today.year, today.year + 5):  # 29/02 waits for a leap year
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _add_months(day: date, count: int) -> date:
    """Move a date by whole months, keeping the day when the month is long enough."""
    index = day.month - 1 + count
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_day(day: date) -> date:
    """Return the last day of the month of a date."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _numeric(match: re.Match[str], today: date) -> date | None:
    """Resolve '15/12' or '15.12.2026'."""
    return _upcoming(int(match[1]), int(match[2]), match[3], today)


def _iso(match: re.Match[str], today: date) -> date | None:
    """Resolve '2026-12-15'."""
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _day_month(match: re.Match[str], today: date) -> date | None:
    """Resolve 'le 5 décembre' or '5th of December'."""
    month = _month_number(match[2])
    return _upcoming(int(match[1]), month, match[3], today) if month else None


def _month_day(match: re.Match[str], today: date) -> date | None:
    """Resolve 'December 5th'."""
    month = _month_number(match[1])
    return _upcoming(int(match[2]), month, match[3], today) if month else None


def _day_only(match: re.Match[str], today: date) -> date | None:
    """Resolve 'le 5' or 'the 5th': the next such day of a month, today included."""
    number = int(match[1])
    for ahead in range(3):  # the 31st may skip a short month or two
        month = _add_months(today.replace(day=1), ahead)
        if number <= calendar.monthrange(month.year, month.month)[1]:
            candidate = month.replace(day=number)
            if candidate >= today:
                return candidate
    return None


def _part_of_month(match: re.Match[str], today: date) -> date | None:
    """Resolve 'début/mi/fin décembre': the 10th, the 15th or the month's last day."""
    month = _month_number(match[2])
    if not month:
        return None
    if match[1] in ("debut", "early", "beginning of"):
        return _upcoming(10, month, match[3], today)
    if match[1] in ("mi", "mid"):
        return _upcoming(15, month, match[3], today)
    year = int(match[3]) if match[3] else today.year
    last = _last_day(date(year, month, 1))
    if match[3] is None and last < today:
        return _last_day(date(year + 1, month, 1))
    return last


def _weekday(match: re.Match[str], today: date) -> date | None:
    """Resolve 'vendredi' or 'next Friday': the next such day after today."""
    weekday = _weekday_number(match[1])
    if weekday is None:
        return None
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _within(match: re.Match[str], today: date) -> date | None:
    """Resolve 'dans 10 jours', 'within 2 weeks', "d'ici 2 à 3 semaines" (the upper bound)."""
    count = small_number(match[2])
    if count is None:
        return None
    unit = match[3][0]
    if unit in "jd":
        return today + timedelta(days=count)
    if unit in "sw":
        return today + timedelta(weeks=count)
    if unit == "m":
        return _add_months(today, count)
    return today + timedelta(days=-(-count // 24))  # hours, rounded up to whole days


def _few_days(match: re.Match[str], today: date) -> date | None:
    """Resolve 'sous huitaine', 'une quinzaine de jours'."""
    return today + timedelta(days={"huitaine": 8, "dizaine": 10, "quinzaine": 15}[match[1]])


def _week_end(match: re.Match[str], today: date) -> date | None:
    """Resolve 'fin de semaine' or 'end of next week': a Friday."""
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    return friday + timedelta(weeks=1) if match[1] or match[2] else friday


def _month_end(match: re.Match[str], today: date) -> date | None:
    """Resolve 'fin du mois' or 'end of next month'."""
    return _last_day(_add_months(today, 1 if match[1] or match[2] else 0))


def _offset(days: int) -> _Resolver:
    """Resolve a fixed number of days ahead ('demain', 'next week')."""
    return lambda _match, today: today + timedelta(days=days)


_WEEKDAY_PREFIX = f"(?:(?:{_WEEKDAY_NAMES}),? )?"
_UPCOMING: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), _iso),
    (
        re.compile(
            rf"\b{_WEEKDAY_PREFIX}(?:le |the )?(\d{{1,2}})/(\d{{1,2}})(?:/(\d{{4}}|\d{{2}}))?\b"
        ),
        _numeric,
    ),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b"), _numeric),
    (
        re.compile(
            rf"\b{_WEEKDAY_PREFIX}(?:le |the )?(\d{{1,2}}){_ORDINAL} (?:of )?([a-z]+)\.?{_YEAR}"
        ),
        _day_month,
    ),
    (
        re.compile(rf"\b{_WEEKDAY_PREFIX}([a-z]+)\.? (?:the )?(\d{{1,2}}){_ORDINAL}\b{_YEAR}"),
        _month_day,
    ),
    (
        re.compile(
            rf"\b(?:(?:le|the) (?:(?:{_WEEKDAY_NAMES}) )?|(?:{_WEEKDAY_NAMES}),? (?:the )?)"
            rf"(\d{{1,2}}){_ORDINAL}\b"
            r"(?=\s*(?:$|[,.;:!?)]|(?:et|ou|au|a|pour|and|or|at|for)\b))"
        ),
        _day_only,
    ),
    (
        re.compile(
            r"\b(debut|mi|fin|early|mid|late|end of|beginning of)[ -](?:de |d')?([a-z]+)\.?" + _YEAR
        ),
        _part_of_month,
    ),
    (
        re.compile(
            rf"\b(?:(?:ce|cette|this|next|coming|this coming|le|on) )?({_WEEKDAY_NAMES})"
            r"(?: (?:prochain|qui vient))?\b"
        ),
        _weekday,
    ),
    (
        re.compile(
            r"\b(?:d'ici|dans|sous|within|in|under)"
            r"(?: (?:les|the next|the|next))?(?: (?:environ|about|around|roughly))? "
            rf"(?:{_NUMBER} ?(?:a|-|to|or|ou) ?)?{_NUMBER} ?"
            r"(jours?|j|semaines?|sem|mois|days?|weeks?|wks?|months?|heures?|hours?|hrs?|h)\b"
        ),
        _within,
    ),
    (re.compile(r"\b(?:une )?(huitaine|dizaine|quinzaine)(?: de jours)?\b"), _few_days),
    (
        re.compile(
            r"\b(?:fin de (?:la |cette )?semaine( prochaine)?"
            r"|end of (?:the |this )?(next )?week)\b"
        ),
        _week_end,
    ),
    (
        re.compile(
            r"\b(?:fin (?:du|de ce) mois( prochain)?|end of (?:the |this )?(next )?month)\b"
        ),
        _month_end,
    ),
    (re.compile(r"\b(?:(?:la |en )?semaine prochaine|next week)\b"), _offset(7)),
    (re.compile(r"\b(?:apres-demain|apres demain|(?:the )?day after tomorrow)\b"), _offset(2)),
    (re.compile(r"\b(?:demain|tomorrow)\b"), _offset(1)),
)
_CLAUSE_END = re.compile(r"[;!?]|[.,](?=\s|$)")
_DECISION_WORD = re.compile(
    r"\b(?:repon|repond|retour|revien|decision|decid|nouvelle|resultat|verdict|offre|answer"
    r"|respon|repl|hear|get back|back to|feedback|let me know|let us know|offer)"
)


def parse_upcoming_date(text: str, *, today: date) -> date | None:
    """Read a date looking forward ('demain', 'lundi', '3/12', 'dans 3 jours'); None otherwise."""
    folded = fold(text).strip(" .!")
    for pattern, resolve in _UPCOMING:
        if (match := pattern.fullmatch(folded)) and (day := resolve(match, today)) is not None:
            return day
    return None


def find_decision_date(text: str, *, today: date) -> date | None:
    """Find the announced decision date in a free-text note, looking forward; None if none.

    A day and month without a year that is already behind means next year; a weekday is the next
    such day after today; 'next week' is today + 7 days; 'within N days|weeks' is today + N. When
    the note holds several dates, the first one announced with a decision word ('réponse',
    'answer'…) before it in its clause wins, then one with such a word after it, then the first.
    """
    folded = " ; ".join(fold(line) for line in text.splitlines())
    found: list[tuple[int, int, date]] = []
    for pattern, resolve in _UPCOMING:
        for match in pattern.finditer(folded):
            if (day := resolve(match, today)) is not None:
                found.append((match.start(), match.end(), day))
    found.sort(key=lambda item: (item[0], -item[1]))
    kept: list[tuple[int, int, date]] = []
    for start, end, day in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, day))
    if not kept:
        return None
    # One pass over the note for clause ends and decision words, then a binary search per date:
    # searching each date's clause again made a long note quadratic (seconds of CPU).
    ends = [match.end() for match in _CLAUSE_END.finditer(folded)]
    words = [(match.start(), match.end()) for match in _DECISION_WORD.finditer(folded)]
    word_starts = [start for start, _ in words]

    def word_within(low: int, high: int) -> bool:
        """Tell whether a decision word lies wholly between two positions."""
        index = bisect_left(word_starts, low)
        return index < len(words) and words[index][1] <= high

    def rank(item: tuple[int, int, date]) -> int:
        start, end = item[0], item[1]
        before = bisect_right(ends, start)
        clause_start = ends[before - 1] if before else 0
        after = bisect_right(ends, end)
        clause_end = ends[after] if after < len(ends) else len(folded)
        if word_within(clause_start, start):
            return 0
        return 1 if word_within(end, clause_end) else 2

    return min(kept, key=rank)[2]
