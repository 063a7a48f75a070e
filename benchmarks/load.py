"""Load benchmark: many users debriefing at once against the real bot, compared with an echo bot."""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import platform
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from benchmarks.processes import (
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    finish,
    git_commit,
    machine_ticks,
    wait_ready,
)
from benchmarks.profiling import hotspots, start_sampling
from benchmarks.stats import heading, max_in_window, percentile, percentiles_ms
from benchmarks.users import Action, InFlight, UserRun, run_debrief, run_echo
from bot.fakeapi import FakeTelegram, FakeUser
from conversations.checklist import Kind, checklist

__all__ = ["main"]

JSON = dict[str, Any]
Driver = Callable[[FakeUser, InFlight, float], Awaitable[UserRun]]

DEPLOYED_RATE: Final = 30.0
TARGET_RATIO: Final = 0.9
FIRST_USER_ID: Final = 50_001
SENDS: Final = frozenset({"sendMessage", "editMessageText"})
USAGE: Final = """\
runs:
  own    the bot's own cost: Debrief with DEBRIEF_MAX_MESSAGES_PER_SECOND=0, then a bare PTB echo
         bot (PTB's default sequential processing, and concurrent_updates(True)) whose users repeat
         the debrief's actions one for one; replies per second, latency, memory, CPU
  paced  as deployed (30 messages/s): completion, total time, waits, sends per second, fairness
  transport  Debrief unpaced over long polling, then over a webhook (DEBRIEF_WEBHOOK_URL): the same
         users and actions; replies per second, latency (getUpdates handing an update over, or
         its first POST to the webhook → the bot's next message), CPU

Every bot runs as a separate process against the fake Bot API server (bot/fakeapi/)
on 127.0.0.1; this process serves it and simulates the users. JSON goes to benchmarks/results/.
"""


@dataclass(frozen=True, slots=True)
class Target:
    """A bot to start as `python -m module args`, with extra environment variables."""

    key: str
    title: str
    module: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


DEBRIEF_UNPACED: Final = Target(
    "debrief_unpaced",
    "Debrief, pacing off (DEBRIEF_MAX_MESSAGES_PER_SECOND=0; concurrent across users)",
    "bot",
    env={"DEBRIEF_MAX_MESSAGES_PER_SECOND": "0"},
)
ECHO_SEQUENTIAL: Final = Target(
    "echo_sequential",
    "Echo bot, PTB defaults (sequential: one update at a time)",
    "benchmarks.echo_bot",
)
ECHO_CONCURRENT: Final = Target(
    "echo_concurrent",
    "Echo bot, concurrent_updates(True) (up to 256 updates at once)",
    "benchmarks.echo_bot",
    ("--concurrent",),
)
DEBRIEF_WEBHOOK: Final = Target(
    "debrief_webhook",
    "Debrief, pacing off, over a webhook (DEBRIEF_WEBHOOK_URL on 127.0.0.1)",
    "bot",
    env={"DEBRIEF_MAX_MESSAGES_PER_SECOND": "0", "DEBRIEF_WEBHOOK_SECRET": "load-benchmark"},
)
DEBRIEF_PACED: Final = Target(
    "debrief_paced", "Debrief as deployed (default pacing: 30 messages/s)", "bot"
)


def _debrief_script() -> list[Action]:
    """Return the actions of one debrief as the simulated users do it (for the echo runs)."""
    script = [Action("text", "/new")]
    for question in checklist():
        is_button = question.kind in (Kind.CHOICE, Kind.RATING, Kind.DATE)
        script.append(Action("button" if is_button else "text", question.key))
    return script


def _echo_driver(script: list[Action]) -> Driver:
    """Return a driver that replays the script against the echo bot."""

    def drive(user: FakeUser, in_flight: InFlight, timeout: float) -> Awaitable[UserRun]:
        """Run one echo user."""
        return run_echo(user, script, in_flight, timeout)

    return drive


