"""The /insights chart: a small PNG, readable on a phone, labelled in the user's language."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.chart import ChartData, analyse, chart_data, draw, moving_mean
from conversations.i18n import catalog
from conversations.insights import build_insights
from conversations.model import Debrief, Status


def made(debrief_id: int, day: str, rating: str) -> Debrief:
    """Return a finished debrief with a company, a date and a rating."""
    answers = {"company": f"Company {debrief_id}", "interview_date": day, "rating": rating}
    return Debrief(debrief_id, 1, Status.DONE, None, None, None, None, answers=answers)


def test_the_chart_is_a_small_png_sized_for_a_phone() -> None:
    debriefs = [made(n, f"2026-{n:02d}-15", str(1 + n % 5)) for n in range(1, 12)]

    insights, png = analyse(debriefs, "fr")

    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == (864, 1056)
    # Telegram's photo limit is 10 MB; this one should cost little on a mobile connection.
    assert len(png) < 60_000
    assert insights.interviews == 11


def test_a_single_debrief_gets_no_chart() -> None:
    insights, png = analyse([made(1, "2026-11-01", "4")], "en")

    assert png is None
    assert not insights.enough


def test_the_chart_speaks_the_users_language_and_draws_without_ratings() -> None:
    debriefs = [
        Debrief(n, 1, Status.DONE, None, None, None, None, answers={"company": "Acme"})
        for n in (1, 2)
    ]
    data = chart_data(build_insights(debriefs, language="fr"), "fr")

    assert data.ratings == ()
    assert data.stages[0] == ("Candidatures", 2)
    assert data.months[0] == "janv."
    assert draw(data).startswith(b"\x89PNG")


def test_one_day_of_ratings_draws_too() -> None:
    data = ChartData(
        ratings_title="Rating",
        no_ratings="None",
        days=(date(2026, 3, 3), date(2026, 3, 3)),
        ratings=(2, 4),
        funnel_title="Applications",
        stages=(("Applications", 2), ("Replies", 0), ("Next round", 0), ("Offers", 0)),
        months=tuple(catalog().text("en", "insights.months").split()),
    )

    assert Image.open(io.BytesIO(draw(data))).size == (864, 1056)


def test_many_interviews_draw_light_dots_and_amoving_mean() -> None:
    debriefs = [made(n, f"{2024 + n // 365}-{1 + n % 12:02d}-{1 + n % 28:02d}", str(1 + n % 5))
                for n in range(1, 120)]  # fmt: skip

    _, png = analyse(debriefs, "en")

    assert png is not None
    assert len(png) < 60_000
    assert moving_mean([1, 3, 5] * 6 + [1, 3]) == [2.0, 4.0, 3.0] * 6 + [2.0]
