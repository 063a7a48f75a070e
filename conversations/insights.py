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
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import assert_never

from conversations.answers import clip
from conversations.checklist import Key
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
    "Described",
    "Funnel",
    "Improvement",
    "Insights",
    "Occurrence",
    "RatingPoint",
    "Recurring",
    "Trend",
    "Wait",
    "build_insights",
    "describe",
    "place",
    "places",
    "recurring_awkward",
    "with_recurring",
]

# The answers insights read; the rest of a debrief is never loaded for them.
INSIGHT_KEYS = (
    Key.COMPANY,
    Key.INTERVIEW_DATE,
    Key.RATING,
    Key.AWKWARD_QUESTIONS,
    Key.OBSTACLES,
    Key.FORGOTTEN_QUESTIONS,
    Key.IMPROVE,
    Key.BLUNDERS,
)
# What the preparation briefs read to name the awkward questions that keep coming back.
AWKWARD_KEYS = (Key.COMPANY, Key.INTERVIEW_DATE, Key.AWKWARD_QUESTIONS)
# Below this, nothing recurs and no trend shows: the user is told what will appear later.
MIN_DEBRIEFS = 2
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
# A place list names this many, the most recent first; a brief recalls this many questions;
# each list of /insights shows this many entries.
_PLACES = 4
_BRIEF_QUESTIONS = 3
_LISTED = 5
# Quotes and company names in the chat and the export are cut to this many words.
_WORDS = 30
_COMPANY_WORDS = 8
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

    debrief_id: int
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

    debrief_id: int
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


# Sorts before any real creation time.
_NEVER = datetime.min.replace(tzinfo=UTC)


def _chronological(debriefs: Sequence[Debrief]) -> list[Debrief]:
    """Order debriefs by interview day, then by when they were written."""
    return sorted(
        debriefs, key=lambda d: (interview_day(d) or date.min, d.created_at or _NEVER, d.id)
    )


def _occurrences(debriefs: Sequence[Debrief], key: Key) -> list[Occurrence]:
    """Cut every debrief's answer to `key` into its items, oldest debrief first."""
    return [
        Occurrence(d.id, d.answers.get(Key.COMPANY) or "?", interview_day(d), item)
        for d in debriefs
        for item in items(d.answers.get(key))
    ]


def _recurring(
    debriefs: Sequence[Debrief], key: Key, language: Language, *, across_companies: bool
) -> tuple[Recurring, ...]:
    """Group similar items of `key`; keep groups from several debriefs (or companies)."""
    found = _occurrences(debriefs, key)
    groups = group_similar(found, [o.wording for o in found], language=language)
    # Each company name folded once per call (the names repeat across a user's notes).
    folded = {o.company: company_key(o.company) for o in found}
    kept: list[tuple[int, Recurring]] = []
    for group in groups:
        # One debrief may word the same thing twice: it still counts once.
        seen: dict[int, Occurrence] = {}
        for occurrence in group.members:
            seen.setdefault(occurrence.debrief_id, occurrence)
        companies = len({folded[o.company] for o in seen.values()})
        if (companies if across_companies else len(seen)) >= 2:
            kept.append((companies, Recurring(tuple(seen.values()))))
    kept.sort(
        key=lambda pair: (
            pair[0],
            len(pair[1].occurrences),
            pair[1].occurrences[-1].day or date.min,
        ),
        reverse=True,
    )
    return tuple(recurring for _, recurring in kept)


def recurring_awkward(debriefs: Sequence[Debrief], *, language: Language) -> tuple[Recurring, ...]:
    """Return the awkward questions that came up with at least two companies."""
    ordered = _chronological(debriefs)
    return _recurring(ordered, Key.AWKWARD_QUESTIONS, language, across_companies=True)


