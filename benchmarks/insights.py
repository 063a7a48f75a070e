"""/insights at scale: one user's 200 debriefs among the history benchmark's 100,000."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Final

from benchmarks.history import (
    REPLY_TIMEOUT,
    UNPACED,
    Sample,
    Sizes,
    act,
    cached_database,
    evict,
    prepare_copy,
    report_head,
    run_block,
)
from benchmarks.processes import (
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    check,
    finish,
    machine_ticks,
    positive,
    wait_ready,
)
from benchmarks.stats import heading, percentiles_ms
from bot.chart import analyse, chart_data, draw
from bot.fakeapi import BotMessage, FakeTelegram
from conversations.insights import INSIGHT_KEYS, build_insights
from conversations.model import Debrief, Outcome, Status
from storage.database import open_database
from storage.debriefs import DebriefRepository

__all__ = ["main"]

JSON = dict[str, Any]

TARGET_MS: Final = 1000
MEASURED: Final = 200
CPU_RUNS: Final = 10
USAGE: Final = """\
The database is the history benchmark's (benchmarks/history.py generates and caches it; the
measured user has --measured debriefs). Two passes:
  bot     the real bot (`python -m bot`) on a copy; the measured user sends /insights: time from
          the update to the chart's photo (every text message comes before it); the first one
          starts the chart process. Peak memory of the bot and of the chart process.
  pieces  in this process: the repository query, the insights and the chart, timed apart.
"""


def _photo_bytes(fake: FakeTelegram, message: BotMessage) -> int:
    """Return the size of a photo message's image, as uploaded."""
    return len(fake.file_bytes(message.photo_file_id or ""))


async def bot_pass(
    db_path: Path, workdir: Path, facts: JSON, *, requests: int, warmup: int
) -> JSON:
    """Start the bot, then time the measured user's /insights, chart included."""
    result: JSON = {"settings": UNPACED}
    sizes: list[int] = []
    texts: list[int] = []
    evict(db_path)
    async with FakeTelegram(token=TOKEN) as fake:
        process = BotProcess.start(
            "insights", "bot", [], bot_env(fake.url, db_path, UNPACED), workdir
        )
        ticks = machine_ticks()
        try:
            await wait_ready(fake, process)
            result["peak_memory_mib_after_start"] = process.peak_memory_mib()
            user = fake.user(facts["measured"]["user_id"], first_name="Camille", language_code="fr")

            async def insights(_: int) -> Sample:
                """Send /insights and wait for the chart."""
                sample = await act(
                    fake,
                    user,
                    lambda: user.send_text("/insights"),
                    lambda m: m.is_photo,
                    REPLY_TIMEOUT,
                )
                photo = user.messages[-1]
                sizes.append(_photo_bytes(fake, photo))
                texts.append(sample.messages - 1)
                return sample

            block = await run_block("insights", insights, process, warmup=warmup, count=requests)
            result["block"] = block.summary()
            # CPU time, unlike latency, does not depend on how busy the machine is.
            before = process.children_cpu_seconds(), process.cpu_seconds() or 0.0
            for number in range(CPU_RUNS):
                await insights(number)
            after = process.children_cpu_seconds(), process.cpu_seconds() or 0.0
            result["cpu_ms_per_insights"] = {
                "chart_process": round(1000 * (after[0] - before[0]) / CPU_RUNS, 1),
                "bot": round(1000 * (after[1] - before[1]) / CPU_RUNS, 1),
            }
            result["peak_memory_mib_after"] = process.peak_memory_mib()
            result["chart_process_peak_mib"] = sorted(process.children_peak_memory_mib().values())
            result["photo_bytes"] = {"min": min(sizes), "max": max(sizes)} if sizes else None
            result["text_messages"] = max(texts) if texts else None
            result["rejected"] = [f"{c.method}: {c.error}" for c in fake.rejected][:5]
        except (ProcessExited, TimeoutError) as error:
            result["error"] = f"{type(error).__name__}: {error}"
            print(process.log_tail(), file=sys.stderr)
        finally:
            result["exit_code"] = await process.stop()
        spent = {key: value - ticks.get(key, 0) for key, value in machine_ticks().items()}
        if sum(spent.values()):
            result["steal_percent"] = round(100 * spent["steal"] / sum(spent.values()), 1)
    return result


