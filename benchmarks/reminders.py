"""Reminder benchmark: thousands of due reminders sent by the real bot, paced, with a kill -9."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from benchmarks.processes import (
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    check,
    finish,
    git_commit,
    positive,
    wait_ready,
)
from benchmarks.seed import seeder
from benchmarks.stats import heading, max_in_window
from benchmarks.users import ANSWERS, Debriefer, Sample, latency
from bot import render
from bot.fakeapi import FakeTelegram
from bot.reminders import DELIVERY_WORKERS
from conversations.followup import build_preparation_brief
from conversations.i18n import Language
from conversations.schedule import QUIET_END, QUIET_START

__all__ = ["main"]

JSON = dict[str, Any]

KINDS: Final = ("thank_you", "questions", "no_news", "feedback", "next_round")
FIRST_USER_ID: Final = 100_001
DEBRIEFER_ID: Final = 99_001
LIMIT_PER_SECOND: Final = 30
TARGET_RATE: Final = 25.0
EXPECTED_RATE: Final = 28.5  # the bot paces at 95% of 30/s
REMINDER_INTERVAL: Final = "2"
REPLY_TIMEOUT: Final = 30.0
DB_TIMEOUT: Final = 30.0
BASELINE_ACTIONS: Final = 20
POLL: Final = 0.05
KILL_POLL: Final = 0.005
PROGRESS_EVERY: Final = 15.0
GAP: Final = 0.5
STALL: Final = 0.02  # a pause of this process's event loop worth recording (the fake's side)
LAG_PROBE: Final = 0.01
MIDDLE: Final = (0.1, 0.9)
REMINDER_DATA: Final = "rmd:"
CHAT_SENDS: Final = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendChatAction", "sendDocument"}
)
PARIS: Final = ZoneInfo("Europe/Paris")
USAGE: Final = """\
passes:
  flood  a user debriefs alone (~20 answers), then N reminders fall due at once: the bot restarts
         and delivers them (DEBRIEF_REMINDER_INTERVAL=2, default pacing) while the user goes on
         answering one question every ~0.5 s
  kill   a fresh database with --kill-reminders due reminders: kill -9 the bot halfway through,
         restart it, count per reminder what every user received (lost, duplicates)

The fake Bot API server (bot/fakeapi/) and the users run in this process on 127.0.0.1;
the bot is a separate `python -m bot` process. JSON goes to benchmarks/results/.
"""

COMPANIES: Final = ("Acme Robotics", "Globex", "Initech", "Umbrella Health", "Hooli", "Stark Lab")
FIRST_NAMES: Final = ("Camille", "Alex", "Sam", "Léa", "Noah", "Inès", "Hugo", "Maya")
LAST_NAMES: Final = ("Martin", "Bernard", "Dubois", "Nguyen", "Moreau", "Smith", "Garcia")
FRENCH_ANSWERS: Final = {
    "position": "Développeuse backend",
    "how_it_went": "Bien dans l'ensemble, la partie conception système était difficile.",
    "forgotten_questions": "Comment se passent les astreintes ?\nQuand le poste commence-t-il ?",
    "best_arguments": "J'ai réduit de 60 % la latence p99 de notre API de paiement.",
    "improve": "Préparer une courte histoire pour chaque projet.",
    "next_steps": "Réponse avant le 5 décembre, second tour avec le CTO.",
    "awkward_questions": "Pourquoi avoir quitté votre dernier poste après 18 mois ?",
}
ANSWER_KEYS: Final = (
    "position",
    "how_it_went",
    "forgotten_questions",
    "best_arguments",
    "improve",
    "next_steps",
    "awkward_questions",
)


# ---------------------------------------------------------------------------------------------
# The database content


@dataclass(frozen=True, slots=True)
class Planned:
    """One reminder of the benchmark: its id, whose it is, and its kind."""

    id: int
    user_id: int
    debrief_id: int
    kind: str
    due_at: int


@dataclass(slots=True)
class Person:
    """A user with one finished debrief."""

    user_id: int
    debrief_id: int
    name: str
    language: Language
    answers: dict[str, str]


@dataclass(slots=True)
class Content:
    """What a database holds: users with a finished debrief each, and due reminders."""

    people: list[Person]
    reminders: list[Planned]
    timezone: str | None
    brief_parts: dict[int, int] = field(default_factory=dict)

    @property
    def ids(self) -> frozenset[int]:
        """Return the reminder ids."""
        return frozenset(reminder.id for reminder in self.reminders)

    @property
    def recipients(self) -> frozenset[int]:
        """Return the users who have reminders."""
        return frozenset(reminder.user_id for reminder in self.reminders)

    @property
    def expected_messages(self) -> int:
        """Return how many messages the reminders make (a next_round one sends a brief first)."""
        return sum(
            1 + (self.brief_parts[r.user_id] if r.kind == "next_round" else 0)
            for r in self.reminders
        )


def build_content(users: int, reminders: int, timezone: str | None, now: datetime) -> Content:
    """Plan the users, their debriefs and the reminders (deterministic, seeded)."""
    rng = random.Random(20_261_126)
    finished = now - timedelta(days=2)
    people = []
    for n in range(users):
        language: Language = "fr" if n % 2 else "en"
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        texts = FRENCH_ANSWERS if language == "fr" else ANSWERS
        answers = {key: texts[key] for key in ANSWER_KEYS}
        answers |= {
            "company": COMPANIES[n % len(COMPANIES)],
            "interview_date": finished.date().isoformat(),
            "interviewers": ANSWERS["interviewers"],
        }
        people.append(Person(FIRST_USER_ID + n, n + 1, f"{first} {last}", language, answers))
    planned = []
    for index in range(reminders):
        person = people[index % users]
        due = int(now.timestamp()) - rng.randint(60, 36 * 3600)
        kind = KINDS[index // users]
        planned.append(Planned(index + 1, person.user_id, person.debrief_id, kind, due))
    content = Content(people, planned, timezone)
    for person in people:
        brief = build_preparation_brief([person.answers], language=person.language)
        content.brief_parts[person.user_id] = len(render.summary(brief))
    return content


async def write_people(path: Path, content: Content) -> None:
    """Add the users and their finished debriefs through the repositories."""
    async with seeder(path) as seed:
        for person in content.people:
            await seed.user(
                user_id=person.user_id,
                telegram_language=person.language,
                name=person.name,
                timezone=content.timezone,
            )
            made = await seed.finished_debrief(user_id=person.user_id, answers=person.answers)
            assert made == person.debrief_id, (made, person.debrief_id)


async def write_reminders(path: Path, content: Content) -> None:
    """Add the pending reminders, all due in the past, in id order."""
    async with seeder(path) as seed:
        for r in content.reminders:
            await seed.reminder(
                user_id=r.user_id, debrief_id=r.debrief_id, kind=r.kind, due_at=r.due_at
            )


def reminder_states(path: Path, count: int) -> dict[str, int]:
    """Return how many of the benchmark's reminders are in each state (ids 1..count)."""
    with contextlib.closing(sqlite3.connect(path, timeout=DB_TIMEOUT)) as db:
        rows = db.execute(
            "SELECT state, count(*) FROM reminders WHERE id <= ? GROUP BY state", (count,)
        ).fetchall()
        return {str(state): int(number) for state, number in rows}


