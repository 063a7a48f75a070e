"""Insights across a user's debriefs: what keeps coming back, and whether it gets better.

Pure computation over one user's debriefs (the caller loads them, with the answers to
INSIGHT_KEYS only): counts, the outcomes as a funnel, the self-rating over time, awkward
questions and obstacles that recur across companies, questions often forgotten, what the user
meant to improve and whether it came back as a blunder, and how long companies took to answer.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from conversations.dates import short_date
from conversations.history import company_key, group_rounds, interview_day
from conversations.i18n import Language, catalog
from conversations.model import Debrief, Outcome
from conversations.summary import Summary, SummaryItem, SummarySection
from conversations.wording import group_similar, items, normalise, similar_pairs

__all__ = [
    "AWKWARD_KEYS",
    "INSIGHT_KEYS",
    "MIN_DEBRIEFS",
    "OUTCOMES",
    "Funnel",
    "Improvement",
    "Insights",
    "Occurrence",
    "RatingPoint",
    "Recurring",
    "Trend",
    "Wait",
    "build_insights",
    "place",
    "places",
    "recurring_awkward",
    "with_recurring",
]

# The answers insights read; the rest of a debrief is never loaded for them.
INSIGHT_KEYS = (
    "company",
    "interview_date",
    "rating",
    "awkward_questions",
    "obstacles",
    "forgotten_questions",
    "improve",
    "blunders",
)
# What the preparation briefs read to name the awkward questions that keep coming back.
AWKWARD_KEYS = ("company", "interview_date", "awkward_questions")
# Below this, nothing recurs and no trend shows: the user is told what will appear later.
MIN_DEBRIEFS = 2
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
# A place list names this many, the most recent first; a brief recalls this many questions.
_PLACES = 4
_BRIEF_QUESTIONS = 3
# A change of half a star between the first and the second half of the ratings is a trend.
_TREND_STEP = 0.5


class Trend(StrEnum):
    """Where the self-rating is heading."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One note in one debrief: where, when, and the words used."""

    debrief_id: int
    company: str
    day: date | None
    wording: str


@dataclass(frozen=True, slots=True)
class Recurring:
    """Similar notes found in several debriefs, oldest first."""

    occurrences: tuple[Occurrence, ...]

    @property
    def wording(self) -> str:
        """Return the most recent wording, the one the user would recognise."""
        return self.occurrences[-1].wording

    @property
    def companies(self) -> int:
        """Count the distinct companies it came up with."""
        return len({company_key(o.company) for o in self.occurrences})


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """The self-rating of one interview."""

    day: date
    rating: int
    company: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Funnel:
    """Applications and how far they got; `now` counts each one's latest outcome."""

    applications: int
    answered: int
    next_round: int
    offers: int
    now: tuple[tuple[Outcome, int], ...]


@dataclass(frozen=True, slots=True)
class Improvement:
    """Something the user meant to improve, and the later blunders that were like it."""

    said: Occurrence
    came_back: tuple[Occurrence, ...]
    later_debriefs: int


@dataclass(frozen=True, slots=True)
class Wait:
    """How long a company took to give news, from the interview to the outcome."""

    company: str
    days: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Insights:
    """Everything /insights shows and /export keeps."""

    interviews: int
    applications: int
    later_rounds: int
    companies: int
    funnel: Funnel
    ratings: tuple[RatingPoint, ...]
    trend: Trend
    first_mean: float | None
    last_mean: float | None
    awkward: tuple[Recurring, ...]
    obstacles: tuple[Recurring, ...]
    forgotten: tuple[Recurring, ...]
    improvements: tuple[Improvement, ...]
    waits: tuple[Wait, ...]

    @property
    def enough(self) -> bool:
        """Tell whether there is enough to compare (at least MIN_DEBRIEFS debriefs)."""
        return self.interviews >= MIN_DEBRIEFS

    @property
    def median_wait(self) -> float | None:
        """Return the median number of days companies took to answer."""
        return statistics.median(w.days for w in self.waits) if self.waits else None