def _ratings(debriefs: Sequence[Debrief]) -> tuple[RatingPoint, ...]:
    """Return the valid self-ratings with their interview day, oldest first."""
    points = []
    for debrief in debriefs:
        value = debrief.answers.get(Key.RATING, "")
        day = interview_day(debrief)
        if value in {"1", "2", "3", "4", "5"} and day is not None:
            company = debrief.answers.get(Key.COMPANY) or "?"
            points.append(RatingPoint(debrief.id, day, int(value), company, debrief.outcome))
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
    said = _occurrences(debriefs, Key.IMPROVE)
    blunders = _occurrences(debriefs, Key.BLUNDERS)
    if not said:
        return ()
    said_keys = [normalise(o.wording, language) for o in said]
    blunders_by_key: dict[str, list[Occurrence]] = {}
    for blunder in blunders:
        blunders_by_key.setdefault(normalise(blunder.wording, language), []).append(blunder)
    like: dict[str, list[Occurrence]] = {}
    for said_key, blunder_key in similar_pairs(
        [key for key in said_keys if key], [key for key in blunders_by_key if key]
    ):
        like.setdefault(said_key, []).extend(blunders_by_key[blunder_key])
    order = {d.id: index for index, d in enumerate(debriefs)}
    with_blunders = {o.debrief_id for o in blunders}
    # after[i]: how many debriefs after the i-th noted blunders.
    after = [0] * (len(debriefs) + 1)
    for index in range(len(debriefs) - 1, -1, -1):
        after[index] = after[index + 1] + (debriefs[index].id in with_blunders)
    found: list[Improvement] = []
    for occurrence, key in zip(said, said_keys, strict=True):
        position = order[occurrence.debrief_id]
        later = {
            blunder.debrief_id: blunder
            for blunder in like.get(key, ())
            if order[blunder.debrief_id] > position
        }
        found.append(Improvement(occurrence, tuple(later.values()), after[position + 1]))
    return tuple(found)


def _waits(debriefs: Sequence[Debrief]) -> tuple[Wait, ...]:
    """Return how many days each company took to give news, shortest first."""
    waits = []
    for debrief in debriefs:
        answered = debrief.outcome_at
        day = interview_day(debrief)
        if debrief.outcome is Outcome.WAITING or answered is None or day is None:
            continue
        days = (answered.date() - day).days
        if days >= 0:
            waits.append(
                Wait(debrief.id, debrief.answers.get(Key.COMPANY) or "?", days, debrief.outcome)
            )
    return tuple(sorted(waits, key=lambda w: w.days))


def build_insights(debriefs: Sequence[Debrief], *, language: Language) -> Insights:
    """Compute the insights of one user's debriefs (all theirs: a mix is refused)."""
    if len({d.user_id for d in debriefs}) > 1:
        raise ValueError("insights are computed over the debriefs of one user")
    ordered = _chronological(debriefs)
    funnel = _funnel(ordered)
    ratings = _ratings(ordered)
    trend, first_mean, last_mean = _trend(ratings)
    companies = {company_key(d.answers.get(Key.COMPANY) or "") for d in ordered} - {""}
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
        awkward=_recurring(ordered, Key.AWKWARD_QUESTIONS, language, across_companies=True),
        obstacles=_recurring(ordered, Key.OBSTACLES, language, across_companies=True),
        forgotten=_recurring(ordered, Key.FORGOTTEN_QUESTIONS, language, across_companies=False),
        improvements=_improvements(ordered, language),
        waits=_waits(ordered),
    )


def place(occurrence: Occurrence, *, language: Language, today: date) -> str:
    """Say where and when a note was made: 'Acme (3 mars)'."""
    company = clip(occurrence.company, _COMPANY_WORDS)
    if occurrence.day is None:
        return company
    when = short_date(occurrence.day, language, today=today)
    return catalog().text(language, "insights.seen_at", company=company, date=when)


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
                texts.text(
                    language, "insights.brief_question", wording=clip(recurring.wording, _WORDS)
                ),
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


@dataclass(frozen=True, slots=True)
class Described:
    """One part of the insights in words: a title (None for the heading), lines, a closing note."""

    title: str | None
    lines: tuple[str, ...]
    note: str | None = None


def _t(language: Language, key: str, /, **values: object) -> str:
    """Fill in an insights.* text."""
    return catalog().text(language, f"insights.{key}", **values)


def _count(language: Language, key: str, count: int) -> str:
    """Write a count with its noun: '1 jour', '3 jours' (French 0 and 1 take the singular)."""
    single = count == 1 or (language == "fr" and count == 0)
    return _t(language, f"{key}_{'one' if single else 'many'}", count=count)


def _mean(value: float, language: Language) -> str:
    """Write a mean rating with one decimal, a comma in French."""
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if language == "fr" else shown


def _recurring_part(
    found: Sequence[Recurring], title_key: str, language: Language, today: date
) -> Described:
    """List notes that keep coming back, with where and when."""
    return Described(
        _t(language, title_key),
        tuple(
            _t(
                language,
                "recurring",
                wording=clip(r.wording, _WORDS),
                places=places(r.occurrences, language=language, today=today),
            )
            for r in found[:_LISTED]
        ),
    )