def follow_ups(path: Path, count: int) -> dict[str, int]:
    """Return the reminders the bot added to the benchmark's debriefs (next "no news" attempts)."""
    with contextlib.closing(sqlite3.connect(path, timeout=DB_TIMEOUT)) as db:
        rows = db.execute(
            "SELECT kind || ':' || state, count(*) FROM reminders WHERE id > ?"
            " AND user_id >= ? GROUP BY 1",
            (count, FIRST_USER_ID),
        ).fetchall()
        return {str(key): int(number) for key, number in rows}


def choose_timezone(now: datetime, seconds: float) -> tuple[str | None, str]:
    """Return the users' timezone (None: the default, Europe/Paris) so the run is in daytime."""

    def quiet(moment: datetime) -> bool:
        """Tell whether a moment is within the quiet hours in Paris."""
        wall = moment.astimezone(PARIS).time()
        return wall >= QUIET_START or wall < QUIET_END

    end = now + timedelta(seconds=seconds)
    local = now.astimezone(PARIS)
    if not quiet(now) and not quiet(end) and local.date() == end.astimezone(PARIS).date():
        return None, f"Europe/Paris (the default): local time {local:%H:%M}, outside quiet hours"
    utc = now.astimezone(UTC)
    hours = round(12 - utc.hour - utc.minute / 60)
    offset = f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"
    there = utc + timedelta(hours=hours)
    return offset, (
        f"{offset}: Europe/Paris is at {local:%H:%M}, within (or too close to) the quiet hours"
        f" {QUIET_START:%H:%M}–{QUIET_END:%H:%M}; users' local time set to {there:%H:%M}"
    )


# ---------------------------------------------------------------------------------------------
# The bot process and what the fake server saw


def start_bot(name: str, fake: FakeTelegram, workdir: Path, db_path: Path) -> BotProcess:
    """Start `python -m bot` against the fake, default pacing, reminders every 2 s."""
    env = bot_env(fake.url, db_path, {"DEBRIEF_REMINDER_INTERVAL": REMINDER_INTERVAL})
    return BotProcess.start(name, "bot", [], env, workdir)


def reminder_id(markup: Any) -> int | None:
    """Return the reminder id carried by a message's buttons (rmd:<id>:…), if any."""
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return None
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data") if isinstance(button, dict) else None
            if isinstance(data, str) and data.startswith(REMINDER_DATA):
                number = data.split(":")[1]
                return int(number) if number.isdigit() else None
    return None