def _parse_moment(stamp: str | None) -> datetime | None:
    """Read a stored UTC timestamp, None when there is none or it is not one."""
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def _chronological(debriefs: Sequence[Debrief]) -> list[Debrief]:
    """Order debriefs by interview day, then by when they were written."""
    return sorted(debriefs, key=lambda d: (interview_day(d) or date.min, d.created_at or "", d.id))


def _occurrences(debriefs: Sequence[Debrief], key: str) -> list[Occurrence]:
    """Cut every debrief's answer to `key` into its items, oldest debrief first."""
    return [
        Occurrence(d.id, d.answers.get("company") or "?", interview_day(d), item)
        for d in debriefs
        for item in items(d.answers.get(key))
    ]


def _recurring(
    debriefs: Sequence[Debrief], key: str, language: Language, *, across_companies: bool
) -> tuple[Recurring, ...]:
    """Group similar items of `key`; keep groups from several debriefs (or companies)."""
    found = _occurrences(debriefs, key)
    groups = group_similar(found, [o.wording for o in found], language=language)
    kept = []
    for group in groups:
        # One debrief may word the same thing twice: it still counts once.
        seen: dict[int, Occurrence] = {}
        for occurrence in group.members:
            seen.setdefault(occurrence.debrief_id, occurrence)
        recurring = Recurring(tuple(seen.values()))
        spread = recurring.companies if across_companies else len(seen)
        if spread >= 2:
            kept.append(recurring)
    kept.sort(
        key=lambda r: (r.companies, len(r.occurrences), r.occurrences[-1].day or date.min),
        reverse=True,
    )
    return tuple(kept)


def recurring_awkward(debriefs: Sequence[Debrief], *, language: Language) -> tuple[Recurring, ...]:
    """Return the awkward questions that came up with at least two companies."""
    ordered = _chronological(debriefs)
    return _recurring(ordered, "awkward_questions", language, across_companies=True)


def _ratings(debriefs: Sequence[Debrief]) -> tuple[RatingPoint, ...]:
    """Return the valid self-ratings with their interview day, oldest first."""
    points = []
    for debrief in debriefs:
        value = debrief.answers.get("rating", "")
        day = interview_day(debrief)
        if value in {"1", "2", "3", "4", "5"} and day is not None:
            company = debrief.answers.get("company") or "?"
            points.append(RatingPoint(day, int(value), company, debrief.outcome))
    return tuple(points)


def _trend(points: Sequence[RatingPoint]) -> tuple[Trend, float | None, float | None]:
    """Compare the mean rating of the older half of the interviews with the newer half."""
    if len(points) < MIN_DEBRIEFS:
        return Trend.UNKNOWN, None, None
    half = len(points) // 2
    first = statistics.fmean(p.rating for p in points[:half])
    last = statistics.fmean(p.rating for p in points[-half:])
    if last - first >= _TREND_STEP:
        return Trend.UP, first, last
    if first - last >= _TREND_STEP:
        return Trend.DOWN, first, last
    return Trend.STEADY, first, last


def _funnel(debriefs: Sequence[Debrief]) -> Funnel:
    """Count applications, and how many heard back, got a next round, got an offer."""
    applications = group_rounds(debriefs)
    answered = next_round = offers = 0
    now: Counter[Outcome] = Counter()
    for application in applications:
        outcomes = {r.outcome for r in application.rounds}
        several = len(application.rounds) > 1
        answered += several or outcomes != {Outcome.WAITING}
        next_round += several or bool(outcomes & {Outcome.NEXT_ROUND, Outcome.OFFER})
        offers += Outcome.OFFER in outcomes
        now[application.latest.outcome] += 1
    return Funnel(
        applications=len(applications),
        answered=answered,
        next_round=next_round,
        offers=offers,
        now=tuple((outcome, now[outcome]) for outcome in OUTCOMES),
    )


