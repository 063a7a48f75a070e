"""Insights across a user's debriefs, computed without Telegram or SQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conversations.followup import build_preparation_brief
from conversations.insights import Trend, build_insights, recurring_awkward, with_recurring
from conversations.model import Debrief, Outcome, Status

TODAY = date(2026, 12, 2)


def made(
    debrief_id: int,
    company: str,
    day: str,
    *,
    user_id: int = 1,
    outcome: Outcome = Outcome.WAITING,
    outcome_at: str | None = None,
    previous: int | None = None,
    **answers: str,
) -> Debrief:
    """Return a finished debrief as the repository loads it for insights."""
    return Debrief(
        debrief_id,
        user_id,
        Status.DONE,
        None,
        None,
        None,
        None,
        answers={"company": company, "interview_date": day, **answers},
        outcome=outcome,
        created_at=datetime.fromisoformat(f"{day}T18:00:00.000Z"),
        previous_id=previous,
        outcome_at=datetime.fromisoformat(outcome_at) if outcome_at else None,
    )


def test_no_debrief_gives_empty_insights() -> None:
    found = build_insights([], language="fr")

    assert not found.enough
    assert (found.interviews, found.applications, found.companies) == (0, 0, 0)
    assert found.funnel.applications == found.funnel.offers == 0
    assert len(found.ratings) == len(found.awkward) == len(found.improvements) == 0
    assert found.waits == ()
    assert found.trend is Trend.UNKNOWN
    assert found.median_wait is None


def test_a_single_debrief_is_not_enough_and_nothing_recurs() -> None:
    one = made(1, "Acme", "2026-11-03", rating="3", awkward_questions="Vos prétentions ?")

    found = build_insights([one], language="fr")

    assert not found.enough
    assert found.interviews == 1
    assert found.awkward == ()
    assert found.trend is Trend.UNKNOWN
    assert [p.rating for p in found.ratings] == [3]


def test_an_awkward_question_recurs_only_across_companies() -> None:
    debriefs = [
        made(
            1, "Acme", "2026-09-03", awkward_questions="Pourquoi voulez-vous quitter votre poste ?"
        ),
        made(2, "ACME ", "2026-09-20", awkward_questions="Pourquoi quitter votre poste ?"),
        made(3, "Globex", "2026-10-01", awkward_questions="Vos prétentions salariales ?"),
        made(
            4, "Initech", "2026-11-02", awkward_questions="Quelles sont vos prétentions salariales"
        ),
    ]

    found = recurring_awkward(debriefs, language="fr")

    assert len(found) == 1
    assert [o.company for o in found[0].occurrences] == ["Globex", "Initech"]
    assert found[0].companies == 2
    assert found[0].wording == "Quelles sont vos prétentions salariales"
    assert found[0].occurrences[0].day == date(2026, 10, 1)


def test_the_funnel_counts_applications_and_how_far_they_got() -> None:
    debriefs = [
        made(1, "Acme", "2026-09-03", outcome=Outcome.REJECTED),
        made(2, "Globex", "2026-09-10", outcome=Outcome.NEXT_ROUND),
        made(3, "Globex", "2026-09-20", outcome=Outcome.OFFER, previous=2),
        made(4, "Initech", "2026-10-01", outcome=Outcome.WITHDRAWN),
        made(5, "Hooli", "2026-11-01"),
    ]

    funnel = build_insights(debriefs, language="en").funnel

    assert (funnel.applications, funnel.answered, funnel.next_round, funnel.offers) == (4, 3, 1, 1)
    assert dict(funnel.now) == {
        "waiting": 1,
        "next_round": 0,
        "offer": 1,
        "rejected": 1,
        "withdrawn": 1,
    }


@pytest.mark.parametrize(
    ("ratings", "trend"),
    [(("2", "2", "4", "5"), Trend.UP), (("5", "4", "3", "2"), Trend.DOWN), (("3", "4"), Trend.UP),
     (("3", "4", "4", "3"), Trend.STEADY)],
)  # fmt: skip
def test_the_rating_trend_compares_the_first_interviews_with_the_latest(
    ratings: tuple[str, ...], trend: Trend
) -> None:
    # Given out of order: the trend follows the interview dates.
    days = [f"2026-{month:02d}-10" for month in range(1, len(ratings) + 1)]
    debriefs = [
        made(n, f"Company {n}", day, rating=rating)
        for n, (day, rating) in reversed(list(enumerate(zip(days, ratings, strict=True))))
    ]

    found = build_insights(debriefs, language="en")

    assert found.trend is trend
    assert [p.day for p in found.ratings] == sorted(p.day for p in found.ratings)


def test_an_improvement_that_came_back_as_a_later_blunder_is_named() -> None:
    debriefs = [
        made(1, "Acme", "2026-09-03", improve="Parler moins vite\nPréparer mes questions"),
        made(2, "Globex", "2026-10-01", blunders="J'ai parlé trop vite."),
        made(3, "Initech", "2026-08-01", blunders="Parlé trop vite"),
    ]

    found = build_insights(debriefs, language="fr").improvements

    by_wording = {i.said.wording: i for i in found}
    came_back = by_wording["Parler moins vite"].came_back
    # Only the blunder made after the resolution counts, not the one before it.
    assert [o.company for o in came_back] == ["Globex"]
    assert by_wording["Préparer mes questions"].came_back == ()
    assert by_wording["Préparer mes questions"].later_debriefs == 1


def test_waits_run_from_the_interview_to_the_news() -> None:
    debriefs = [
        made(
            1, "Acme", "2026-09-03", outcome=Outcome.REJECTED, outcome_at="2026-09-20T09:00:00.000Z"
        ),
        made(
            2, "Globex", "2026-10-01", outcome=Outcome.NEXT_ROUND, outcome_at="2026-10-05T09:00:00Z"
        ),
        made(3, "Initech", "2026-10-01", outcome=Outcome.OFFER),
        made(4, "Hooli", "2026-11-01", outcome_at="2026-11-03T09:00:00.000Z"),
    ]

    found = build_insights(debriefs, language="en")

    assert [(w.company, w.days) for w in found.waits] == [("Globex", 4), ("Acme", 17)]
    assert found.median_wait == 10.5


def test_questions_often_forgotten_may_recur_with_one_company() -> None:
    debriefs = [
        made(1, "Acme", "2026-09-03", forgotten_questions="Who decides on the roadmap?"),
        made(2, "Acme", "2026-09-20", forgotten_questions="who decides on the roadmap"),
    ]

    found = build_insights(debriefs, language="en")

    assert len(found.forgotten) == 1
    assert found.awkward == found.obstacles == ()


def test_debriefs_of_two_users_are_refused() -> None:
    with pytest.raises(ValueError, match="one user"):
        build_insights(
            [made(1, "Acme", "2026-09-03"), made(2, "Acme", "2026-09-03", user_id=2)], language="en"
        )


def test_the_preparation_brief_opens_with_the_awkward_questions_that_keep_coming_back() -> None:
    debriefs = [
        made(1, "Acme", "2026-09-03", awkward_questions="Où vous voyez-vous dans cinq ans ?"),
        made(
            2, "Globex", "2026-10-01", awkward_questions="Comment vous voyez-vous dans cinq ans ?"
        ),
    ]
    brief = build_preparation_brief([debriefs[1].answers], language="fr")

    prepared = with_recurring(brief, debriefs, language="fr", today=TODAY)

    first = prepared.sections[0]
    assert first.title == "Cette question revient souvent\u00a0: préparez-la"
    assert first.items[0].label == "«\u00a0Comment vous voyez-vous dans cinq ans\u00a0?\u00a0»"
    assert first.items[0].answer == "Chez Globex (1er octobre), Acme (3 septembre)"
    assert prepared.sections[1:] == brief.sections
    assert with_recurring(brief, debriefs[:1], language="fr", today=TODAY) == brief