class Tracker:
    """Follows the fake's requests as they arrive: messages to reminder users, reminders seen."""

    def __init__(self, fake: FakeTelegram, content: Content) -> None:
        """Start following from the requests already recorded (earlier ones are ignored)."""
        self.fake = fake
        self.wanted = content.ids
        self.recipients = content.recipients
        self.cursor = len(fake.calls)
        self.messages = 0
        self.first_seen: dict[int, float] = {}

    def update(self) -> None:
        """Read the requests that arrived since the last call."""
        calls = self.fake.calls
        end = len(calls)
        for index in range(self.cursor, end):
            call = calls[index]
            if not call.ok or call.method != "sendMessage":
                continue
            if call.params.get("chat_id") not in self.recipients:
                continue
            self.messages += 1
            number = reminder_id(call.params.get("reply_markup"))
            if number in self.wanted and number not in self.first_seen:
                self.first_seen[number] = call.at
        self.cursor = end

    @property
    def done(self) -> bool:
        """Tell whether every reminder reached its user at least once."""
        return len(self.first_seen) == len(self.wanted)


async def wait_for(
    condition: Callable[[], bool],
    tracker: Tracker,
    process: BotProcess,
    timeout: float,  # noqa: ASYNC109 - every wait is bounded
    *,
    label: str,
    poll: float = POLL,
) -> bool:
    """Poll the tracker until condition() holds; False on timeout; fail if the bot exits."""
    started = time.monotonic()
    deadline = started + timeout
    report_at = started + PROGRESS_EVERY
    while True:
        tracker.update()
        if condition():
            return True
        process.check_alive()
        now = time.monotonic()
        if now > deadline:
            return False
        if now >= report_at:
            report_at += PROGRESS_EVERY
            print(
                f"  {label}: {len(tracker.first_seen):,}/{len(tracker.wanted):,} reminders,"
                f" {tracker.messages:,} messages after {now - started:.0f}s",
                flush=True,
            )
        await asyncio.sleep(poll)


async def wait_states(path: Path, count: int, timeout: float) -> dict[str, int]:  # noqa: ASYNC109
    """Poll the database until every reminder is marked sent (bounded); return the states."""
    deadline = time.monotonic() + timeout
    while True:
        states = reminder_states(path, count)
        if states.get("sent", 0) == count or time.monotonic() > deadline:
            return states
        await asyncio.sleep(0.2)


class Stalls:
    """Pauses of this process (the fake server's side): event-loop lag and garbage collections."""

    def __init__(self, *, freeze: bool) -> None:
        """Record nothing yet; with freeze, move old objects out of the collector's way."""
        self.freeze = freeze
        self.lags: list[tuple[float, float]] = []
        self.collections: list[tuple[float, float, int]] = []
        self._began = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        """Time every garbage collection."""
        now = time.monotonic()
        if phase == "start":
            self._began = now
        elif now - self._began >= STALL / 4:
            self.collections.append((self._began, now - self._began, info["generation"]))

    async def watch(self, stop: asyncio.Event, limit: float) -> None:
        """Probe the event loop's lag until stop is set (at most limit seconds)."""
        gc.callbacks.append(self._on_gc)
        deadline = time.monotonic() + limit
        next_freeze = time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                before = time.monotonic()
                if self.freeze and before >= next_freeze:
                    # The fake keeps every request and message: freezing what is already there
                    # keeps full collections of a growing heap from pausing the server.
                    gc.freeze()
                    next_freeze = before + 1.0
                await asyncio.sleep(LAG_PROBE)
                lag = time.monotonic() - before - LAG_PROBE
                if lag >= STALL:
                    self.lags.append((before, lag))
        finally:
            gc.callbacks.remove(self._on_gc)
            if self.freeze:
                gc.unfreeze()

    def summary(self, since: float) -> JSON:
        """Return the pauses recorded, in milliseconds."""
        lags = [lag for at, lag in self.lags if at >= since]
        pauses = [seconds for at, seconds, _ in self.collections if at >= since]
        return {
            "gc_frozen": self.freeze,
            "loop_lags_over_ms": STALL * 1000,
            "loop_lags": len(lags),
            "loop_lag_max_ms": round(max(lags, default=0.0) * 1000, 1),
            "gc_pauses_over_ms": STALL / 4 * 1000,
            "gc_pauses": len(pauses),
            "gc_pause_max_ms": round(max(pauses, default=0.0) * 1000, 1),
        }

    def around(self, start: float, end: float, since: float) -> JSON:
        """Return the pauses that overlap [start - 0.3 s, end], as (at s, ms) pairs."""
        return {
            "loop_lags": [
                (round(at - since, 3), round(lag * 1000, 1))
                for at, lag in self.lags
                if start - 0.3 <= at <= end
            ],
            "gc_pauses": [
                (round(at - since, 3), round(seconds * 1000, 1), generation)
                for at, seconds, generation in self.collections
                if start - 0.3 <= at <= end
            ],
        }


