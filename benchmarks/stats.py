"""Statistics and report helpers shared by the benchmarks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["heading", "max_in_window", "percentile", "percentiles_ms"]

RULE: Final = "=" * 100


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0-100) with linear interpolation, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def percentiles_ms(values: Sequence[float]) -> dict[str, float | None]:
    """Return p50/p95/p99/max of durations in seconds, as milliseconds."""
    result: dict[str, float | None] = {}
    for name, q in (("p50", 50.0), ("p95", 95.0), ("p99", 99.0), ("max", 100.0)):
        value = percentile(values, q)
        result[name] = None if value is None else round(value * 1000, 1)
    return result


def max_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """Return the largest number of events in any half-open window [t, t + window)."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def heading(title: str) -> list[str]:
    """Return a report's opening lines: a blank line and the title between two rules."""
    return ["", RULE, title, RULE]
