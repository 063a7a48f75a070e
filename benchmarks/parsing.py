"""CPU time of the parsers that run on the event loop, on the longest input a user can give."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Final
from zoneinfo import ZoneInfo

from conversations.checklist import ANSWER_LIMIT
from conversations.dates import find_decision_date
from conversations.when import parse_when

__all__ = ["main"]

TODAY: Final = date(2026, 11, 26)
NOW: Final = datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
MESSAGE: Final = 4096
# Notes made of what costs the parsers most: a date every few characters, clauses or none.
UNITS: Final = {
    "dates, no decision word, no clause end": "1/2 ",
    "a weekday in every short clause": "lundi x. ",
    "a relative day after a decision word": "answer demain ",
}
WHEN: Final = "demain à 14h "


def _cpu(work: Callable[[], object], repeat: int) -> float:
    """Return the least CPU time of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    """Print the CPU time of each parser on one message and on one whole answer."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.parsing", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, the least counts")
    args = parser.parse_args(argv)
    rows: list[tuple[str, Callable[[str], object], str]] = [
        (f"find_decision_date, {name}", partial(find_decision_date, today=TODAY), unit)
        for name, unit in UNITS.items()
    ]
    rows.append(("parse_when, a moment said again and again", partial(parse_when, now=NOW), WHEN))
    print(f"CPU time, least of {args.repeat} runs, ms: one message / one whole answer")
    for name, parse, unit in rows:
        times = [
            _cpu(partial(parse, (unit * size)[:size]), args.repeat)
            for size in (MESSAGE, ANSWER_LIMIT)
        ]
        print(f"  {name:<70} {times[0]:>7.1f} / {times[1]:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