def densest_window(
    arrivals: list[tuple[float, int]], since: float, stalls: Stalls, debriefer: int
) -> JSON:
    """Describe the busiest one-second window of sendMessage arrivals, and what overlapped it."""
    ordered = sorted(arrivals)
    times = [at for at, _ in ordered]
    best, best_start, start, over = 0, 0, 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        size = end - start + 1
        over += size > LIMIT_PER_SECOND
        if size > best:
            best, best_start = size, start
    if not best:
        return {}
    inside = ordered[best_start : best_start + best]
    first, last = inside[0][0], inside[-1][0]
    gaps = [b - a for a, b in itertools.pairwise(at for at, _ in inside)]
    all_gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "count": best,
        "start_s": round(first - since, 3),
        "to_debriefing_user": sum(1 for _, chat in inside if chat == debriefer),
        "min_gap_ms": round(min(gaps, default=0.0) * 1000, 1),
        "gaps_ms": [round(gap * 1000, 1) for gap in gaps],
        "windows_over_limit": over,
        "run_gaps_under_20ms": sum(1 for gap in all_gaps if gap < 0.02),
        "run_min_gap_ms": round(min(all_gaps, default=0.0) * 1000, 1),
        "fake_pauses": stalls.around(first, last, since),
    }


def send_metrics(
    fake: FakeTelegram, since: float, recipients: frozenset[int], stalls: Stalls
) -> JSON:
    """Compute the pace of the bot's sends from the fake's arrival times."""
    calls = [call for call in fake.calls if call.ok and call.at >= since]
    messages = sorted(call.at for call in calls if call.method == "sendMessage")
    chat_sends = sorted(call.at for call in calls if call.method in CHAT_SENDS)
    to_recipients = [
        call.at
        for call in calls
        if call.method == "sendMessage" and call.params.get("chat_id") in recipients
    ]
    if not to_recipients:
        return {"messages": len(messages)}
    first, last = min(to_recipients), max(to_recipients)
    span = max(last - first, 1e-9)
    low, high = first + MIDDLE[0] * span, first + MIDDLE[1] * span
    in_span = [at for at in messages if first <= at <= last]
    in_middle = [at for at in messages if low <= at <= high]
    gaps = [b - a for a, b in itertools.pairwise(in_span) if b - a >= GAP]
    per_second = Counter(int(at - since) for at in messages)
    arrivals = [
        (call.at, int(call.params.get("chat_id") or 0))
        for call in calls
        if call.method == "sendMessage"
    ]
    return {
        "messages": len(messages),
        "messages_to_reminder_users": len(to_recipients),
        "chat_sends": len(chat_sends),
        "first_reminder_message_s": round(first - since, 3),
        "last_reminder_message_s": round(last - since, 3),
        "max_messages_in_1s": max_in_window(messages),
        "max_chat_sends_in_1s": max_in_window(chat_sends),
        "max_messages_per_s_over_5s": round(max_in_window(messages, 5.0) / 5, 1),
        "rate_from_start_per_s": round(len([a for a in messages if a <= last]) / (last - since), 2),
        "rate_first_to_last_per_s": round(len(in_span) / span, 2),
        "rate_middle_per_s": round(len(in_middle) / max(high - low, 1e-9), 2),
        "middle": f"{MIDDLE[0]:.0%}–{MIDDLE[1]:.0%} of first→last reminder message",
        "idle_gaps": {
            "threshold_s": GAP,
            "count": len(gaps),
            "total_s": round(sum(gaps), 2),
            "max_s": round(max(gaps, default=0.0), 3),
        },
        "densest_window": densest_window(arrivals, since, stalls, DEBRIEFER_ID),
        "fake_side": stalls.summary(since),
        "messages_per_second": [per_second.get(s, 0) for s in range(int(last - since) + 1)],
    }


def tally(fake: FakeTelegram, content: Content) -> JSON:
    """Count, per reminder and per kind, what every user received against what was expected."""
    ids, recipients = content.ids, content.recipients
    per_reminder: Counter[int] = Counter()
    brief: Counter[int] = Counter()
    unknown = 0
    for user_id in recipients:
        for message in fake.messages(user_id):
            number = reminder_id(message.reply_markup)
            if number is None:
                brief[user_id] += 1
            elif number in ids:
                per_reminder[number] += 1
            else:
                unknown += 1
    with_round = {r.user_id for r in content.reminders if r.kind == "next_round"}
    kinds: JSON = {}
    for kind in KINDS:
        mine = [r.id for r in content.reminders if r.kind == kind]
        if not mine:
            continue
        kinds[kind] = {
            "expected": len(mine),
            "delivered": sum(1 for number in mine if per_reminder[number]),
            "messages": sum(per_reminder[number] for number in mine),
            "duplicates": sum(max(per_reminder[number] - 1, 0) for number in mine),
        }
    expected_brief = {user_id: content.brief_parts[user_id] for user_id in with_round}
    lost = sorted(number for number in ids if not per_reminder[number])
    duplicated = sorted(number for number in ids if per_reminder[number] > 1)
    return {
        "reminders": len(ids),
        "delivered": len(ids) - len(lost),
        "lost": len(lost),
        "lost_ids": lost[:20],
        "duplicates": sum(per_reminder[number] - 1 for number in duplicated),
        "duplicated_ids": duplicated[:20],
        "unknown_reminder_messages": unknown,
        "brief_parts_expected": sum(expected_brief.values()),
        "brief_parts_received": sum(brief[user_id] for user_id in recipients),
        "brief_parts_extra": sum(max(brief[u] - expected_brief.get(u, 0), 0) for u in recipients),
        "brief_parts_missing": sum(max(n - brief[u], 0) for u, n in expected_brief.items()),
        "by_kind": kinds,
    }