async def pieces_pass(db_path: Path, facts: JSON, repeat: int) -> JSON:
    """Time the query, the computation and the drawing apart, in this process."""
    user_id = facts["measured"]["user_id"]
    database = await open_database(db_path)
    try:
        repository = DebriefRepository(database)
        queries: list[float] = []
        computed: list[float] = []
        drawn: list[float] = []
        debriefs = []
        for _ in range(repeat):
            started = time.perf_counter()
            debriefs = await repository.headlines(user_id=user_id, keys=INSIGHT_KEYS)
            queries.append(time.perf_counter() - started)
        analyse(debriefs, "fr")
        for _ in range(repeat):
            started = time.perf_counter()
            insights = build_insights(debriefs, language="fr")
            middle = time.perf_counter()
            png = draw(chart_data(insights, "fr"))
            computed.append(middle - started)
            drawn.append(time.perf_counter() - middle)
        # Traced apart: tracemalloc slows Python down several times.
        tracemalloc.start()
        analyse(debriefs, "fr")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await database.close()
    return {
        "debriefs": len(debriefs),
        "query_ms": percentiles_ms(queries),
        "insights_ms": percentiles_ms(computed),
        "chart_ms": percentiles_ms(drawn),
        "python_peak_mib_while_computing": round(peak / 2**20, 1),
        "recurring": {
            "awkward": len(insights.awkward),
            "obstacles": len(insights.obstacles),
            "forgotten": len(insights.forgotten),
        },
        "png_bytes": len(png or b""),
    }


# The README's chart: twelve interviews of a job search that gets better.
SAMPLE: Final = (
    ("Acme Robotics", "2026-03-04", "2", "rejected"),
    ("Globex", "2026-03-19", "3", "rejected"),
    ("Initech", "2026-04-02", "2", "withdrawn"),
    ("Hooli", "2026-04-15", "3", "rejected"),
    ("Umbrella Health", "2026-04-29", "4", "next_round"),
    ("Umbrella Health", "2026-05-12", "3", "rejected"),
    ("Stark Labs", "2026-05-27", "4", "rejected"),
    ("Wayne Logistics", "2026-06-10", "3", "waiting"),
    ("Cyberdyne", "2026-06-24", "4", "next_round"),
    ("Cyberdyne", "2026-07-08", "5", "offer"),
    ("Tyrell Systems", "2026-07-15", "4", "waiting"),
    ("Aperture", "2026-07-22", "5", "waiting"),
)


def sample_chart(path: Path) -> None:
    """Draw the README's chart from the sample job search above."""
    debriefs = []
    for number, (company, day, rating, outcome) in enumerate(SAMPLE, start=1):
        previous = number - 1 if number > 1 and SAMPLE[number - 2][0] == company else None
        debriefs.append(
            Debrief(
                number,
                1,
                Status.DONE,
                None,
                None,
                None,
                None,
                answers={"company": company, "interview_date": day, "rating": rating},
                outcome=Outcome(outcome),
                previous_id=previous,
            )
        )
    _, png = analyse(debriefs, "en")
    assert png is not None
    path.write_bytes(png)
    print(f"{path}: {len(png):,} bytes")


