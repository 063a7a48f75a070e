"""The /insights chart: ratings over time and the applications' funnel, drawn in a worker process.

matplotlib (Agg backend, no display) is imported only in the worker: the bot's own process never
loads it. One worker, spawned on the first /insights, draws one chart at a time: matplotlib's
global state is not thread-safe, and in a separate process its Python work never holds the GIL
the event loop needs to answer other users.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from conversations.i18n import Language, catalog
from conversations.insights import Insights, build_insights
from conversations.model import Debrief

__all__ = ["ChartData", "Charts", "analyse", "chart_data", "draw", "moving_mean"]

logger = logging.getLogger(__name__)

# 5.4 × 6.6 inches at 160 dpi: 864 × 1056 pixels, sharp on a phone held upright.
_SIZE: Final = (5.4, 6.6)
_DPI: Final = 160
_FONT: Final = 15
_INK: Final = "#1f2933"
_GRID: Final = "#d9dee3"
_LINE: Final = "#2f6fed"
_BARS: Final = ("#9db8f5", "#6f97f0", "#3f74ea", "#1e9e5a")
# The PNG is reduced to a palette of this many colours: 19 kB instead of 52, no visible change,
# in 50 ms (PNG's own "optimize" pass cost 70 ms more for 10% fewer bytes).
_COLOURS: Final = 64
_FEW: Final = 30
_TICKS: Final = 4


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart shows, with its texts already in the user's language."""

    ratings_title: str
    no_ratings: str
    days: tuple[date, ...]
    ratings: tuple[int, ...]
    funnel_title: str
    stages: tuple[tuple[str, int], ...]
    months: tuple[str, ...]


def _month_ticks(days: Sequence[date], months: Sequence[str]) -> tuple[list[int], list[str]]:
    """Place up to four ticks on first days of months, labelled with the month (and year)."""
    first, last = days[0], days[-1]
    starts = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    inside = [day for day in starts if day >= first] or [first]
    step = -(-len(inside) // _TICKS)
    ticks = inside[::step]
    labels = [
        f"{months[day.month - 1]}\n{day.year}"
        if index == 0 or day.year != ticks[index - 1].year
        else months[day.month - 1]
        for index, day in enumerate(ticks)
    ]
    return [day.toordinal() for day in ticks], labels


def moving_mean(values: Sequence[int]) -> list[float]:
    """Average each value with those just before it, a tenth of them in all (full windows only)."""
    window = max(2, len(values) // 10)
    total = sum(values[:window])
    means = [total / window]
    for index in range(window, len(values)):
        total += values[index] - values[index - window]
        means.append(total / window)
    return means


def chart_data(insights: Insights, language: Language) -> ChartData:
    """Take from the insights what the chart draws, labelled in the user's language."""

    def t(key: str) -> str:
        return catalog().text(language, f"insights.{key}")

    funnel = insights.funnel
    return ChartData(
        ratings_title=t("chart_ratings"),
        no_ratings=t("chart_no_ratings"),
        days=tuple(point.day for point in insights.ratings),
        ratings=tuple(point.rating for point in insights.ratings),
        funnel_title=t("chart_funnel"),
        stages=(
            (t("stage_applications"), funnel.applications),
            (t("stage_answered"), funnel.answered),
            (t("stage_next_round"), funnel.next_round),
            (t("stage_offers"), funnel.offers),
        ),
        months=tuple(t("months").split()),
    )


def draw(data: ChartData) -> bytes:
    """Draw the chart as a PNG: ratings over time above, the funnel below."""
    # Imported here: only the worker process (and tests) pay for matplotlib.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    # Fixed places: a layout engine would measure every label first, for a third of the time.
    figure = Figure(figsize=_SIZE, dpi=_DPI)
    FigureCanvasAgg(figure)
    ratings = figure.add_axes((0.09, 0.49, 0.86, 0.44))
    funnel = figure.add_axes((0.33, 0.03, 0.6, 0.31))
    for axes in (ratings, funnel):
        axes.tick_params(labelsize=_FONT - 2, colors=_INK)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    title: dict[str, Any] = {"fontsize": _FONT + 2, "color": _INK, "ha": "left", "va": "top"}
    figure.text(0.03, 0.985, data.ratings_title, **title)
    ratings.set_ylim(0.5, 5.5)
    ratings.set_yticks(range(1, 6))
    ratings.grid(axis="y", color=_GRID)
    if data.ratings:
        days = [day.toordinal() for day in data.days]
        if len(days) <= _FEW:
            ratings.plot(days, data.ratings, color=_LINE, linewidth=2.5, marker="o", markersize=9)
        else:
            # Past a few dozen interviews a line through every rating is noise: light dots, and
            # the mean of the latest tenth of them as the line.
            ratings.plot(days, data.ratings, "o", color=_LINE, alpha=0.25, markersize=5)
            means = moving_mean(data.ratings)
            ratings.plot(days[len(days) - len(means) :], means, color=_LINE, linewidth=3)
        ticks, labels = _month_ticks(data.days, data.months)
        ratings.set_xticks(ticks, labels)
    else:
        ratings.set_xticks([])
        ratings.text(
            0.5, 0.5, data.no_ratings, transform=ratings.transAxes, ha="center",
            fontsize=_FONT, color=_INK,
        )  # fmt: skip

    figure.text(0.03, 0.38, data.funnel_title, **title)
    labels = [label for label, _ in data.stages][::-1]
    counts = [count for _, count in data.stages][::-1]
    bars = funnel.barh(labels, counts, color=_BARS[::-1], height=0.7)
    funnel.bar_label(bars, padding=4, fontsize=_FONT, color=_INK)
    funnel.set_xlim(0, max(max(counts), 1) * 1.15)
    funnel.set_xticks([])
    funnel.spines["bottom"].set_visible(False)
    funnel.tick_params(axis="y", labelsize=_FONT, length=0)

    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=_DPI)
    size = (round(_SIZE[0] * _DPI), round(_SIZE[1] * _DPI))
    image = Image.frombytes("RGBA", size, raw.getvalue())
    output = io.BytesIO()
    palette = image.convert("RGB").quantize(_COLOURS, method=Image.Quantize.FASTOCTREE)
    palette.save(output, format="PNG")
    return output.getvalue()


def analyse(debriefs: Sequence[Debrief], language: Language) -> tuple[Insights, bytes | None]:
    """Compute a user's insights and draw their chart (None below two debriefs)."""
    insights = build_insights(debriefs, language=language)
    png = draw(chart_data(insights, language)) if insights.enough else None
    return insights, png


class Charts:
    """The worker process that computes insights and draws charts, started on first use."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def analyse(
        self, debriefs: Sequence[Debrief], *, language: Language
    ) -> tuple[Insights, bytes | None]:
        """Compute the insights and the chart off the event loop; text only if the worker died."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._worker(), analyse, list(debriefs), language)
        except BrokenProcessPool:
            logger.exception("The chart process died; insights sent without their chart")
            self.close()
        insights = await asyncio.to_thread(build_insights, debriefs, language=language)
        return insights, None

    def _worker(self) -> ProcessPoolExecutor:
        """Return the worker process, starting it the first time."""
        if self._pool is None:
            # Spawned, not forked: the bot's event loop and threads must not be copied.
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker process."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