# ---------------------------------------------------------------------------------------------
# The two passes


def register(fake: FakeTelegram, content: Content) -> None:
    """Register every reminder user with the fake so that sends to them are accepted."""
    for person in content.people:
        fake.user(person.user_id, first_name=person.name.split()[0], language_code=person.language)


def _deadline(content: Content) -> float:
    """Return a generous bound for delivering everything."""
    return 120.0 + 3 * content.expected_messages / EXPECTED_RATE


@contextlib.asynccontextmanager
async def watching(stalls: Stalls, limit: float) -> AsyncIterator[Stalls]:
    """Watch this process's pauses for the duration of the block."""
    stop = asyncio.Event()
    task = asyncio.create_task(stalls.watch(stop, limit))
    try:
        yield stalls
    finally:
        stop.set()
        await task


async def flood_pass(content: Content, workdir: Path, *, freeze: bool) -> JSON:
    """Baseline answers, then every reminder due at start-up while the user keeps answering."""
    db_path = workdir / "flood" / "debrief.sqlite3"
    await write_people(db_path, content)
    result: JSON = {
        "reminders": len(content.reminders),
        "users": len(content.people),
        "expected_messages": content.expected_messages,
    }
    async with (
        FakeTelegram(token=TOKEN) as fake,
        watching(Stalls(freeze=freeze), 2 * _deadline(content)) as stalls,
    ):
        register(fake, content)
        user = Debriefer(fake.user(DEBRIEFER_ID, first_name="Dana", language_code="en"))
        print(f"\n▶ baseline: one user debriefing alone ({BASELINE_ACTIONS} answers) …", flush=True)
        baseline: list[Sample] = []
        bot = start_bot("baseline", fake, db_path.parent, db_path)
        try:
            await wait_ready(fake, bot)
            error = await user.run(baseline, asyncio.Event(), BASELINE_ACTIONS)
            if error:
                raise RuntimeError(f"baseline user: {error}")
        except (ProcessExited, TimeoutError, RuntimeError) as failure:
            result["error"] = str(failure)
            print(bot.log_tail(), file=sys.stderr)
            return result
        finally:
            await bot.stop()
        result["latency_without_flood"] = latency(baseline)
        await write_reminders(db_path, content)
        print(
            f"▶ flood: {len(content.reminders):,} reminders due"
            f" ({content.expected_messages:,} messages), bot restarting …",
            flush=True,
        )
        tracker = Tracker(fake, content)
        stop = asyncio.Event()
        flood: list[Sample] = []
        started = time.monotonic()
        bot = start_bot("flood", fake, db_path.parent, db_path)
        cpu_before = bot.cpu_seconds() or 0.0
        user_task: asyncio.Task[str | None] | None = None
        try:
            ready = await wait_ready(fake, bot)
            result["ready_s"] = round(ready - started, 3)
            user_task = asyncio.create_task(user.run(flood, stop, 100_000))
            delivered = await wait_for(
                lambda: tracker.done, tracker, bot, _deadline(content), label="flood"
            )
            done_at = max(tracker.first_seen.values(), default=time.monotonic())
            stop.set()
            if not delivered:
                result["error"] = "not every reminder was delivered in time"
            result["all_delivered_s"] = round(done_at - started, 3)
            result["db_states"] = await wait_states(db_path, len(content.reminders), DB_TIMEOUT)
            result["peak_memory_mib"] = bot.peak_memory_mib()
            cpu = bot.cpu_seconds()
            if cpu is not None:
                result["bot_cpu_s"] = round(cpu - cpu_before, 2)
        except (ProcessExited, TimeoutError) as failure:
            result["error"] = str(failure)
            print(bot.log_tail(), file=sys.stderr)
        finally:
            stop.set()
            if user_task is not None:
                try:
                    async with asyncio.timeout(REPLY_TIMEOUT * 2):
                        user_error = await user_task
                except TimeoutError:
                    user_task.cancel()
                    user_error = "the simulated user did not stop in time"
                if user_error:
                    result["user_error"] = user_error
            result["exit_code"] = await bot.stop()
        result["follow_ups"] = follow_ups(db_path, len(content.reminders))
        result["sends"] = send_metrics(fake, started, content.recipients, stalls)
        result["latency_during_flood"] = latency(flood)
        result["debriefs_finished_by_user"] = user.debriefs_finished
        result["delivery"] = tally(fake, content)
        result["rejected"] = len(fake.rejected)
        result["throttled_429"] = fake.throttled
    return result


