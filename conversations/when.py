"""Reading a moment typed in French or English ('demain 14h', 'in 2 hours', 'lundi')."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from conversations.dates import parse_upcoming_date, small_number
from conversations.i18n import fold
from conversations.schedule import at_local

__all__ = ["parse_when"]

_DEFAULT = time(9, 0)
# A part of the day alone stands for this time; with an hour, the afternoon and evening make it pm.
_PERIODS: dict[str, tuple[time, bool]] = {
    "matin": (time(9, 0), False), "morning": (time(9, 0), False),
    "apres-midi": (time(14, 0), True), "apres midi": (time(14, 0), True),
    "aprem": (time(14, 0), True), "afternoon": (time(14, 0), True),
    "soir": (time(19, 0), True), "soiree": (time(19, 0), True),
    "evening": (time(19, 0), True), "night": (time(19, 0), True),
}  # fmt: skip
_SUFFIXES: dict[str, bool] = {
    "du matin": False, "in the morning": False, "du soir": True, "de l'apres-midi": True,
    "de l'apres midi": True, "de l'aprem": True, "in the afternoon": True,
    "in the evening": True, "at night": True,
}  # fmt: skip
_CONNECTORS = ("a", "at", "@", "vers", "around", "for", "pour")
_TODAY = frozenset({"aujourd'hui", "aujourdhui", "auj", "today"})
# Only with a part of the day or an hour: 'ce soir', 'this morning', 'cet après-midi 15h'.
_THIS = frozenset({"ce", "cet", "cette", "this"})
_WORDS = {"midi": time(12, 0), "noon": time(12, 0), "minuit": time(0, 0), "midnight": time(0, 0)}

_H_CLOCK = re.compile(r"(\d{1,2}) ?(?:h|heures?) ?(\d{2})?")
# Not '14.30': '3.12' is more likely the 3rd of December than 03:12.
_COLON_CLOCK = re.compile(r"(\d{1,2}):(\d{2}) ?(?:([ap])\.? ?m\.?)?")
_AMPM_CLOCK = re.compile(r"(\d{1,2}) ?([ap])\.? ?m\.?")
_BARE_CLOCK = re.compile(r"\d{1,2}")
_IN = r"(?:dans|in|d'ici)(?: (?:environ|about|around))? "
_IN_MINUTES = re.compile(_IN + r"(\d+|[a-z]+) ?(?:minutes?|mins?|mn)")
_IN_HOURS = re.compile(
    _IN + r"(\d+|[a-z]+) ?(?:heures?|hours?|hrs?|h)(?: ?(\d{1,2}) ?(?:minutes?|mins?|mn)?)?"
    r"( et demie| and a half)?"
)
_IN_HALF_HOUR = re.compile(_IN + r"(?:une demi-heure|une demi heure|half an hour|a half hour)")


# A moment is a few words ("vendredi 4 décembre à 14h30"): a longer text is not one.
_MOST_WORDS = 12


def _explicit(text: str, *, bare: bool) -> tuple[int, int, bool] | None:
    """Read '14h30', '17:30', '5 pm', 'midi' (and '9' if ``bare``) as (hour, minute, settled)."""
    if text in _WORDS:
        return _WORDS[text].hour, 0, True
    if match := _H_CLOCK.fullmatch(text):
        return int(match[1]), int(match[2] or 0), False
    if match := _COLON_CLOCK.fullmatch(text):
        hour, minute = int(match[1]), int(match[2])
        if not match[3]:
            return hour, minute, False
        twelve = _twelve_hour(hour, match[3])
        return None if twelve is None else (twelve, minute, True)
    if match := _AMPM_CLOCK.fullmatch(text):
        twelve = _twelve_hour(int(match[1]), match[2])
        return None if twelve is None else (twelve, 0, True)
    if bare and _BARE_CLOCK.fullmatch(text):
        return int(text), 0, False
    return None


def _twelve_hour(hour: int, half: str) -> int | None:
    """Turn a 1-12 hour and 'a' or 'p' into a 0-23 hour; None when out of range."""
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if half == "p" else 0)


def _clock(text: str) -> time | None:
    """Read the time-of-day part: '14h', 'à 9', '5:30 pm', 'matin', 'soir 8h', '8h du soir'."""
    afternoon: bool | None = None
    for word, (default, later) in _PERIODS.items():
        if text == word:
            return default
        if text.startswith(word + " "):
            afternoon, text = later, text[len(word) + 1 :]
            break
    for suffix, later in _SUFFIXES.items():
        if afternoon is None and text.endswith(" " + suffix):
            afternoon, text = later, text[: -len(suffix) - 1]
    connected = False
    for connector in _CONNECTORS:
        if text.startswith(connector + " ") or (connector == "@" and text.startswith("@")):
            connected, text = True, text[len(connector) :].lstrip()
            break
    explicit = _explicit(text, bare=connected or afternoon is not None)
    if explicit is None:
        return None
    hour, minute, fixed = explicit
    if afternoon and not fixed and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _day(text: str, *, today: date, has_clock: bool) -> date | None:
    """Read the day part: 'demain', 'lundi', 'le 3 décembre', 'dans 3 jours', 'ce' (with a time)."""
    if text in _TODAY or (text in _THIS and has_clock):
        return today
    return parse_upcoming_date(text, today=today)


def _duration(text: str) -> timedelta | None:
    """Read 'dans 2 heures', 'in 30 min', 'dans 1h30', 'in an hour and a half'."""
    if _IN_HALF_HOUR.fullmatch(text):
        return timedelta(minutes=30)
    if match := _IN_MINUTES.fullmatch(text):
        count = small_number(match[1])
        return None if count is None else timedelta(minutes=count)
    if match := _IN_HOURS.fullmatch(text):
        count = small_number(match[1])
        if count is None:
            return None
        minutes = int(match[2] or 0) + (30 if match[3] else 0)
        return None if minutes >= 60 else timedelta(hours=count, minutes=minutes)
    return None


def parse_when(text: str, *, now: datetime) -> datetime | None:
    """Read a moment typed in French or English, in the zone of ``now``; None unless in the future.

    A day alone is at 09:00 ('demain', 'lundi', 'dans 3 jours'); a weekday is the next one after
    today. A time alone is today, or tomorrow once passed; with a day, it must still be ahead.
    """
    tz = now.tzinfo
    if tz is None or now.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {now!r}")
    folded = fold(text).strip(" .!?,;")
    folded = re.sub(r"\btonight\b", "ce soir", folded)
    if (delta := _duration(folded)) is not None:
        moment = (now.astimezone(UTC) + delta).astimezone(tz)
        return moment if moment > now else None
    today = now.date()
    words = folded.split()
    if len(words) > _MOST_WORDS:
        return None  # each way of cutting a text in two is tried: that grows as its square
    for cut in range(len(words) + 1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        for day_text, clock_text in ((head, tail), (tail, head)):
            clock = _clock(clock_text) if clock_text else None
            if clock_text and clock is None:
                continue
            if not day_text:
                if clock is None:
                    continue
                moment = at_local(today, clock, tz).astimezone(tz)
                if moment <= now:
                    moment = at_local(today + timedelta(days=1), clock, tz).astimezone(tz)
                return moment
            day = _day(day_text, today=today, has_clock=clock is not None)
            if day is None:
                continue
            moment = at_local(day, clock or _DEFAULT, tz).astimezone(tz)
            return moment if moment > now else None
    return None