def _improvements(debriefs: Sequence[Debrief], language: Language) -> tuple[Improvement, ...]:
    """Match each thing to improve with the blunders of the interviews that came after it."""
    said = _occurrences(debriefs, "improve")
    blunders = _occurrences(debriefs, "blunders")
    if not said:
        return ()
    matches = similar_pairs(
        [normalise(o.wording, language) for o in said],
        [normalise(o.wording, language) for o in blunders],
    )
    order = {d.id: index for index, d in enumerate(debriefs)}
    with_blunders = {o.debrief_id for o in blunders}
    found: list[Improvement] = []
    for index, occurrence in enumerate(said):
        position = order[occurrence.debrief_id]
        later = {
            blunders[j].debrief_id: blunders[j]
            for i, j in matches
            if i == index and order[blunders[j].debrief_id] > position
        }
        later_debriefs = sum(1 for d in debriefs[position + 1 :] if d.id in with_blunders)
        found.append(Improvement(occurrence, tuple(later.values()), later_debriefs))
    return tuple(found)


def _waits(debriefs: Sequence[Debrief]) -> tuple[Wait, ...]:
    """Return how many days each company took to give news, shortest first."""
    waits = []
    for debrief in debriefs:
        answered = _parse_moment(debrief.outcome_at)
        day = interview_day(debrief)
        if debrief.outcome is Outcome.WAITING or answered is None or day is None:
            continue
        days = (answered.date() - day).days
        if days >= 0:
            waits.append(Wait(debrief.answers.get("company") or "?", days, debrief.outcome))
    return tuple(sorted(waits, key=lambda w: w.days))


def build_insights(debriefs: Sequence[Debrief], *, language: Language) -> Insights:
    """Compute the insights of one user's debriefs (all theirs: a mix is refused)."""
    if len({d.user_id for d in debriefs}) > 1:
        raise ValueError("insights are computed over the debriefs of one user")
    ordered = _chronological(debriefs)
    funnel = _funnel(ordered)
    ratings = _ratings(ordered)
    trend, first_mean, last_mean = _trend(ratings)
    companies = {company_key(d.answers.get("company") or "") for d in ordered} - {""}
    return Insights(
        interviews=len(ordered),
        applications=funnel.applications,
        later_rounds=len(ordered) - funnel.applications,
        companies=len(companies),
        funnel=funnel,
        ratings=ratings,
        trend=trend,
        first_mean=first_mean,
        last_mean=last_mean,
        awkward=_recurring(ordered, "awkward_questions", language, across_companies=True),
        obstacles=_recurring(ordered, "obstacles", language, across_companies=True),
        forgotten=_recurring(ordered, "forgotten_questions", language, across_companies=False),
        improvements=_improvements(ordered, language),
        waits=_waits(ordered),
    )


def place(occurrence: Occurrence, *, language: Language, today: date) -> str:
    """Say where and when a note was made: 'Acme (3 mars)'."""
    if occurrence.day is None:
        return occurrence.company
    when = short_date(occurrence.day, language, today=today)
    return catalog().text(language, "insights.seen_at", company=occurrence.company, date=when)


def places(occurrences: Sequence[Occurrence], *, language: Language, today: date) -> str:
    """List where notes were made, the most recent first, a few at most."""
    shown = [place(o, language=language, today=today) for o in reversed(occurrences)][:_PLACES]
    more = len(occurrences) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def with_recurring(
    brief: Summary, debriefs: Sequence[Debrief], *, language: Language, today: date
) -> Summary:
    """Open a preparation brief with the awkward questions that keep coming back, if any."""
    found = recurring_awkward(debriefs, language=language)[:_BRIEF_QUESTIONS]
    if not found:
        return brief
    texts = catalog()
    section = SummarySection(
        texts.text(language, "insights.brief_title"),
        tuple(
            SummaryItem(
                texts.text(language, "insights.brief_question", wording=recurring.wording),
                texts.text(
                    language,
                    "insights.brief_item",
                    places=places(recurring.occurrences, language=language, today=today),
                ),
            )
            for recurring in found
        ),
    )
    return replace(brief, sections=(section, *brief.sections))