async def kill_pass(content: Content, workdir: Path, *, freeze: bool) -> JSON:
    """Kill -9 the bot when half the messages went out, restart it, count what users got."""
    db_path = workdir / "kill" / "debrief.sqlite3"
    await write_people(db_path, content)
    await write_reminders(db_path, content)
    count = len(content.reminders)
    result: JSON = {
        "reminders": count,
        "users": len(content.recipients),
        "expected_messages": content.expected_messages,
    }
    print(
        f"\n▶ kill test: {count:,} reminders ({content.expected_messages:,} messages),"
        " kill -9 halfway …",
        flush=True,
    )
    async with (
        FakeTelegram(token=TOKEN) as fake,
        watching(Stalls(freeze=freeze), 2 * _deadline(content)) as stalls,
    ):
        register(fake, content)
        tracker = Tracker(fake, content)
        half = content.expected_messages // 2
        started = time.monotonic()
        first = start_bot("kill-first", fake, db_path.parent, db_path)
        try:
            await wait_ready(fake, first)
            reached = await wait_for(
                lambda: tracker.messages >= half,
                tracker,
                first,
                _deadline(content),
                label="before the kill",
                poll=KILL_POLL,
            )
            if not reached:
                raise TimeoutError("half the messages were not sent in time")
            result["peak_memory_mib_first"] = first.peak_memory_mib()
            first.popen.kill()
            killed_at = time.monotonic()
            at_kill = tracker.messages
            seen_at_kill = len(tracker.first_seen)
            await first.wait_exit(10.0)
        except (ProcessExited, TimeoutError) as failure:
            result["error"] = str(failure)
            print(first.log_tail(), file=sys.stderr)
            return result
        finally:
            first.kill_now()
        tracker.update()
        states = reminder_states(db_path, count)
        result["at_kill"] = {
            "after_s": round(killed_at - started, 3),
            "messages": at_kill,
            "messages_arrived_after_kill": tracker.messages - at_kill,
            "reminders_seen": seen_at_kill,
            "reminders_seen_after_exit": len(tracker.first_seen),
            "db_states": states,
            # Sent (the fake has it) but not marked: the only ones a restart may send again.
            "in_doubt": len(tracker.first_seen) - states.get("sent", 0),
        }
        print(
            f"  killed after {killed_at - started:.1f}s: {at_kill:,} messages,"
            f" {states.get('sent', 0):,} reminders marked sent; restarting …",
            flush=True,
        )
        restarted = time.monotonic()
        second = start_bot("kill-restart", fake, db_path.parent, db_path)
        try:
            await wait_ready(fake, second)
            delivered = await wait_for(
                lambda: tracker.done, tracker, second, _deadline(content), label="after restart"
            )
            if not delivered:
                result["error"] = "not every reminder was delivered in time after the restart"
            done_at = max(tracker.first_seen.values(), default=time.monotonic())
            result["restart_to_all_delivered_s"] = round(done_at - restarted, 3)
            result["all_delivered_s"] = round(done_at - started, 3)
            result["db_states"] = await wait_states(db_path, count, DB_TIMEOUT)
            result["peak_memory_mib_restart"] = second.peak_memory_mib()
        except (ProcessExited, TimeoutError) as failure:
            result["error"] = str(failure)
            print(second.log_tail(), file=sys.stderr)
        finally:
            result["exit_code"] = await second.stop()
        # Let requests still travelling settle before counting (bounded, no new sends expected).
        tracker.update()
        result["follow_ups"] = follow_ups(db_path, count)
        result["sends"] = send_metrics(fake, started, content.recipients, stalls)
        result["delivery"] = tally(fake, content)
        result["rejected"] = len(fake.rejected)
    return result


# ---------------------------------------------------------------------------------------------
# Report


def _ms(block: JSON) -> str:
    """Format p50 / p95 / max milliseconds."""
    return " / ".join(
        "—" if block.get(key) is None else f"{block[key]:,.0f}"
        for key in ("p50_ms", "p95_ms", "max_ms")
    )


def _states(states: JSON) -> str:
    """Format reminder states."""
    return ", ".join(f"{state} {number:,}" for state, number in sorted(states.items())) or "—"


def _window_lines(sends: JSON) -> list[str]:
    """Render the busiest second and the pauses of the fake server's process."""
    window = sends.get("densest_window") or {}
    side = sends.get("fake_side") or {}
    if not window:
        return []
    pauses = window["fake_pauses"]
    return [
        f"  busiest second                       {window['count']} messages from"
        f" {window['start_s']:.1f} s ({window['to_debriefing_user']} to the debriefing user),"
        f" shortest gap {window['min_gap_ms']} ms; windows over {LIMIT_PER_SECOND}:"
        f" {window['windows_over_limit']}",
        f"    fake-side pauses around it         loop lags (s, ms) {pauses['loop_lags'] or '—'};"
        f" GC (s, ms, gen) {pauses['gc_pauses'] or '—'}",
        f"  fake server process (this one)       GC frozen: {'yes' if side['gc_frozen'] else 'no'};"
        f" loop lags ≥ {side['loop_lags_over_ms']:.0f} ms: {side['loop_lags']}"
        f" (max {side['loop_lag_max_ms']} ms); GC pauses ≥ {side['gc_pauses_over_ms']:.0f} ms:"
        f" {side['gc_pauses']} (max {side['gc_pause_max_ms']} ms);"
        f" arrivals < 20 ms apart: {window['run_gaps_under_20ms']}",
    ]