async def measure(
    target: Target,
    users: int,
    driver: Driver,
    *,
    wait_timeout: float,
    deadline: float,
    profile: Path | None = None,
) -> tuple[JSON, list[UserRun]]:
    """Start the fake and the bot, run every user at once, measure, stop everything."""
    print(f"\n▶ {target.title}: {users} users …", flush=True)
    result: JSON = {"key": target.key, "title": target.title, "users": users}
    runs: list[UserRun] = []
    with tempfile.TemporaryDirectory(prefix=f"bench-{target.key}-") as tmp:
        workdir = Path(tmp)
        async with FakeTelegram(token=TOKEN) as fake:
            env = bot_env(fake.url, workdir / "data" / "debrief.sqlite3", target.env)
            webhook = "DEBRIEF_WEBHOOK_SECRET" in env
            if webhook:
                port = _free_port()
                env["DEBRIEF_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram"
                env["DEBRIEF_WEBHOOK_LISTEN"] = f"127.0.0.1:{port}"
            process = BotProcess.start(target.key, target.module, list(target.args), env, workdir)
            result["pid"] = process.pid
            sampler: BotProcess | None = None
            try:
                await (_wait_webhook(fake, process) if webhook else wait_ready(fake, process))
                if profile is not None:
                    profile = profile / f"{target.key}.txt"
                    profile.parent.mkdir(parents=True, exist_ok=True)
                    sampler = start_sampling(process, profile, env)
                runs = await _load(fake, process, users, driver, wait_timeout, deadline, result)
                if sampler is not None and profile is not None:
                    await sampler.stop()
                    result["profile"] = {"file": str(profile), **hotspots(profile)}
            except (ProcessExited, TimeoutError) as error:
                result["error"] = str(error)
                print(process.log_tail(), file=sys.stderr)
            finally:
                if sampler is not None:
                    await sampler.stop()
                result["exit_code"] = await process.stop()
                if result["exit_code"] not in (0, None):
                    result.setdefault("error", f"exit code {result['exit_code']}")
                    print(process.log_tail(), file=sys.stderr)
    _print_progress(result)
    return result, runs


def _free_port() -> int:
    """Return a port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _wait_webhook(fake: FakeTelegram, process: BotProcess) -> None:
    """Wait until the bot set its webhook (it is listening then), or fail if it exits."""
    deadline = time.monotonic() + 60.0
    while fake.webhook is None:
        process.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.name} did not set its webhook within 60s")
        await asyncio.sleep(0.1)


async def _load(
    fake: FakeTelegram,
    process: BotProcess,
    users: int,
    driver: Driver,
    wait_timeout: float,
    deadline: float,
    result: JSON,
) -> list[UserRun]:
    """Run every user at once against a ready bot and add the figures to result."""
    people = [
        fake.user(FIRST_USER_ID + n, first_name=f"User{n}", language_code="en")
        for n in range(users)
    ]
    in_flight = InFlight()
    runs: list[UserRun] = []
    bot_cpu_before = process.cpu_seconds()
    threads_before = process.thread_cpu_seconds()
    machine_before = machine_ticks()
    driver_cpu_before = time.process_time()
    started = time.monotonic()
    try:
        async with asyncio.timeout(deadline):
            runs = list(await asyncio.gather(*(driver(p, in_flight, wait_timeout) for p in people)))
    except TimeoutError:
        result["error"] = f"the run did not finish within {deadline:.0f}s"
    ended = max(
        (run.finished_at for run in runs if run.finished_at is not None),
        default=time.monotonic(),
    )
    elapsed = max(ended - started, 1e-9)
    bot_cpu_after = process.cpu_seconds()
    threads_after = process.thread_cpu_seconds()
    machine = {k: v - machine_before.get(k, 0) for k, v in machine_ticks().items()}
    driver_cpu = time.process_time() - driver_cpu_before
    process.check_alive()
    result["peak_memory_mib"] = process.peak_memory_mib()
    result.update(_metrics(fake, runs, started, ended))
    if bot_cpu_before is not None and bot_cpu_after is not None:
        cpu = bot_cpu_after - bot_cpu_before
        result["bot_cpu_s"] = round(cpu, 2)
        result["bot_cpu_percent"] = round(100 * cpu / elapsed, 1)
        result["bot_cpu_ms_per_reply"] = round(1000 * cpu / max(result["replies"], 1), 3)
    result["bot_thread_cpu_s"] = {
        name: round(seconds - threads_before.get(name, 0.0), 2)
        for name, seconds in sorted(threads_after.items(), key=lambda item: -item[1])
        if seconds - threads_before.get(name, 0.0) >= 0.01
    }
    ticks = sum(machine.values())
    if ticks:
        # Steal: time the hypervisor gave our virtual CPUs to someone else (noisy neighbours).
        result["machine_percent"] = {k: round(100 * v / ticks, 1) for k, v in machine.items()}
    # The fake server and the users share this process; near 100% it, not the bot, is the limit.
    result["driver_cpu_percent"] = round(100 * driver_cpu / elapsed, 1)
    return runs


def _metrics(fake: FakeTelegram, runs: list[UserRun], started: float, ended: float) -> JSON:
    """Compute throughput, latency and sending figures from the fake's records."""
    calls = [call for call in fake.calls if call.at >= started]
    sent = [call for call in calls if call.ok and call.method in SENDS]
    replies = sum(1 for call in sent if call.method == "sendMessage")
    actions = sum(len(run.actions) for run in runs)
    duration = max(ended - started, 1e-9)
    completed = [run for run in runs if run.completed]
    waits = [wait.seconds for run in runs for wait in run.waits]
    errors = [f"user {run.user_id}: {run.error}" for run in runs if run.error]
    totals = [run.finished_at - run.started_at for run in completed if run.finished_at]
    return {
        "completed": len(completed),
        "failed": len(runs) - len(completed),
        "errors": errors[:5],
        "actions": actions,
        "actions_per_user": round(actions / len(runs), 2) if runs else None,
        "replies": replies,
        "edits": sum(1 for call in sent if call.method == "editMessageText"),
        "callback_answers": sum(1 for c in calls if c.ok and c.method == "answerCallbackQuery"),
        "sending_requests": len(sent),
        "get_updates_calls": sum(1 for call in calls if call.method == "getUpdates"),
        "duration_s": round(duration, 3),
        "replies_per_s": round(replies / duration, 1),
        "actions_per_s": round(actions / duration, 1),
        "latency_ms": percentiles_ms(fake.response_latencies()),
        "user_wait_ms": percentiles_ms(waits),
        "user_total_s": {
            name: None if value is None else round(value, 2)
            for name, q in (("min", 0.0), ("p50", 50.0), ("max", 100.0))
            for value in [percentile(totals, q)]
        },
        "max_sends_in_1s": max_in_window(call.at for call in sent),
        "max_sends_per_s_over_5s": round(max_in_window((c.at for c in sent), 5.0) / 5, 1),
        "rejected": len([call for call in fake.rejected if call.at >= started]),
        "throttled_429": fake.throttled,
    }


def fairness(runs: list[UserRun], users: int, rate: float) -> JSON:
    """Compare each user's longest wait with what the send queue ahead of them explains."""
    rows = []
    for run in runs:
        wait = run.longest_wait
        if wait is None:
            continue
        # A button costs two paced sends before the next question: the edit, then the question;
        # each joins the back of a queue holding about one send per user in flight.
        sends = 2 if wait.kind == "button" else 1
        expected = sends * wait.in_flight / rate
        rows.append((wait.seconds, expected, wait.kind, wait.in_flight))
    if not rows:
        return {}
    worst = max(rows)
    simple = users / rate
    ratios = [seconds / expected for seconds, expected, _, _ in rows]
    longest = [seconds for seconds, _, _, _ in rows]
    endings = [run.ending_seconds for run in runs if run.ending_seconds is not None]
    return {
        "worst_longest_wait_s": round(worst[0], 3),
        "worst_wait_action": worst[2],
        "worst_wait_in_flight": worst[3],
        "expected_worst_wait_s": round(simple, 3),
        "ratio_worst_to_expected": round(worst[0] / simple, 2),
        "expected_for_worst_wait_s": round(worst[1], 3),
        "ratio_worst_to_its_queue": round(worst[0] / worst[1], 2),
        "ratio_to_queue_p50": round(percentile(ratios, 50) or 0, 2),
        "ratio_to_queue_max": round(max(ratios), 2),
        "users_longest_wait_s": {
            "min": round(min(longest), 3),
            "p50": round(percentile(longest, 50) or 0, 3),
            "max": round(max(longest), 3),
        },
        "ending_s": {
            "p50": round(percentile(endings, 50) or 0, 3),
            "max": round(max(endings, default=0), 3),
        },
    }


def _print_progress(result: JSON) -> None:
    """Print a one-line outcome of a run, and the first user errors."""
    if "error" in result:
        print(f"  ✗ {result['error']}", flush=True)
    for error in result.get("errors", [])[:3]:
        print(f"  ✗ {error[:300]}", flush=True)
    if "replies" in result:
        print(
            f"  {result['completed']}/{result['users']} users done in {result['duration_s']:.1f}s,"
            f" {result['replies']} replies ({result['replies_per_s']:.0f}/s)",
            flush=True,
        )


def _ms(value: float | None) -> str:
    """Format milliseconds."""
    return "—" if value is None else f"{value:,.1f} ms"


def _own_table(runs: list[JSON]) -> list[str]:
    """Render the throughput table of the unpaced Debrief run and the echo runs."""
    lines = [
        f"{'bot':<18}{'users':>6}{'done':>6}{'actions':>9}{'replies':>9}{'time s':>8}"
        f"{'replies/s':>11}{'actions/s':>11}{'p50':>11}{'p95':>11}{'p99':>11}"
        f"{'peak MiB':>10}{'CPU %':>7}{'CPU ms/reply':>14}{'driver CPU %':>14}"
        f"{'getUpdates':>12}{'steal %':>9}",
    ]
    for run in runs:
        if "replies" not in run:
            lines.append(f"{run['key']:<18} failed: {run.get('error')}")
            continue
        latency = run["latency_ms"]
        memory = run.get("peak_memory_mib")
        lines.append(
            f"{run['key']:<18}{run['users']:>6}{run['completed']:>6}{run['actions']:>9}"
            f"{run['replies']:>9}{run['duration_s']:>8.2f}{run['replies_per_s']:>11.1f}"
            f"{run['actions_per_s']:>11.1f}{_ms(latency['p50']):>11}{_ms(latency['p95']):>11}"
            f"{_ms(latency['p99']):>11}{'—' if memory is None else f'{memory:.1f}':>10}"
            f"{run.get('bot_cpu_percent', '—'):>7}{run.get('bot_cpu_ms_per_reply', '—'):>14}"
            f"{run.get('driver_cpu_percent', '—'):>14}{run.get('get_updates_calls', '—'):>12}"
            f"{run.get('machine_percent', {}).get('steal', '—'):>9}"
        )
        if run["failed"]:
            lines.append(f"{'':<18}✗ {run['failed']} users did not finish, e.g.:")
            lines += [f"{'':<20}{error[:200]}" for error in run["errors"][:2]]
    return lines


def _profile_lines(runs: list[JSON]) -> list[str]:
    """Render the py-spy hotspots: Debrief in detail, then CPU per library for every bot."""
    debrief = runs[0]["profile"]
    out = ["", f"  py-spy, Debrief process ({debrief['file']}), % of busy samples:"]
    for title, key, limit in (
        ("threads", "threads", 3),
        ("self time", "self", 12),
        ("Debrief code, inclusive", "project", 10),
    ):
        out.append(f"  {title}:")
        out += [f"    {share:5.1f}%  {name}" for name, share in debrief.get(key, [])[:limit]]
    out += [
        "",
        "  CPU ms per reply: main thread (event loop) split by the library of the running frame,",
        "  then the other threads (aiosqlite's); thread CPU from /proc, shares from py-spy:",
    ]
    out.append(f"    {'':<52}" + "".join(f"{run['key']:>18}" for run in runs))

    def per_reply(run: JSON, thread: str) -> float:
        """Return a thread's CPU milliseconds per reply in that run."""
        seconds = float(run.get("bot_thread_cpu_s", {}).get(thread, 0.0))
        return 1000 * seconds / max(int(run.get("replies", 0)), 1)

    for label, thread in (
        ("main thread, total", "main thread"),
        ("other threads", "other threads"),
    ):
        cells = "".join(f"{per_reply(run, thread):>18.2f}" for run in runs)
        out.append(f"    {label:<52}{cells}")

    def library_ms(run: JSON, name: str) -> float:
        """Return the main thread's CPU milliseconds per reply spent in one library."""
        share = dict(run["profile"].get("main_thread_libraries", [])).get(name, 0.0)
        return float(share) / 100 * per_reply(run, "main thread")

    names = {name for run in runs for name, _ in run["profile"].get("main_thread_libraries", [])}
    ranked = sorted(names, key=lambda name: -max(library_ms(run, name) for run in runs))
    for name in ranked[:14]:
        cells = "".join(f"{library_ms(run, name):>18.2f}" for run in runs)
        out.append(f"      {name[:50]:<50}{cells}")
    out.append("  (profiling slows the bots: use the table above, not these runs, for throughput)")
    return out


def render(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        *heading(
            f"Debrief load benchmark — {report['users']} simulated users, {report['cpus']} CPUs,"
            f" Python {report['python']}, commit {report['commit']}"
        ),
        f"Each user's debrief: {report.get('debrief', 'the car park')}.",
    ]
    own = report.get("own")
    if own:
        out += ["", "1. The bot's own cost (no pacing), every user at once, closed loop", ""]
        out += _own_table([own[key] for key in ("debrief", "echo_sequential", "echo_concurrent")])
        out += [
            "",
            "  debrief          = " + own["debrief"]["title"],
            "  echo_sequential  = " + own["echo_sequential"]["title"],
            "  echo_concurrent  = " + own["echo_concurrent"]["title"],
            "  latency = getUpdates handing over an update → the bot's next message in that chat.",
            "  CPU % = the bot process (100 = one core); driver CPU % = this process (fake server"
            " + users); steal % = machine CPU taken by the hypervisor (noise when high).",
            "  Echo users repeat the debrief's actions (texts and button presses) one for one.",
            f"  Debrief also sent {own['debrief'].get('edits', 0)} edits and"
            f" {own['debrief'].get('callback_answers', 0)} callback answers.",
            "",
        ]
        for key, values in own.get("rounds", {}).items():
            shown = ", ".join(f"{value}" for value in values)
            out.append(f"  replies/s per round, {key}: {shown} (the median round is shown)")
        for name, ratio in own["ratios"].items():
            verdict = "" if ratio is None else ("  ✓" if ratio >= TARGET_RATIO else "  ✗ below")
            shown = "—" if ratio is None else f"{ratio:.2f}"
            out.append(f"  {name:<52}{shown:>6}{verdict} (target ≥ {TARGET_RATIO})")
    profiled = [run for run in (own or {}).values() if isinstance(run, dict) and "profile" in run]
    if profiled and profiled[0]["key"] == DEBRIEF_UNPACED.key:
        out += _profile_lines(profiled)
    transport = report.get("transport")
    if transport:
        out += ["", "3. Long polling or a webhook (no pacing), every user at once", ""]
        out += _own_table([transport["polling"], transport["webhook"]])
        out += ["", "  polling  = " + transport["polling"]["title"]]
        out += ["  webhook  = " + transport["webhook"]["title"]]
        for key, values in transport["rounds"].items():
            shown = ", ".join(f"{value}" for value in values)
            out.append(f"  replies/s per round, {key}: {shown} (the median round is shown)")
        ratio = transport["ratio"]
        out.append(f"  replies/s webhook / polling: {'—' if ratio is None else f'{ratio:.2f}'}")
    paced = report.get("paced")
    if paced:
        fair = paced.get("fairness", {})
        latency = paced.get("latency_ms", {})
        out += ["", "2. As deployed (pacing 30 messages/s)", ""]
        if "error" in paced:
            out.append(f"  ✗ {paced['error']}")
        if "replies" in paced:
            out += [
                f"  users completed           {paced['completed']}/{paced['users']}",
                f"  total time                {paced['duration_s']:.1f} s"
                f" ({paced['sending_requests']} sends: {paced['replies']} messages"
                f" + {paced['edits']} edits)",
                f"  latency p50 / p95 / p99   {_ms(latency.get('p50'))} / {_ms(latency.get('p95'))}"
                f" / {_ms(latency.get('p99'))}",
                f"  max sends in any 1 s      {paced['max_sends_in_1s']}"
                f" (sendMessage + editMessageText, at arrival; limit 30;"
                f" best 5 s: {paced['max_sends_per_s_over_5s']}/s)",
                f"  429 answers / rejected    {paced['throttled_429']} / {paced['rejected']}",
                f"  user waits p50 / p95      {_ms(paced['user_wait_ms']['p50'])}"
                f" / {_ms(paced['user_wait_ms']['p95'])} (action → the bot's next message)",
            ]
        if fair:
            out += [
                f"  worst user's longest wait {fair['worst_longest_wait_s']:.2f} s"
                f" (after a {fair['worst_wait_action']}, {fair['worst_wait_in_flight']} in flight)",
                f"  expected ≈ users / 30     {fair['expected_worst_wait_s']:.2f} s"
                f" → ratio worst/expected {fair['ratio_worst_to_expected']:.2f}",
                f"  with 2 sends per button   {fair['expected_for_worst_wait_s']:.2f} s"
                f" → ratio {fair['ratio_worst_to_its_queue']:.2f}"
                f" (all users: p50 {fair['ratio_to_queue_p50']:.2f},"
                f" max {fair['ratio_to_queue_max']:.2f})",
                f"  users' longest waits      min {fair['users_longest_wait_s']['min']:.2f}"
                f" / p50 {fair['users_longest_wait_s']['p50']:.2f}"
                f" / max {fair['users_longest_wait_s']['max']:.2f} s",
                f"  ending (last answer → ✅)  p50 {fair['ending_s']['p50']:.2f}"
                f" / max {fair['ending_s']['max']:.2f} s",
                f"  user total time           min {paced['user_total_s']['min']}"
                f" / p50 {paced['user_total_s']['p50']} / max {paced['user_total_s']['max']} s",
            ]
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def _ratio(numerator: JSON, denominator: JSON, key: str) -> float | None:
    """Return numerator[key] / denominator[key] when both runs completed."""
    if numerator.get("failed", 1) or denominator.get("failed", 1) or not denominator.get(key):
        return None
    return round(float(numerator[key]) / float(denominator[key]), 3)


async def _own_cost(users: int, repeat: int, profile: Path | None, driver: Driver) -> JSON:
    """Run Debrief unpaced and both echo bots, `repeat` rounds interleaved; keep the medians."""
    deadline = 60.0 + 1.5 * users
    rounds: dict[str, list[JSON]] = {"debrief": [], "echo_sequential": [], "echo_concurrent": []}
    for number in range(repeat):
        if repeat > 1:
            print(f"\n— round {number + 1}/{repeat}", flush=True)
        debrief, runs = await measure(
            DEBRIEF_UNPACED,
            users,
            driver,
            wait_timeout=30.0,
            deadline=deadline,
            profile=profile if number == 0 else None,
        )
        rounds["debrief"].append(debrief)
        done = [run for run in runs if run.completed]
        # The echo users repeat exactly what a debriefing user did: same texts, same presses.
        script = done[0].actions if done else _debrief_script()
        for target in (ECHO_SEQUENTIAL, ECHO_CONCURRENT):
            echo, _ = await measure(
                target,
                users,
                _echo_driver(script),
                wait_timeout=30.0,
                deadline=deadline,
                profile=profile if number == 0 else None,
            )
            rounds[target.key].append(echo)
    own: JSON = {key: _median_run(results) for key, results in rounds.items()}
    debrief, sequential, concurrent = own["debrief"], own["echo_sequential"], own["echo_concurrent"]
    echoes = (("sequential, PTB default", sequential), ("concurrent_updates=True", concurrent))
    own["ratios"] = {
        f"{unit} Debrief / echo ({kind})": _ratio(debrief, echo, key)
        for unit, key in (("replies/s", "replies_per_s"), ("actions/s", "actions_per_s"))
        for kind, echo in echoes
    }
    # Lower is better for a cost, hence echo / Debrief: CPU time is less sensitive to noisy
    # neighbours than throughput.
    own["ratios"]["CPU ms per reply, echo (sequential) / Debrief"] = _ratio(
        sequential, debrief, "bot_cpu_ms_per_reply"
    )
    if repeat > 1:
        own["rounds"] = {
            key: [run.get("replies_per_s") for run in results] for key, results in rounds.items()
        }
    return own


async def _transport(users: int, repeat: int) -> JSON:
    """Run Debrief unpaced over long polling and over a webhook, interleaved; keep the medians."""
    deadline = 60.0 + 1.5 * users
    rounds: dict[str, list[JSON]] = {"polling": [], "webhook": []}
    for number in range(repeat):
        if repeat > 1:
            print(f"\n— round {number + 1}/{repeat}", flush=True)
        for key, target in (("polling", DEBRIEF_UNPACED), ("webhook", DEBRIEF_WEBHOOK)):
            result, _ = await measure(
                target, users, run_debrief, wait_timeout=30.0, deadline=deadline
            )
            rounds[key].append(result)
    transport: JSON = {key: _median_run(results) for key, results in rounds.items()}
    transport["ratio"] = _ratio(transport["webhook"], transport["polling"], "replies_per_s")
    transport["rounds"] = {
        key: [run.get("replies_per_s") for run in results] for key, results in rounds.items()
    }
    return transport


def _median_run(results: list[JSON]) -> JSON:
    """Return the run with the median replies per second (a failed run counts as slowest)."""
    ordered = sorted(results, key=lambda run: float(run.get("replies_per_s", -1.0)))
    return ordered[(len(ordered) - 1) // 2]


async def run(
    users: int, which: str, repeat: int = 1, profile: Path | None = None, *, whole: bool = False
) -> JSON:
    """Run the selected benchmarks and return the report (whole: every user goes deeper too)."""
    driver: Driver = functools.partial(run_debrief, deeper=True) if whole else run_debrief
    report: JSON = {
        "debrief": "whole: the car park, then deeper at once" if whole else "the car park",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": users,
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
    }
    if which in ("own", "both"):
        report["own"] = await _own_cost(users, repeat, profile, driver)
    if which == "transport":
        report["transport"] = await _transport(users, repeat)
    if which in ("paced", "both"):
        sends_per_user = 40  # ~26 questions + summary, email, end + 3 edits, with margin
        paced, runs = await measure(
            DEBRIEF_PACED,
            users,
            driver,
            wait_timeout=30.0 + 4 * users / DEPLOYED_RATE,
            deadline=60.0 + 2 * users * sends_per_user / DEPLOYED_RATE,
        )
        paced["fairness"] = fairness(runs, users, DEPLOYED_RATE)
        report["paced"] = paced
    return report


def _failed(report: JSON) -> bool:
    """Tell whether any run had an error or an unfinished user."""
    runs = [
        *(report.get("own") or {}).values(),
        *(report.get("transport") or {}).values(),
        report.get("paced") or {},
    ]
    return any(
        isinstance(run, dict) and ("error" in run or run.get("failed")) for run in runs if run
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=100, help="simulated users (default 100)")
    parser.add_argument(
        "--run",
        choices=("own", "paced", "both", "transport"),
        default="both",
        help="default: both (own and paced)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of the unpaced runs; the median round is reported (default 1)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the unpaced bots with py-spy (slower runs); collapsed stacks go to DIR",
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="users go deeper at once after the car park and answer all 26 questions"
        " (default: the 8 car-park questions and the draft)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 2000:
        parser.error("--users must be between 1 and 2000")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat must be between 1 and 9")
    report = run(args.users, args.run, args.repeat, args.profile, whole=args.whole)
    return finish(report, "load", render, _failed)


if __name__ == "__main__":
    sys.exit(main())
