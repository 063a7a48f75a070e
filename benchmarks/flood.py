"""Flood benchmark: another user's /help while one user sends hundreds of messages at once."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from benchmarks.processes import (
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    check,
    finish,
    git_commit,
    wait_ready,
)
from benchmarks.stats import percentiles_ms
from bot.fakeapi import FakeTelegram, FakeUser

__all__ = ["main"]

JSON = dict[str, Any]

FLOODER_ID: Final = 71_001
BASELINE_PROBES_ID: Final = 72_001
FLOOD_PROBES_ID: Final = 73_001
# Probes are sent on a timer, each by another user, whether earlier ones were answered or not:
# a stall then shows in every probe sent during it.
PROBE_EVERY: Final = 0.25
TARGET_P95_MS: Final = 500.0
REPLY_TIMEOUT: Final = 60.0
HELP_MARK: Final = "/new"

USAGE: Final = """\
Against one `python -m bot` process (default pacing, 30 messages per second):
  baseline  --probes users send /help, one every 0.25 s, nothing else running
  flood     one user, in a debrief, sends --flood texts at once (a forwarded chat, a script);
            right after, --probes other users send /help, one every 0.25 s
The figure is the other users' /help reply time, p50 / p95 / max. The fake Bot API server
(bot/fakeapi/) and both users run in this process on 127.0.0.1. JSON goes to
benchmarks/results/.
"""


async def _help_once(fake: FakeTelegram, probe: FakeUser) -> float:
    """Send /help and return the seconds until the reply arrives."""
    seen = len(probe.messages)
    started = time.monotonic()
    await probe.send_text("/help")
    await fake.wait_for_message(
        probe.chat_id,
        after=seen,
        predicate=lambda message: HELP_MARK in message.text,
        timeout=REPLY_TIMEOUT,
    )
    return time.monotonic() - started


async def _probes(fake: FakeTelegram, count: int, first_id: int) -> list[float]:
    """Send /help from count users, one every PROBE_EVERY seconds; return each reply time."""
    tasks = []
    for number in range(count):
        probe = fake.user(first_id + number, language_code="en")
        tasks.append(asyncio.create_task(_help_once(fake, probe)))
        await asyncio.sleep(PROBE_EVERY)
    return list(await asyncio.gather(*tasks))


async def _flood(fake: FakeTelegram, flooder: FakeUser, size: int, count: int) -> JSON:
    """Flood from one user, probe /help from others meanwhile."""
    seen = len(flooder.messages)
    await flooder.send_text("/new")
    await fake.wait_for_message(flooder.chat_id, after=seen, timeout=REPLY_TIMEOUT)
    for number in range(size):
        await flooder.send_text(f"Line {number} of a long forwarded conversation.")
    replies = await _probes(fake, count, FLOOD_PROBES_ID)
    return {
        "flood": size,
        "flood_replies": len(flooder.messages) - seen,
        "first_ms": round(replies[0] * 1000, 1),
        **percentiles_ms(replies),
        "probes": len(replies),
    }


async def run(size: int, probes: int) -> JSON:
    """Run the baseline and the flood against one bot process and return the report."""
    report: JSON = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        workdir = Path(tmp)
        async with FakeTelegram(token=TOKEN) as fake:
            env = bot_env(fake.url, workdir / "debrief.sqlite3")
            process = BotProcess.start("debrief-flood", "bot", [], env, workdir)
            try:
                await wait_ready(fake, process)
                flooder = fake.user(FLOODER_ID, language_code="en")
                print("▶ baseline", flush=True)
                baseline = await _probes(fake, probes, BASELINE_PROBES_ID)
                report["baseline"] = {**percentiles_ms(baseline), "probes": len(baseline)}
                print(f"▶ flood of {size} messages", flush=True)
                report["flood"] = await _flood(fake, flooder, size, probes)
                process.check_alive()
            except (ProcessExited, TimeoutError, AssertionError) as error:
                report["error"] = f"{type(error).__name__}: {error}"
                print(process.log_tail(), file=sys.stderr)
            finally:
                report["exit_code"] = await process.stop()
    return report


def render(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        "",
        f"Debrief flood benchmark — {report['cpus']} CPUs, Python {report['python']},"
        f" commit {report['commit']}",
        "",
    ]
    if "error" in report:
        out.append(f"  ✗ {report['error']}")
    for name in ("baseline", "flood"):
        figures = report.get(name)
        if figures:
            out.append(
                f"  {name:<8} /help reply p50 / p95 / max"
                f"  {figures['p50']} / {figures['p95']} / {figures['max']} ms"
                f"  ({figures['probes']} probes)"
            )
    flood = report.get("flood")
    if flood:
        out.append(
            f"  the flooding user's {flood['flood']} messages got {flood['flood_replies']}"
            f" replies; the first probe took {flood['first_ms']} ms"
        )
        p95 = flood["p95"]
        out.append(
            f"  another user's /help p95 under the flood  {p95} ms"
            f"  {check(p95 is not None and p95 <= TARGET_P95_MS)} target ≤ {TARGET_P95_MS:.0f} ms"
        )
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def failed(report: JSON) -> bool:
    """Tell whether the run broke (a target missed is reported, not a failure)."""
    return "error" in report or bool(report.get("exit_code"))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.flood",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--flood", type=int, default=600, help="messages at once (600)")
    parser.add_argument(
        "--probes", type=int, default=80, help="/help probes per pass, 4 a second (80)"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.flood <= 5000 and 1 <= args.probes <= 2000):
        parser.error("--flood 1-5000, --probes 1-2000")
    return finish(run(args.flood, args.probes), "flood", render, failed)


if __name__ == "__main__":
    sys.exit(main())