def _delivery_lines(delivery: JSON) -> list[str]:
    """Render the per-kind delivery table."""
    lines = [f"    {'kind':<12}{'expected':>10}{'delivered':>11}{'messages':>10}{'duplicates':>12}"]
    for kind, row in delivery.get("by_kind", {}).items():
        lines.append(
            f"    {kind:<12}{row['expected']:>10,}{row['delivered']:>11,}{row['messages']:>10,}"
            f"{row['duplicates']:>12,}"
        )
    lines.append(
        f"    next_round briefs: {delivery['brief_parts_received']:,} messages received for"
        f" {delivery['brief_parts_expected']:,} expected (extra {delivery['brief_parts_extra']},"
        f" missing {delivery['brief_parts_missing']})"
    )
    return lines


def _flood_lines(flood: JSON) -> list[str]:
    """Render the flood pass."""
    out = [
        "",
        f"1. Delivery: {flood['reminders']:,} reminders for {flood['users']:,} users due at"
        f" start-up ({flood['expected_messages']:,} messages; next_round sends a brief first)",
        "",
    ]
    if "error" in flood:
        out.append(f"  ✗ {flood['error']}")
    sends = flood.get("sends", {})
    if "max_messages_in_1s" not in sends:
        return out
    rate = sends["rate_middle_per_s"]
    gaps = sends["idle_gaps"]
    delivery = flood["delivery"]
    out += [
        f"  time from bot start to all delivered {flood['all_delivered_s']:.1f} s"
        f" (polling after {flood['ready_s']:.1f} s, first reminder message at"
        f" {sends['first_reminder_message_s']:.1f} s)",
        f"  max sendMessage in any 1 s           {sends['max_messages_in_1s']}"
        f" {check(sends['max_messages_in_1s'] <= LIMIT_PER_SECOND)} (limit {LIMIT_PER_SECOND};"
        f" all chat requests incl. edits: {sends['max_chat_sends_in_1s']};"
        f" best 5 s: {sends['max_messages_per_s_over_5s']}/s)",
        *_window_lines(sends),
        f"  sustained rate (sendMessage/s)       {sends['rate_from_start_per_s']:.1f} from bot"
        f" start, {sends['rate_first_to_last_per_s']:.1f} first→last reminder,"
        f" {rate:.1f} over the middle {check(rate >= TARGET_RATE)} (target ≥ {TARGET_RATE:.0f})",
        f"  pauses ≥ {gaps['threshold_s']} s between messages      {gaps['count']}, total"
        f" {gaps['total_s']:.1f} s, longest {gaps['max_s']:.2f} s",
        f"  messages                             {sends['messages']:,} sendMessage"
        f" ({sends['messages_to_reminder_users']:,} to reminder users), 429:"
        f" {flood['throttled_429']}, rejected: {flood['rejected']}",
        f"  lost / duplicates                    {delivery['lost']} / {delivery['duplicates']}"
        f" {check(delivery['lost'] == 0 and delivery['duplicates'] == 0)}",
        f"  database                             {_states(flood.get('db_states', {}))};"
        f" added by the bot: {_states(flood.get('follow_ups', {}))}",
        f"  bot peak memory / CPU                {flood.get('peak_memory_mib') or 0:.1f} MiB /"
        f" {flood.get('bot_cpu_s', '—')} s",
        "",
        *_delivery_lines(delivery),
        "",
        "2. A user in the middle of a debrief (answers every ~0.5 s; reply = answer → the bot's"
        " next message)",
        "",
        f"  {'':<30}{'answers':>8}   p50 / p95 / max ms",
    ]
    for title, key in (("alone, before the flood", "latency_without_flood"),
                       ("during the flood", "latency_during_flood")):  # fmt: skip
        block = flood.get(key, {})
        out.append(f"  {title:<30}{block.get('answers', 0):>8}   {_ms(block)}")
        for action, values in block.get("by_action_ms", {}).items():
            shown = " / ".join(
                "—" if values[q] is None else f"{values[q]:,.0f}" for q in ("p50", "p95", "max")
            )
            out.append(f"    {action:<28}{'':>8}   {shown}")
    if flood.get("user_error"):
        out.append(f"  ✗ user: {flood['user_error']}")
    finished = flood["debriefs_finished_by_user"]
    out.append(f"  debriefs the user finished during the flood: {finished}")
    return out


