"""Time to the thank-you draft for a hurried user: /new, the car-park answers, no pause."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from benchmarks.processes import TOKEN, BotProcess, bot_env, wait_ready
from benchmarks.users import InFlight, run_debrief
from bot.fakeapi import FakeTelegram
from conversations.checklist import checklist


async def _measure(rounds: int) -> list[float]:
    """Run `rounds` hurried users one after the other; return each one's seconds to the draft."""
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-express-") as tmp:
        workdir = Path(tmp)
        async with FakeTelegram(token=TOKEN) as fake:
            env = bot_env(fake.url, workdir / "data" / "debrief.sqlite3")
            process = BotProcess.start("bot", "bot", [], env, workdir)
            try:
                await wait_ready(fake, process)
                for number in range(rounds):
                    run = await run_debrief(fake.user(7000 + number), InFlight(), 30.0)
                    if run.error is not None or run.draft_at is None:
                        raise SystemExit(f"round {number}: {run.error or 'no draft'}")
                    seconds.append(run.draft_at - run.started_at)
            finally:
                await process.stop()
    return seconds


def main() -> None:
    """Print the questions asked before the draft and the time it takes to get there."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    seconds = asyncio.run(_measure(args.rounds))
    print(f"questions before the draft: {len(checklist().express)} of {len(checklist())}")
    median = statistics.median(seconds)
    print(
        f"time to the draft, /new to the draft's message: median {median:.2f} s,"
        f" max {max(seconds):.2f} s over {len(seconds)} users"
    )


if __name__ == "__main__":
    main()