def render_report(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        *heading(
            f"/insights at scale — {report['cpus']} CPUs, Python {report['python']},"
            f" SQLite {report['sqlite']}, commit {report['commit']}"
        ),
        f"database: {report['sizes']['debriefs']:,} debriefs of {report['sizes']['users']:,}"
        f" users; the measured user has {report['sizes']['measured']}",
        f"load average (1, 5, 15 min): {report.get('load_average_before')} before,"
        f" {report.get('load_average_after')} after",
    ]
    bot = report.get("bot", {})
    if bot:
        block = bot.get("block", {})
        latency = block.get("latency_ms", {})
        p95 = latency.get("p95")
        out += [
            "",
            "bot (python -m bot, unpaced)",
            f"  /insights to the chart's photo: p50 {latency.get('p50')} ms, p95 {p95} ms"
            f" {check(p95 is not None and p95 < TARGET_MS)} (target < {TARGET_MS} ms),"
            f" {block.get('count')} runs",
            f"  first /insights (starts the chart process): {block.get('first_action_ms')} ms",
            f"  messages per /insights: {block.get('messages_per_action')}"
            f" (text {bot.get('text_messages')} + the photo);"
            f" photo {bot.get('photo_bytes')} bytes",
            f"  CPU per /insights: {bot.get('cpu_ms_per_insights')} ms ({CPU_RUNS} more runs)",
            f"  peak memory: bot {bot.get('peak_memory_mib_after_start')} MiB after start,"
            f" {bot.get('peak_memory_mib_after')} MiB after; chart process"
            f" {bot.get('chart_process_peak_mib')} MiB",
            f"  steal: {bot.get('steal_percent')} %",
        ]
        if "error" in bot or "error" in block:
            out.append(f"  ERROR: {bot.get('error') or block.get('error')}")
    pieces = report.get("pieces", {})
    if pieces:
        out += [
            "",
            f"pieces, in this process ({pieces['debriefs']} debriefs)",
            f"  headlines query: {pieces['query_ms']}",
            f"  insights: {pieces['insights_ms']}",
            f"  chart: {pieces['chart_ms']};"
            f" Python peak {pieces['python_peak_mib_while_computing']} MiB for both",
            f"  recurring: {pieces['recurring']}; PNG {pieces['png_bytes']} bytes",
        ]
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def failed(report: JSON) -> bool:
    """Tell whether the run had an error or missed the latency target."""
    bot = report.get("bot", {})
    block = bot.get("block", {})
    p95 = block.get("latency_ms", {}).get("p95", float("inf")) if bot else 0.0
    return "error" in bot or "error" in block or p95 >= TARGET_MS


async def run(sizes: Sizes, args: argparse.Namespace) -> JSON:
    """Reuse (or make) the history database, copy it and run the passes."""
    base, facts = await cached_database(sizes, fresh=args.fresh)
    report = report_head(sizes, facts)
    # The machine may be shared: how busy it was says how much of the latency is waiting for a CPU.
    report["load_average_before"] = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-insights-") as tmp:
        workdir = Path(tmp)
        copy, report["copy"] = await prepare_copy(base, workdir, 1)
        if args.only in ("all", "bot"):
            print("▶ the measured user's /insights …", flush=True)
            report["bot"] = await bot_pass(
                copy, workdir, facts, requests=args.requests, warmup=args.warmup
            )
        if args.only in ("all", "pieces"):
            report["pieces"] = await pieces_pass(copy, facts, args.repeat)
    report["load_average_after"] = os.getloadavg()
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.insights",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=positive, default=10_000, help="default 10000")
    parser.add_argument("--debriefs", type=positive, default=100_000, help="default 100000")
    parser.add_argument("--measured", type=positive, default=MEASURED, help="default 200")
    parser.add_argument("--seed", type=int, default=20_261_126, help="of the generated data")
    parser.add_argument("--requests", type=positive, default=40, help="measured runs (40)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up runs (default 3)")
    parser.add_argument("--repeat", type=positive, default=10, help="pieces' runs (default 10)")
    parser.add_argument("--only", choices=("all", "bot", "pieces"), default="all")
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument(
        "--sample-chart", type=Path, metavar="PNG", help="only draw the README's chart to PNG"
    )
    args = parser.parse_args(argv)
    if args.sample_chart:
        sample_chart(args.sample_chart)
        return 0
    if args.debriefs < args.users - 1 + args.measured:
        parser.error("--debriefs must leave every other user at least one debrief")
    sizes = Sizes(args.users, args.debriefs, args.measured, args.seed)
    return finish(run(sizes, args), "insights", render_report, failed)


if __name__ == "__main__":
    sys.exit(main())