def _kill_lines(kill: JSON) -> list[str]:
    """Render the kill pass."""
    out = [
        "",
        f"3. Kill test: {kill['reminders']:,} reminders for {kill['users']:,} users"
        f" ({kill['expected_messages']:,} messages), fresh database, kill -9 halfway",
        "",
    ]
    if "error" in kill:
        out.append(f"  ✗ {kill['error']}")
    at = kill.get("at_kill")
    if at is None or "delivery" not in kill:
        return out
    delivery = kill["delivery"]
    limit = DELIVERY_WORKERS
    out += [
        f"  killed after                         {at['after_s']:.1f} s, {at['messages']:,}"
        f" messages ({at['messages_arrived_after_kill']} more arrived after the signal)",
        f"  database at the kill                 {_states(at['db_states'])}",
        f"  in doubt (sent, not marked)          {at['in_doubt']}",
        f"  restart → all delivered              {kill.get('restart_to_all_delivered_s', 0):.1f} s"
        f" (total {kill.get('all_delivered_s', 0):.1f} s)",
        f"  lost                                 {delivery['lost']} {check(delivery['lost'] == 0)}",
        f"  duplicates                           {delivery['duplicates']}"
        f" {check(delivery['duplicates'] <= limit)} (at most the in-flight window,"
        f" {limit} delivery workers; ids {delivery['duplicated_ids']})",
        f"  database at the end                  {_states(kill.get('db_states', {}))}"
        f" {check(kill.get('db_states', {}).get('sent', 0) == kill['reminders'])};"
        f" added by the bot: {_states(kill.get('follow_ups', {}))}",
        f"  max sendMessage in any 1 s           {kill['sends']['max_messages_in_1s']}"
        f" {check(kill['sends']['max_messages_in_1s'] <= LIMIT_PER_SECOND)}",
        *_window_lines(kill["sends"]),
        f"  bot peak memory (first / restart)    {kill.get('peak_memory_mib_first') or 0:.1f} /"
        f" {kill.get('peak_memory_mib_restart') or 0:.1f} MiB",
        "",
        *_delivery_lines(delivery),
    ]
    return out


def render_report(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        *heading(
            f"Debrief reminder benchmark — {report['cpus']} CPUs, Python {report['python']},"
            f" commit {report['commit']}"
        ),
        f"  users' timezone: {report['timezone_note']}",
        f"  bot: python -m bot, DEBRIEF_REMINDER_INTERVAL={REMINDER_INTERVAL}, default pacing"
        f" (30/s at 95%), {DELIVERY_WORKERS} delivery workers",
    ]
    if "flood" in report:
        out += _flood_lines(report["flood"])
    if "kill" in report:
        out += _kill_lines(report["kill"])
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def failed(report: JSON) -> bool:
    """Tell whether a pass failed or broke a limit."""
    flood, kill = report.get("flood"), report.get("kill")
    problems = []
    for run in (flood, kill):
        if run is None:
            continue
        problems.append("error" in run or "delivery" not in run)
        if "delivery" in run:
            problems.append(run["delivery"]["lost"] > 0)
            problems.append(run["sends"].get("max_messages_in_1s", 0) > LIMIT_PER_SECOND)
            problems.append(run.get("db_states", {}).get("sent", 0) != run["reminders"])
    if flood is not None and "delivery" in flood:
        problems.append(flood["delivery"]["duplicates"] > 0)
        problems.append(bool(flood.get("user_error")))
    if kill is not None and "delivery" in kill:
        problems.append(kill["delivery"]["duplicates"] > DELIVERY_WORKERS)
    return any(problems)


async def run(
    users: int, reminders: int, kill_reminders: int, which: str, *, freeze: bool = True
) -> JSON:
    """Run the selected passes and return the report."""
    now = datetime.now(UTC)
    passes = ([reminders] if which in ("all", "flood") else []) + (
        [kill_reminders] if which in ("all", "kill") and kill_reminders else []
    )
    estimate = 600.0 + sum(1.3 * n / EXPECTED_RATE for n in passes) * 1.5
    timezone, note = choose_timezone(now, estimate)
    print(f"users' timezone: {note}", flush=True)
    report: JSON = {
        "started_at": now.isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
        "users": users,
        "timezone": timezone,
        "timezone_note": note,
        "reminder_interval_s": float(REMINDER_INTERVAL),
        "delivery_workers": DELIVERY_WORKERS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        workdir = Path(tmp)
        if which in ("all", "flood"):
            content = build_content(users, reminders, timezone, now)
            report["flood"] = await flood_pass(content, workdir, freeze=freeze)
        if which in ("all", "kill") and kill_reminders:
            content = build_content(users, kill_reminders, timezone, now)
            report["kill"] = await kill_pass(content, workdir, freeze=freeze)
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reminders",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--reminders", type=positive, default=10_000, help="flood pass (default 10000)"
    )
    parser.add_argument(
        "--users", type=positive, default=2000, help="users, one debrief each (default 2000)"
    )
    parser.add_argument(
        "--kill-reminders",
        type=int,
        default=3000,
        help="reminders of the kill pass (default 3000; 0 skips it)",
    )
    parser.add_argument("--only", choices=("all", "flood", "kill"), default="all")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave this process's garbage collector alone (its pauses then bunch arrivals)",
    )
    args = parser.parse_args(argv)
    most = len(KINDS) * args.users
    if args.users > 50_000:
        parser.error("--users must be at most 50000")
    checked = (
        ("--reminders", args.reminders, args.only != "kill"),
        ("--kill-reminders", args.kill_reminders, args.only != "flood"),
    )
    for name, value, used in checked:
        if used and not 0 <= value <= most:
            parser.error(f"{name} must be between 0 and {most} (5 kinds per user's debrief)")
    benchmark = run(
        args.users, args.reminders, args.kill_reminders, args.only, freeze=not args.no_freeze
    )
    return finish(benchmark, "reminders", render_report, failed)


if __name__ == "__main__":
    sys.exit(main())