def _rating_part(insights: Insights, language: Language) -> Described:
    """Say how the self-rating moved from the first interviews to the latest."""
    title = _t(language, "rating_title")
    if not insights.ratings:
        return Described(title, (_t(language, "no_ratings"),))
    if insights.first_mean is None or insights.last_mean is None:
        return Described(title, (_t(language, "one_rating", rating=insights.ratings[0].rating),))
    match insights.trend:
        case Trend.UP:
            key = "trend_up"
        case Trend.DOWN:
            key = "trend_down"
        case Trend.STEADY | Trend.UNKNOWN:
            key = "trend_steady"
        case _ as unreachable:
            assert_never(unreachable)
    first, last = _mean(insights.first_mean, language), _mean(insights.last_mean, language)
    return Described(title, (_t(language, key, first=first, last=last),))


def _improvement_part(insights: Insights, language: Language, today: date) -> Described:
    """Say which resolutions came back as blunders, and how many did not."""
    title = _t(language, "improve_title")
    if not insights.improvements:
        return Described(title, (_t(language, "no_improve"),))
    checked = [i for i in insights.improvements if i.later_debriefs]
    back = [i for i in checked if i.came_back]
    lines = [
        _t(
            language,
            "came_back",
            wording=clip(i.said.wording, _WORDS),
            place=place(i.said, language=language, today=today),
            places=places(i.came_back, language=language, today=today),
        )
        for i in back[-_LISTED:]
    ]
    if checked:
        lines.append(_t(language, "not_back", kept=len(checked) - len(back), checked=len(checked)))
    return Described(title, tuple(lines))


def _wait_part(insights: Insights, language: Language) -> Described:
    """Say how long companies took to answer: the median, the fastest and the slowest."""
    title = _t(language, "wait_title")
    waits, median = insights.waits, insights.median_wait
    if not waits or median is None:
        return Described(title, (_t(language, "no_waits"),))
    days = _count(language, "days", round(median))
    if len(waits) == 1:
        return Described(title, (_t(language, "wait_median_one", days=days),))
    fast, slow = waits[0], waits[-1]
    return Described(
        title,
        (
            _t(language, "wait_median", days=days, count=len(waits)),
            _t(
                language,
                "wait_range",
                fast_company=clip(fast.company, _COMPANY_WORDS),
                fast=_count(language, "days", fast.days),
                slow_company=clip(slow.company, _COMPANY_WORDS),
                slow=_count(language, "days", slow.days),
            ),
        ),
    )


def describe(insights: Insights, *, language: Language, today: date) -> list[Described]:
    """Put the insights in words, part by part, for the chat and for the export."""
    funnel = insights.funnel
    heading = [
        _t(language, "title"),
        _t(
            language,
            "counts",
            interviews=insights.interviews,
            applications=insights.applications,
            companies=insights.companies,
        ),
    ]
    if insights.later_rounds:
        heading.append(_t(language, "later_rounds", rounds=insights.later_rounds))
    states = " · ".join(
        _t(language, f"state_{outcome}", count=count) for outcome, count in funnel.now if count
    )
    funnel_lines = [
        _t(
            language,
            "funnel",
            applications=funnel.applications,
            answered=funnel.answered,
            next_round=funnel.next_round,
            offers=funnel.offers,
        )
    ]
    if states:
        funnel_lines.append(_t(language, "now", states=states))
    parts = [
        Described(None, tuple(heading)),
        Described(_t(language, "funnel_title"), tuple(funnel_lines)),
        _rating_part(insights, language),
    ]
    if insights.awkward:
        hint = "one" if len(insights.awkward) == 1 else "many"
        awkward = _recurring_part(insights.awkward, "awkward_title", language, today)
        parts.append(replace(awkward, note=_t(language, f"awkward_hint_{hint}")))
    if insights.obstacles:
        parts.append(_recurring_part(insights.obstacles, "obstacles_title", language, today))
    if insights.forgotten:
        parts.append(_recurring_part(insights.forgotten, "forgotten_title", language, today))
    if not (insights.awkward or insights.obstacles or insights.forgotten):
        parts.append(Described(None, (_t(language, "nothing_recurs"),)))
    parts += [_improvement_part(insights, language, today), _wait_part(insights, language)]
    return parts
