"""A user's history: rounds of one application grouped, pages of it, and spotting a next round."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from conversations.checklist import Key
from conversations.i18n import fold
from conversations.model import Debrief, Status
from conversations.reminders import parse_day

__all__ = [
    "HEADLINE_KEYS",
    "PAGE_SIZE",
    "Application",
    "Page",
    "company_key",
    "company_spelling",
    "group_rounds",
    "interview_day",
    "latest_round",
    "paginate",
    "previous_round",
    "same_company",
]

# What a history line shows; the list loads only these answers.
HEADLINE_KEYS = (Key.COMPANY, Key.POSITION, Key.INTERVIEW_DATE, Key.RATING)
# Applications per page: with their rounds, a page stays one short message.
PAGE_SIZE = 5
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Application:
    """The debriefs of one application, one per round, oldest first."""

    rounds: tuple[Debrief, ...]

    @property
    def latest(self) -> Debrief:
        """Return the most recent round."""
        return self.rounds[-1]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the history."""

    applications: tuple[Application, ...]
    number: int
    count: int
    total: int


def _root(debrief: Debrief, by_id: dict[int, Debrief]) -> int:
    """Follow the previous-round links back to the first round the user still has."""
    seen = {debrief.id}
    current = debrief
    while current.previous_id in by_id and current.previous_id not in seen:
        current = by_id[current.previous_id]
        seen.add(current.id)
    return current.id


# Sorts before any real creation time.
_NEVER = datetime.min.replace(tzinfo=UTC)


def _age(debrief: Debrief) -> tuple[datetime, int]:
    """Order debriefs by creation (the id breaks ties and stands in for a missing time)."""
    return debrief.created_at or _NEVER, debrief.id


def group_rounds(debriefs: Iterable[Debrief]) -> list[Application]:
    """Group debriefs into applications, rounds oldest first, the most recently active first."""
    by_id = {debrief.id: debrief for debrief in debriefs}
    groups: dict[int, list[Debrief]] = {}
    for debrief in by_id.values():
        groups.setdefault(_root(debrief, by_id), []).append(debrief)
    applications = [Application(tuple(sorted(group, key=_age))) for group in groups.values()]
    return sorted(applications, key=lambda application: _age(application.latest), reverse=True)


def latest_round(debriefs: Iterable[Debrief], debrief: Debrief) -> Debrief:
    """Return the latest round of the application a debrief belongs to (itself if alone)."""
    for application in group_rounds(debriefs):
        if any(round_.id == debrief.id for round_ in application.rounds):
            return application.latest
    return debrief


def paginate(applications: Sequence[Application], number: int, size: int = PAGE_SIZE) -> Page:
    """Return page `number` (from 1; clamped to the pages there are)."""
    count = max(1, math.ceil(len(applications) / size))
    number = min(max(1, number), count)
    start = (number - 1) * size
    total = sum(len(application.rounds) for application in applications)
    return Page(tuple(applications[start : start + size]), number, count, total)


def company_key(name: str) -> str:
    """Reduce a company name to its words: case, accents and punctuation left out."""
    return _NOT_WORD.sub(" ", fold(name)).strip()


def same_company(first: str, second: str) -> bool:
    """Tell whether two typed company names name the same company ('Société X' = 'societe x')."""
    key = company_key(first)
    return bool(key) and key == company_key(second)


def company_spelling(typed: str, earlier: str) -> str:
    """Return how to write a company named again in a later round: as cased by hand, if once.

    A name typed in a hurry ('acme robotics', 'ACME') gives way to the same name written
    with care in the round before ('Acme Robotics'), and the other way round.
    """
    if not same_company(typed, earlier):
        return typed

    def cased(name: str) -> bool:
        return not name.islower() and not name.isupper()

    return earlier if cased(earlier) and not cased(typed) else typed


def previous_round(
    candidates: Sequence[Debrief], company: str, *, current_id: int
) -> Debrief | None:
    """Return the most recent finished debrief about the same company, if there is one."""
    for candidate in candidates:
        if (
            candidate.id != current_id
            and candidate.status == Status.DONE
            and same_company(candidate.answers.get(Key.COMPANY, ""), company)
        ):
            return candidate
    return None


def interview_day(debrief: Debrief) -> date | None:
    """Return the day of the interview: as answered, else the day the debrief began."""
    answered = parse_day(debrief.answers.get(Key.INTERVIEW_DATE))
    if answered is not None:
        return answered
    return debrief.created_at.astimezone(UTC).date() if debrief.created_at else None
