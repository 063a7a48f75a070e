"""History at scale: start-up, memory, /history and /export latency on 100,000 debriefs."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import aiosqlite

from benchmarks.processes import (
    REPO_ROOT,
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    check,
    finish,
    git_commit,
    machine_ticks,
    positive,
    wait_ready,
)
from benchmarks.stats import heading, percentiles_ms
from bot.app import COMMANDS
from bot.callbacks import Action, Button
from bot.fakeapi import BotMessage, FakeTelegram, FakeUser, MessagePredicate
from bot.reminders import BATCH
from conversations.checklist import Kind, checklist
from conversations.history import HEADLINE_KEYS
from conversations.i18n import Language, catalog
from storage.database import Database, open_database
from storage.debriefs import DebriefRepository
from storage.migrations import MIGRATIONS, apply_migrations
from storage.reminders import ReminderRepository
from storage.users import UserRepository

__all__ = ["main"]

JSON = dict[str, Any]

# The generator writes the columns of migrations 1 to 3; later migrations run on each copy, timed,
# as they would on a deployed database at its first start after an upgrade.
BASE_SCHEMA: Final = 3
# Bump when the generated content changes, so that cached databases are made again.
GENERATOR_VERSION: Final = 1
CACHE_DAYS: Final = 30
FIRST_USER_ID: Final = 300_001
DAY: Final = 86_400
HISTORY_DAYS: Final = 730
# Log-normal spread of debriefs per user: median about half the mean, a long tail.
SPREAD: Final = 1.0
OPEN_SHARE: Final = 0.1
ROUND_SHARE: Final = 0.25
ANSWERED_SHARE: Final = 0.8
LONG_SHARE: Final = 0.02
SPLIT_SHARE: Final = 0.04
TEXT_MEDIAN: Final = 220
UNPACED: Final = {"DEBRIEF_MAX_MESSAGES_PER_SECOND": "0"}
REPLY_TIMEOUT: Final = 30.0
EXPORT_TIMEOUT: Final = 120.0
LANGUAGE: Final[Language] = "en"
STAMP: Final = "%Y-%m-%dT%H:%M:%S.000Z"
READY_LINE: Final = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO .*Debrief is ready")
USAGE: Final = """\
passes:
  startup  the real bot (`python -m bot`) starts on a copy of the database N times: time from
           process start to its first getUpdates at the fake server, and to its "Debrief is
           ready" log line; the same with an empty database, and once on a copy still at
           the generator's schema (the first start after an upgrade runs the new migrations)
  bot      the user with M debriefs sends /history, taps "Page 2", opens a debrief, sends
           /export; each sequentially, after a warm-up, DEBRIEF_MAX_MESSAGES_PER_SECOND=0
  queries  each per-user query of the bot, as the repositories run it: time and EXPLAIN QUERY
           PLAN; deleting a debrief and a whole user (foreign-key cascades)

The database is generated once per set of sizes (benchmarks/results/history-*.sqlite3, git-ignored)
and copied for each run. JSON goes to benchmarks/results/.
"""

# ---------------------------------------------------------------------------------------------
# What the database holds

SENTENCES: Final[dict[Language, tuple[str, ...]]] = {
    "en": (
        "They are moving their fleet telemetry to an event-driven platform.",
        "The team is twelve engineers split between Lyon and Montréal.",
        "She asked how I would design a rate limiter for a public API.",
        "I explained the migration we ran from a monolith to three services.",
        "The hiring manager seemed worried about my lack of Kafka experience.",
        "I answered with the RabbitMQ cluster I ran for three years.",
        "We talked for a long time about on-call and incident reviews.",
        "The office is open plan but quiet, people were friendly in the corridor.",
        "Salary was not discussed; the recruiter will call about it next week.",
        "I forgot to ask how the roadmap is decided and who owns it.",
        "The system design part was hard, I lost time on the storage layer.",
        "They liked the story about cutting the p99 latency of our payment API.",
        "Next step is a case study with the CTO and a lead developer.",
        "I should prepare shorter answers about my side projects.",
        "The product is used by four hundred hospitals across Europe.",
        "Remote work is possible two days a week after the trial period.",
        "I talked too long about the reasons I left my last job.",
        "They expect an answer from me before the end of the month.",
        "The interviewer took notes the whole time and asked few follow-ups.",
        "I would report to the head of platform, who joined last year.",
        "The budget for training is generous, conferences included.",
        "There is a strong culture of written design documents.",
    ),
    "fr": (
        "Ils migrent la télémétrie de leur flotte vers une plateforme événementielle.",
        "L'équipe compte douze développeurs, entre Lyon et Montréal.",
        "Elle m'a demandé comment je concevrais un limiteur de débit pour une API.",
        "J'ai raconté la migration d'un monolithe vers trois services.",
        "Le manager semblait inquiet de mon manque d'expérience avec Kafka.",
        "J'ai répondu avec le cluster RabbitMQ que j'ai géré pendant trois ans.",
        "Nous avons longuement parlé des astreintes et des revues d'incident.",
        "Les bureaux sont ouverts mais calmes, l'ambiance semblait détendue.",
        "Le salaire n'a pas été abordé, la recruteuse rappelle la semaine prochaine.",
        "J'ai oublié de demander qui décide de la feuille de route.",
        "La partie conception système était difficile, j'ai perdu du temps.",
        "Ils ont aimé l'histoire de la latence p99 divisée par deux.",
        "Prochaine étape : une étude de cas avec le CTO et un développeur senior.",
        "Je dois préparer des réponses plus courtes sur mes projets personnels.",
        "Le produit est utilisé par quatre cents hôpitaux en Europe.",
        "Le télétravail est possible deux jours par semaine après la période d'essai.",
        "J'ai trop parlé des raisons de mon départ de mon dernier poste.",
        "Ils attendent ma réponse avant la fin du mois.",
        "La recruteuse a pris des notes tout du long et relancé peu.",
        "Je serais rattachée au responsable plateforme, arrivé l'an dernier.",
    ),
}
COMPANY_HEADS: Final = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Cyberdyne", "Soylent",
    "Tyrell", "Aperture", "Wonka", "Vandelay", "Dunder", "Pied Piper", "Massive", "Nakatomi",
    "Oscorp", "Gringotts", "Monarch", "Octan", "Vehement", "Sterling", "Prestige", "Zorg",
)  # fmt: skip
COMPANY_TAILS: Final = (
    "Robotics", "Health", "Labs", "Logistics", "Energy", "Bank", "Software", "Analytics",
    "Systems", "Foods", "Media", "Mobility", "Insurance", "Games", "Retail", "Cloud",
)  # fmt: skip
POSITIONS: Final = (
    "Backend engineer", "Senior data analyst", "Product manager", "Développeuse backend",
    "Site reliability engineer", "Chef de projet", "Frontend developer", "Data scientist",
    "Engineering manager", "UX designer", "Ingénieure QA", "Mobile developer",
)  # fmt: skip
FIRST_NAMES: Final = ("Camille", "Alex", "Sam", "Léa", "Noah", "Inès", "Hugo", "Maya", "Jules")
LAST_NAMES: Final = ("Martin", "Bernard", "Dubois", "Nguyen", "Moreau", "Smith", "Garcia", "Roy")
ROLES: Final = (
    "Head of platform", "HR business partner", "CTO", "Lead developer", "Team manager",
    "Responsable recrutement", "Directrice technique", "Staff engineer",
)  # fmt: skip
SHORT_KEYS: Final = frozenset({"position", "interviewers"})
TIMEZONES: Final = (None, None, None, None, "Europe/Paris", "America/Montreal", "+02:00")


@dataclass(frozen=True, slots=True)
class Sizes:
    """What to generate: users, debriefs in all, and the measured user's debriefs."""

    users: int
    debriefs: int
    measured: int
    seed: int

    @property
    def measured_user_id(self) -> int:
        """Return the measured user's id (in the middle of the users, not at an edge)."""
        return FIRST_USER_ID + self.users // 2

    def key(self) -> str:
        """Return the cache key: the sizes, the generator and the schema it writes."""
        schema = "".join(migration.sql for migration in MIGRATIONS[:BASE_SCHEMA])
        text = json.dumps([asdict(self), GENERATOR_VERSION, schema], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(slots=True)
class Planned:
    """One debrief to write."""

    id: int
    user_id: int
    created: int
    language: Language
    status: str = "done"
    current_key: str | None = None
    company: str = ""
    previous_id: int | None = None
    followed: bool = False


class Corpus:
    """Realistic answer texts of any length, cut from shuffled interview sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.text: dict[Language, str] = {}
        for language, sentences in SENTENCES.items():
            pool = list(sentences) * 40
            rng.shuffle(pool)
            self.text[language] = " ".join(pool)

    def answer(self, language: Language, length: int) -> str:
        """Return about `length` characters of prose, cut at a word boundary."""
        text = self.text[language]
        start = self.rng.randrange(0, len(text) - length - 1)
        start = text.find(" ", start) + 1
        chunk = text[start : start + length]
        return chunk[: chunk.rfind(" ")].strip() or chunk.strip()

    def length(self) -> int:
        """Draw the length of a text answer: a few hundred characters, now and then 4,000."""
        if self.rng.random() < LONG_SHARE:
            return self.rng.randint(3_900, 4_000)
        drawn = self.rng.lognormvariate(math.log(TEXT_MEDIAN), 0.7)
        return int(min(max(drawn, 30), 3_800))


def debrief_counts(sizes: Sizes, rng: random.Random) -> list[int]:
    """Return debriefs per user: most have a few, some many; the measured user exactly M."""
    others = sizes.users - 1
    target = sizes.debriefs - sizes.measured
    weights = [rng.lognormvariate(0.0, SPREAD) for _ in range(others)]
    scale = target / sum(weights)
    counts = [max(1, round(weight * scale)) for weight in weights]
    # Rounding and the minimum of one move the total: take from (or give to) the largest.
    by_size = sorted(range(others), key=lambda index: -counts[index])
    step = 0
    while (difference := target - sum(counts)) != 0:
        index = by_size[step % others]
        if difference > 0:
            counts[index] += 1
        elif counts[index] > 1:
            counts[index] -= 1
        step += 1
    measured_index = sizes.measured_user_id - FIRST_USER_ID
    return [*counts[:measured_index], sizes.measured, *counts[measured_index:]]


def plan_debriefs(sizes: Sizes, rng: random.Random, now: int) -> list[Planned]:
    """Spread every user's debriefs over time; ids follow time, so users' rows interleave."""
    counts = debrief_counts(sizes, rng)
    dated: list[tuple[int, int]] = []
    for index, count in enumerate(counts):
        since = now - rng.randint(30, HISTORY_DAYS) * DAY
        dated += [(rng.randint(since, now - 3600), index) for _ in range(count)]
    dated.sort()
    planned = []
    for number, (created, index) in enumerate(dated, start=1):
        language: Language = "fr" if index % 3 == 0 else "en"
        planned.append(Planned(number, FIRST_USER_ID + index, created, language))
    by_user: dict[int, list[Planned]] = {}
    for debrief in planned:
        by_user.setdefault(debrief.user_id, []).append(debrief)
    for user_id, debriefs in by_user.items():
        applications: list[Planned] = []
        for debrief in debriefs:
            if applications and rng.random() < ROUND_SHARE:
                # A next round of one of the latest applications: same company, linked.
                previous = rng.choice(applications[-3:])
                applications.remove(previous)
                previous.followed = True
                debrief.previous_id = previous.id
                debrief.company = previous.company
            else:
                head, tail = rng.choice(COMPANY_HEADS), rng.choice(COMPANY_TAILS)
                debrief.company = f"{head} {tail}"
            applications.append(debrief)
        last = debriefs[-1]
        if user_id == sizes.measured_user_id or rng.random() < OPEN_SHARE:
            last.status = rng.choice(("active", "paused"))
    return planned


def _stamp(moment: int) -> str:
    """Format Unix seconds the way the schema stores times."""
    return datetime.fromtimestamp(moment, UTC).strftime(STAMP)


class Writer:
    """Turns the plan into rows: debriefs, answer parts and reminders."""

    def __init__(self, rng: random.Random, now: int) -> None:
        self.rng = rng
        self.now = now
        self.corpus = Corpus(rng)
        self.questions = list(checklist())
        self.message_ids: dict[int, int] = {}
        self.outcomes: dict[int, str] = {}
        self.thanked: dict[int, bool] = {}
        self.answered: dict[int, frozenset[str]] = {}

    def _message_id(self, user_id: int) -> int:
        """Return the next message id in the user's chat (the bot's messages come between)."""
        number = self.message_ids.get(user_id, 0) + 2
        self.message_ids[user_id] = number
        return number

    def _value(self, debrief: Planned, key: str, kind: Kind) -> str:
        """Return a realistic answer to one question."""
        rng = self.rng
        match key, kind:
            case "company", _:
                return debrief.company
            case "position", _:
                return rng.choice(POSITIONS)
            case "interviewers", _:
                domain = debrief.company.lower().replace(" ", "-")
                first = rng.choice(FIRST_NAMES)
                name = f"{first} {rng.choice(LAST_NAMES)}"
                return f"{name}, {rng.choice(ROLES)}, {first.lower()}@{domain}.example"
            case _, Kind.DATE:
                return datetime.fromtimestamp(debrief.created - DAY, UTC).date().isoformat()
            case _, Kind.CHOICE:
                return rng.choice(("yes", "no", "unknown"))
            case _, Kind.RATING:
                return str(rng.randint(1, 5))
            case _, Kind.PEOPLE:
                return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return self.corpus.answer(debrief.language, self.corpus.length())

    def parts(self, debriefs: list[Planned]) -> Iterator[tuple[object, ...]]:
        """Yield the answer parts, about 20 answered questions of 25 per finished debrief."""
        rng = self.rng
        for debrief in debriefs:
            questions = self.questions
            if debrief.status != "done":
                stop = rng.randint(2, len(questions) - 1)
                debrief.current_key = questions[stop].key
                questions = questions[:stop]
            answered = []
            created = _stamp(debrief.created)
            for question in questions:
                if question.key != "company" and rng.random() > ANSWERED_SHARE:
                    continue
                answered.append(question.key)
                value = self._value(debrief, question.key, question.kind)
                typed = question.kind is Kind.TEXT
                pieces = [value]
                if typed and question.key not in SHORT_KEYS and rng.random() < SPLIT_SHARE:
                    # A dictation that arrived in several messages.
                    cut = len(value) // rng.randint(2, 3)
                    pieces = [value[:cut].strip(), value[cut:].strip()]
                for part, text in enumerate(piece for piece in pieces if piece):
                    message_id = self._message_id(debrief.user_id) if typed else None
                    yield debrief.id, question.key, part, text, message_id, created
            self.answered[debrief.id] = frozenset(answered)

    def debrief_rows(self, debriefs: list[Planned]) -> Iterator[tuple[object, ...]]:
        """Yield the debrief rows (after parts(), which decides where open debriefs stand)."""
        rng = self.rng
        for debrief in debriefs:
            age = self.now - debrief.created
            done = debrief.status == "done"
            if debrief.followed:
                outcome = "next_round"
            elif not done or age < 14 * DAY:
                outcome = "waiting"
            else:
                outcome = rng.choices(
                    ("waiting", "rejected", "offer", "withdrawn"), (35, 45, 6, 14)
                )[0]
            self.outcomes[debrief.id] = outcome
            thanked = done and rng.random() < 0.6
            self.thanked[debrief.id] = thanked
            finished = _stamp(debrief.created + 1500) if done else None
            asked = None if done else self._message_id(debrief.user_id)
            next_round = _stamp(debrief.created + 9 * DAY)[:10] if debrief.followed else None
            yield (
                debrief.id,
                debrief.user_id,
                debrief.status,
                debrief.current_key,
                debrief.current_key,
                asked,
                _stamp(debrief.created),
                finished or _stamp(debrief.created + 600),
                finished,
                outcome,
                next_round,
                int(thanked),
                debrief.previous_id,
            )

    def reminders(self, debriefs: list[Planned]) -> Iterator[tuple[object, ...]]:
        """Yield reminders in every state; the pending ones fall due weeks after any run."""
        rng = self.rng
        for debrief in debriefs:
            if debrief.status != "done":
                continue
            age = self.now - debrief.created
            sent = debrief.created + 4 * 3600
            later = self.now + rng.randint(30, 120) * DAY
            outcome = self.outcomes[debrief.id]
            rows: list[tuple[str, int, str, int]] = []
            if self.thanked[debrief.id]:
                rows.append(("thank_you", sent, "done", 1))
            elif age < DAY:
                rows.append(("thank_you", later, "pending", 1))
            else:
                rows.append(("thank_you", sent, rng.choice(("sent", "cancelled")), 1))
            if "forgotten_questions" in self.answered.get(debrief.id, ()):
                rows.append(("questions", sent + DAY, rng.choice(("sent", "sent", "cancelled")), 1))
            if outcome == "waiting":
                if age < 7 * DAY:
                    rows.append(("no_news", later, "pending", 1))
                else:
                    rows.append(("no_news", debrief.created + 7 * DAY, "sent", 1))
                    if age > 14 * DAY and rng.random() < 0.5:
                        rows.append(("no_news", debrief.created + 14 * DAY, "sent", 2))
            elif outcome == "rejected":
                rows.append(("feedback", debrief.created + 10 * DAY, "sent", 1))
            elif outcome == "next_round":
                rows.append(("next_round", debrief.created + 8 * DAY, "sent", 1))
            for kind, due, state, attempt in rows:
                sent_at = due if state in ("sent", "done") else None
                yield debrief.user_id, debrief.id, kind, due, state, attempt, sent_at


def user_rows(sizes: Sizes, rng: random.Random, now: int) -> Iterator[tuple[object, ...]]:
    """Yield every user's settings."""
    for index in range(sizes.users):
        language = "fr" if index % 3 == 0 else "en"
        chosen = language if rng.random() < 0.2 else None
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        joined = _stamp(now - rng.randint(HISTORY_DAYS, HISTORY_DAYS + 60) * DAY)
        yield FIRST_USER_ID + index, chosen, joined, language, name, rng.choice(TIMEZONES)


def _cursor_facts(db: sqlite3.Connection, sizes: Sizes) -> JSON:
    """Describe what was generated, the measured user's debriefs above all."""

    def scalar(sql: str, *parameters: object) -> Any:
        """Return the first column of the first row."""
        return db.execute(sql, parameters).fetchone()[0]

    user_id = sizes.measured_user_id
    counts = sorted(
        count for (count,) in db.execute("SELECT count(*) FROM debriefs GROUP BY user_id")
    )
    deepest = db.execute(
        "WITH RECURSIVE chain (id, top, depth) AS ("
        " SELECT id, id, 0 FROM debriefs WHERE user_id = ?"
        " UNION ALL SELECT d.previous_id, chain.top, chain.depth + 1 FROM debriefs d"
        "  JOIN chain ON d.id = chain.id WHERE d.previous_id IS NOT NULL"
        ") SELECT top, max(depth) FROM chain GROUP BY top ORDER BY 2 DESC, 1 DESC LIMIT 1",
        (user_id,),
    ).fetchone()
    return {
        "users": scalar("SELECT count(*) FROM users"),
        "debriefs": scalar("SELECT count(*) FROM debriefs"),
        "answer_parts": scalar("SELECT count(*) FROM answer_parts"),
        "answer_chars_avg": round(scalar("SELECT avg(length(text)) FROM answer_parts"), 1),
        "answers_4000_chars": scalar("SELECT count(*) FROM answer_parts WHERE length(text) > 3800"),
        "reminders": dict(db.execute("SELECT state, count(*) FROM reminders GROUP BY state")),
        "debriefs_per_user": {
            "min": counts[0],
            "p50": counts[len(counts) // 2],
            "p90": counts[len(counts) * 9 // 10],
            "p99": counts[len(counts) * 99 // 100],
            "max": counts[-1],
            "users_with_1": sum(1 for count in counts if count == 1),
        },
        "measured": {
            "user_id": user_id,
            "debriefs": scalar("SELECT count(*) FROM debriefs WHERE user_id = ?", user_id),
            "linked_rounds": scalar(
                "SELECT count(*) FROM debriefs WHERE user_id = ? AND previous_id IS NOT NULL",
                user_id,
            ),
            "answer_parts": scalar(
                "SELECT count(*) FROM answer_parts p JOIN debriefs d ON d.id = p.debrief_id"
                " WHERE d.user_id = ?",
                user_id,
            ),
            "answer_chars": scalar(
                "SELECT sum(length(text)) FROM answer_parts p JOIN debriefs d"
                " ON d.id = p.debrief_id WHERE d.user_id = ?",
                user_id,
            ),
            "latest_id": scalar(
                "SELECT id FROM debriefs WHERE user_id = ? ORDER BY created_at DESC LIMIT 1",
                user_id,
            ),
            "deepest_round_id": deepest[0],
            "deepest_round_depth": deepest[1],
            "message_id": scalar(
                "SELECT p.message_id FROM answer_parts p JOIN debriefs d ON d.id = p.debrief_id"
                " WHERE d.user_id = ? AND p.message_id IS NOT NULL ORDER BY p.message_id LIMIT 1",
                user_id,
            ),
        },
    }


def _fill(path: Path, sizes: Sizes, now: int) -> JSON:
    """Insert every row in one transaction (plain sqlite3, executemany) and describe the result."""
    rng = random.Random(sizes.seed)
    planned = plan_debriefs(sizes, rng, now)
    writer = Writer(rng, now)
    with contextlib.closing(sqlite3.connect(path)) as db:
        # A throwaway file until it is complete: no journal needed while it is written.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        with db:
            db.executemany(
                "INSERT INTO users (user_id, language, created_at, telegram_language, name,"
                " timezone) VALUES (?, ?, ?, ?, ?, ?)",
                user_rows(sizes, rng, now),
            )
            # Parts first: writing them decides where the unfinished debriefs stand.
            db.executemany(
                "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                writer.parts(planned),
            )
            db.executemany(
                "INSERT INTO debriefs (id, user_id, status, current_key, asked_key,"
                " asked_message_id, created_at, updated_at, finished_at, outcome,"
                " next_round_date, thank_you_sent, previous_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                writer.debrief_rows(planned),
            )
            db.executemany(
                "INSERT INTO reminders (user_id, debrief_id, kind, due_at, state, attempt,"
                " sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                writer.reminders(planned),
            )
        facts = _cursor_facts(db, sizes)
        db.execute("PRAGMA journal_mode = WAL")
    facts["file_mib"] = round(path.stat().st_size / 2**20, 1)
    return facts


async def generate(path: Path, sizes: Sizes) -> JSON:
    """Write the database: the bot's migrations first, then the rows; replace `path` when done."""
    started = time.monotonic()
    now = int(time.time())
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    async with aiosqlite.connect(partial) as connection:
        await apply_migrations(connection, MIGRATIONS[:BASE_SCHEMA])
    facts = _fill(partial, sizes, now)
    partial.replace(path)
    facts["generated_at"] = now
    facts["generation_s"] = round(time.monotonic() - started, 1)
    return facts


async def cached_database(sizes: Sizes, *, fresh: bool) -> tuple[Path, JSON]:
    """Return the generated database for these sizes (made if missing or stale) and its facts."""
    results = REPO_ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"history-{sizes.key()}.sqlite3"
    meta = path.with_suffix(".json")
    if not fresh and path.exists() and meta.exists():
        facts: JSON = json.loads(meta.read_text(encoding="utf-8"))
        if time.time() - facts["generated_at"] < CACHE_DAYS * DAY:
            facts["cached"] = True
            return path, facts
    print(
        f"generating {sizes.debriefs:,} debriefs for {sizes.users:,} users → {path.name} …",
        flush=True,
    )
    facts = await generate(path, sizes)
    meta.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    facts["cached"] = False
    return path, facts


# ---------------------------------------------------------------------------------------------
# The run's copy: upgrading it, opening it


async def prepare_copy(base: Path, workdir: Path, repeat: int) -> tuple[Path, JSON]:
    """Copy the database, apply the newer migrations (timed), then time opening it again."""
    copy = workdir / "debrief.sqlite3"
    started = time.monotonic()
    shutil.copyfile(base, copy)
    copied = time.monotonic() - started
    started = time.monotonic()
    database = await open_database(copy)
    await database.close()
    upgrade = time.monotonic() - started
    opens = []
    for _ in range(repeat):
        started = time.monotonic()
        database = await open_database(copy)
        await database.close()
        opens.append(time.monotonic() - started)
    return copy, {
        "copy_s": round(copied, 2),
        "upgrade_migrations": [m.version for m in MIGRATIONS if m.version > BASE_SCHEMA],
        "upgrade_ms": round(upgrade * 1000, 1),
        "open_ms": percentiles_ms(opens),
        "note": "warm OS page cache (the copy was just written)",
    }


# ---------------------------------------------------------------------------------------------
# Start-up


def _ready_logged(log: Path) -> float | None:
    """Return when the bot logged "Debrief is ready" (Unix seconds, millisecond resolution)."""
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            match = READY_LINE.match(line)
            if match:
                moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone()
                return moment.timestamp()
    return None


async def start_once(name: str, db_path: Path, workdir: Path) -> JSON:
    """Start the bot once: seconds to its first getUpdates and to its ready log line; stop it."""
    async with FakeTelegram(token=TOKEN) as fake:
        env = bot_env(fake.url, db_path, UNPACED)
        wall = time.time()
        started = time.monotonic()
        process = BotProcess.start(name, "bot", [], env, workdir)
        result: JSON = {}
        try:
            result["polling_s"] = round(await wait_ready(fake, process) - started, 3)
            result["peak_memory_mib"] = process.peak_memory_mib()
        except (ProcessExited, TimeoutError) as error:
            result["error"] = str(error)
        finally:
            result["exit_code"] = await process.stop()
        logged = _ready_logged(process.log_path)
        result["ready_log_s"] = None if logged is None else round(logged - wall, 3)
    return result


def _spread(runs: list[JSON], key: str) -> JSON:
    """Return the median, min and max of one figure over the runs that have it."""
    values = [run[key] for run in runs if run.get(key) is not None]
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


async def startup_pass(db_path: Path, base: Path, workdir: Path, repeat: int) -> JSON:
    """Start the bot `repeat` times on the big database and on empty ones; once mid-upgrade."""
    result: JSON = {}
    upgrading = [m.version for m in MIGRATIONS if m.version > BASE_SCHEMA]
    # The first start after an upgrade also runs the new migrations on the whole database.
    labels = [("big", repeat), ("empty", repeat)] + ([("upgrade", 1)] if upgrading else [])
    for label, times in labels:
        print(f"▶ start-up, {label} database, {times} times …", flush=True)
        runs = []
        for number in range(times):
            path = {
                "big": db_path,
                "empty": workdir / f"empty-{number}" / "debrief.sqlite3",
                "upgrade": workdir / "upgrade" / "debrief.sqlite3",
            }[label]
            if label == "upgrade":
                path.parent.mkdir()
                shutil.copyfile(base, path)
            runs.append(await start_once(f"startup-{label}-{number}", path, workdir))
            if label == "upgrade":
                shutil.rmtree(path.parent)
        result[label] = {
            "runs": runs,
            "polling_s": _spread(runs, "polling_s"),
            "ready_log_s": _spread(runs, "ready_log_s"),
            "peak_memory_mib": _spread(runs, "peak_memory_mib"),
            "errors": [run["error"] for run in runs if "error" in run],
        }
    if upgrading:
        result["upgrade"]["migrations"] = upgrading
    return result


# ---------------------------------------------------------------------------------------------
# The measured user's /history and /export


@dataclass(slots=True)
class Sample:
    """One action: when the fake got the update, handed it over, and saw the replies."""

    queued_at: float
    delivered_at: float | None
    first_at: float
    done_at: float
    messages: int
    documents: int
    document_bytes: int

    @property
    def seconds(self) -> float:
        """Return the time from the user's update to the reply that completes the action."""
        return self.done_at - self.queued_at


@dataclass(slots=True)
class Block:
    """The samples of one kind of action, with the bot's CPU time while they ran."""

    name: str
    warm: list[Sample] = field(default_factory=list)
    measured: list[Sample] = field(default_factory=list)
    cpu_s: float | None = None
    error: str | None = None

    def summary(self) -> JSON:
        """Return the figures: latency percentiles, first (cold) action, messages, CPU."""
        samples = self.measured
        result: JSON = {"count": len(samples), "warmup": len(self.warm)}
        if self.error:
            result["error"] = self.error
        if not samples:
            return result
        first = (self.warm or samples)[0]
        result |= {
            "latency_ms": percentiles_ms([sample.seconds for sample in samples]),
            "first_message_ms": percentiles_ms([s.first_at - s.queued_at for s in samples]),
            "handover_ms_p50": percentiles_ms(
                [s.delivered_at - s.queued_at for s in samples if s.delivered_at is not None]
            )["p50"],
            "first_action_ms": round(first.seconds * 1000, 1),
            "messages_per_action": round(statistics.mean(s.messages for s in samples), 2),
            "documents_per_action": round(statistics.mean(s.documents for s in samples), 2),
            "document_kib_per_action": round(
                statistics.mean(s.document_bytes for s in samples) / 1024, 1
            ),
        }
        if self.cpu_s is not None:
            result["bot_cpu_ms_per_action"] = round(1000 * self.cpu_s / len(samples), 2)
        return result


Step = Callable[[int], Awaitable[Sample]]


async def act(
    fake: FakeTelegram,
    user: FakeUser,
    perform: Callable[[], Awaitable[object]],
    done: MessagePredicate,
    timeout: float,  # noqa: ASYNC109 - every wait is bounded
) -> Sample:
    """Perform an action and wait for the bot's message that completes it."""
    await perform()
    update = fake.updates[-1]
    first = await user.next_message(timeout=timeout)
    last = first if done(first) else await user.next_message(timeout=timeout, predicate=done)
    between = user.messages[first.index : last.index + 1]
    return Sample(
        update.queued_at,
        update.delivered_at,
        first.sent_at,
        last.sent_at,
        len(between),
        sum(1 for message in between if message.is_document),
        sum(len(message.document_bytes or b"") for message in between),
    )


async def run_block(
    name: str, step: Step, process: BotProcess, *, warmup: int, count: int
) -> Block:
    """Run warm-up actions, then the measured ones, one after the other."""
    print(f"  {name}: {warmup} warm-up + {count} …", flush=True)
    block = Block(name)
    try:
        for number in range(warmup):
            block.warm.append(await step(number))
        before = process.cpu_seconds()
        for number in range(count):
            block.measured.append(await step(warmup + number))
        after = process.cpu_seconds()
        if before is not None and after is not None:
            block.cpu_s = after - before
    except (TimeoutError, KeyError, ValueError) as error:
        block.error = f"{type(error).__name__}: {error}"
        process.check_alive()
    return block


def _prefix(key: str) -> str:
    """Return the fixed start of a catalogue text (before its first placeholder)."""
    return catalog().template(LANGUAGE, key).split("{", 1)[0]


def export_pending() -> str | None:
    """Say why /export cannot be measured on this branch, or None when it can."""
    if "export" not in COMMANDS:
        return "/export is not a command of the bot on this branch yet (merge main)"
    return None


def evict(path: Path) -> None:
    """Drop a database file from the OS page cache: the next reads come from the disk."""
    for name in (path, Path(f"{path}-wal")):
        with contextlib.suppress(FileNotFoundError):
            descriptor = os.open(name, os.O_RDONLY)
            try:
                # Dirty pages stay cached: write them out first.
                os.fsync(descriptor)
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


async def bot_pass(
    db_path: Path,
    workdir: Path,
    facts: JSON,
    *,
    requests: int,
    warmup: int,
    exports: int,
) -> JSON:
    """Start the bot, then time the measured user's /history, buttons and /export."""
    result: JSON = {"settings": UNPACED}
    hint = catalog().text(LANGUAGE, "history.hint")
    finished = _prefix("exporting.done")
    page_two = Button(Action.HISTORY, None, "2").encode()
    page_one = Button(Action.HISTORY, None, "1").encode()

    def is_page(message: BotMessage) -> bool:
        """Tell whether a message is a page of the history."""
        return hint in message.text

    # The first /history then reads its pages from the disk, as after a reboot.
    evict(db_path)
    async with FakeTelegram(token=TOKEN) as fake:
        process = BotProcess.start(
            "history", "bot", [], bot_env(fake.url, db_path, UNPACED), workdir
        )
        ticks = machine_ticks()
        try:
            await wait_ready(fake, process)
            result["peak_memory_mib_after_start"] = process.peak_memory_mib()
            user = fake.user(facts["measured"]["user_id"], first_name="Camille", language_code="en")

            async def history(_: int) -> Sample:
                """Send /history."""
                return await act(
                    fake, user, lambda: user.send_text("/history"), is_page, REPLY_TIMEOUT
                )

            blocks = [await run_block("history", history, process, warmup=warmup, count=requests)]
            first_page = next(m for m in reversed(user.messages) if is_page(m))
            # Each debrief button of the first page, and the Edit button of the debrief it opens.
            targets = [
                (data, Button(Action.EDIT, button.debrief_id).encode())
                for _, data in first_page.buttons
                if (button := Button.decode(data)) is not None and button.action is Action.OPEN
            ]

            async def next_page(_: int) -> Sample:
                """Tap "Page 2" under the first page."""
                return await act(
                    fake,
                    user,
                    lambda: user.press(first_page, page_two),
                    lambda m: is_page(m) and m.has_callback(page_one),
                    REPLY_TIMEOUT,
                )

            async def open_one(number: int) -> Sample:
                """Tap a debrief of the first page, each in turn; wait for its action buttons."""
                data, edit = targets[number % len(targets)]
                return await act(
                    fake,
                    user,
                    lambda: user.press(first_page, data),
                    lambda m: m.has_callback(edit),
                    REPLY_TIMEOUT,
                )

            if first_page.has_callback(page_two):
                blocks.append(
                    await run_block("page_2", next_page, process, warmup=warmup, count=requests)
                )
            blocks.append(await run_block("open", open_one, process, warmup=warmup, count=requests))
            result["open_buttons_cycled"] = len(targets)
            result["peak_memory_mib_after_history"] = process.peak_memory_mib()
            pending = export_pending()
            if pending is not None:
                result["export_pending"] = pending
            elif exports:

                async def export(_: int) -> Sample:
                    """Send /export and wait for its completion message."""
                    return await act(
                        fake,
                        user,
                        lambda: user.send_text("/export"),
                        lambda m: m.text.startswith(finished),
                        EXPORT_TIMEOUT,
                    )

                warm = max(1, min(warmup, exports // 5))
                blocks.append(
                    await run_block("export", export, process, warmup=warm, count=exports)
                )
                result["peak_memory_mib_after_export"] = process.peak_memory_mib()
            result["blocks"] = {block.name: block.summary() for block in blocks}
            result["rejected"] = [f"{c.method}: {c.error}" for c in fake.rejected][:5]
        except (ProcessExited, TimeoutError, StopIteration) as error:
            result["error"] = f"{type(error).__name__}: {error}"
            print(process.log_tail(), file=sys.stderr)
        finally:
            result["exit_code"] = await process.stop()
        spent = {key: value - ticks.get(key, 0) for key, value in machine_ticks().items()}
        if sum(spent.values()):
            result["steal_percent"] = round(100 * spent["steal"] / sum(spent.values()), 1)
    return result


# ---------------------------------------------------------------------------------------------
# The queries, as the repositories run them


@dataclass(frozen=True, slots=True)
class Repositories:
    """The bot's repositories on one database."""

    debriefs: DebriefRepository
    reminders: ReminderRepository
    users: UserRepository


@dataclass(frozen=True, slots=True)
class Query:
    """A per-user read of the bot, what it serves, and how to run it for the measured user."""

    name: str
    serves: str
    run: Callable[[Repositories, JSON], Awaitable[object]]


QUERIES: Final = (
    Query(
        "debriefs.headlines",
        "/history and each of its pages",
        lambda r, m: r.debriefs.headlines(user_id=m["user_id"], keys=HEADLINE_KEYS),
    ),
    Query(
        "debriefs.get",
        "opening a debrief (and every history button)",
        lambda r, m: r.debriefs.get(user_id=m["user_id"], debrief_id=m["latest_id"]),
    ),
    Query(
        "debriefs.all_for",
        "/export",
        lambda r, m: r.debriefs.all_for(user_id=m["user_id"]),
    ),
    Query(
        "debriefs.rounds",
        "linking a round, the recall at the end of a next round",
        lambda r, m: r.debriefs.rounds(user_id=m["user_id"], debrief_id=m["deepest_round_id"]),
    ),
    Query(
        "debriefs.answer_part",
        "an edited message",
        lambda r, m: r.debriefs.answer_part(user_id=m["user_id"], message_id=m["message_id"]),
    ),
    Query(
        "debriefs.open_for",
        "every text and most buttons",
        lambda r, m: r.debriefs.open_for(user_id=m["user_id"]),
    ),
    Query(
        "reminders.pending_for",
        "/reminders, the outcome buttons",
        lambda r, m: r.reminders.pending_for(user_id=m["user_id"]),
    ),
    Query(
        "reminders.all_for",
        "a user's reminders, every state",
        lambda r, m: r.reminders.all_for(user_id=m["user_id"]),
    ),
    Query(
        "reminders.due",
        "the delivery job, every 30 s",
        lambda r, m: r.reminders.due(now=int(time.time()), limit=BATCH),
    ),
    Query(
        "users.profile",
        "the first update of a user after a start",
        lambda r, m: r.users.profile(user_id=m["user_id"]),
    ),
)


async def _plan(database: Database, sql: str) -> list[str]:
    """Return EXPLAIN QUERY PLAN of one statement as indented lines."""
    rows = await database.fetch_all(f"EXPLAIN QUERY PLAN {sql}", ())
    depth: dict[int, int] = {0: -1}
    lines = []
    for row in rows:
        depth[row[0]] = depth.get(row[1], -1) + 1
        lines.append("  " * depth[row[0]] + str(row[3]))
    return lines


async def _timed(call: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Run a call `repeat` times and return each duration."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        durations.append(time.perf_counter() - started)
    return durations


async def queries_pass(db_path: Path, facts: JSON, repeat: int, seed: int) -> JSON:
    """Time each per-user query and show its plan; then time deletes (foreign-key cascades)."""
    print("▶ queries …", flush=True)
    measured = facts["measured"]
    database = await open_database(db_path)
    result: JSON = {"repeat": repeat}
    try:
        repositories = Repositories(
            DebriefRepository(database), ReminderRepository(database), UserRepository(database)
        )
        statements: list[str] = []
        await database.connection.set_trace_callback(statements.append)
        for query in QUERIES:

            def call(query: Query = query) -> Awaitable[object]:
                """Run the query for the measured user."""
                return query.run(repositories, measured)

            statements.clear()
            await call()
            captured = list(statements)
            durations = await _timed(call, repeat)
            result[query.name] = {
                "serves": query.serves,
                "ms": percentiles_ms(durations),
                "plans": [await _plan(database, sql) for sql in captured],
            }
        result["deletes"] = await _deletes(database, repositories, measured, seed)
    finally:
        await database.close()
    return result


async def _deletes(
    database: Database, repositories: Repositories, measured: JSON, seed: int
) -> JSON:
    """Time deleting debriefs (🗑 in /history) and whole users (the cascade an erase runs)."""
    rng = random.Random(seed)
    rows = await database.fetch_all(
        "SELECT id, user_id FROM debriefs WHERE user_id != ? AND status = 'done'",
        (measured["user_id"],),
    )
    chosen = rng.sample(list(rows), min(30, len(rows)))
    per_debrief = []
    for row in chosen:
        begun = time.perf_counter()
        await repositories.debriefs.delete(user_id=row["user_id"], debrief_id=row["id"])
        per_debrief.append(time.perf_counter() - begun)
    size = measured["debriefs"]
    users = await database.fetch_all(
        "SELECT user_id FROM debriefs WHERE user_id != ? GROUP BY user_id"
        " HAVING count(*) BETWEEN ? AND ? ORDER BY user_id LIMIT 5",
        (measured["user_id"], size * 4 // 5, size * 6 // 5),
    )
    per_user = []
    for row in users:
        begun = time.perf_counter()
        await database.write(("DELETE FROM users WHERE user_id = ?", (row["user_id"],)))
        per_user.append(time.perf_counter() - begun)
    return {
        "debrief": {"count": len(per_debrief), "ms": percentiles_ms(per_debrief)},
        "user": {
            "count": len(per_user),
            "debriefs_each": f"{size * 4 // 5}–{size * 6 // 5}",
            "ms": percentiles_ms(per_user),
        },
    }


# ---------------------------------------------------------------------------------------------
# Report

STARTUP_TARGET_S: Final = 2.0
HISTORY_TARGET_MS: Final = 50.0
BLOCK_TITLES: Final = {
    "history": "/history (first page)",
    "page_2": "Page 2 button",
    "open": "open a debrief (button)",
    "export": "/export (to ✅ Export complete)",
}


def _number(value: object, unit: str = "") -> str:
    """Format a figure, or a dash when missing."""
    if value is None:
        return "—"
    return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def _database_lines(report: JSON) -> list[str]:
    """Render what the database holds and what opening it costs."""
    facts = report["database"]
    measured = facts["measured"]
    spread = facts["debriefs_per_user"]
    copy = report.get("copy", {})
    made = "cached" if facts.get("cached") else f"generated in {facts['generation_s']} s"
    lines = [
        "",
        f"Database: {facts['users']:,} users, {facts['debriefs']:,} debriefs,"
        f" {facts['answer_parts']:,} answer parts (avg {facts['answer_chars_avg']} chars,"
        f" {facts['answers_4000_chars']:,} of ~4,000), reminders {facts['reminders']};"
        f" {facts['file_mib']} MiB, {made}",
        f"  debriefs per user: p50 {spread['p50']}, p90 {spread['p90']}, p99 {spread['p99']},"
        f" max {spread['max']}; {spread['users_with_1']:,} users with one",
        f"  measured user {measured['user_id']}: {measured['debriefs']} debriefs"
        f" ({measured['linked_rounds']} linked as next rounds, longest chain"
        f" {measured['deepest_round_depth'] + 1} rounds), {measured['answer_parts']:,} answer"
        f" parts, {measured['answer_chars']:,} characters",
    ]
    if copy:
        lines.append(
            f"  copy {copy['copy_s']} s; migrations {copy['upgrade_migrations'] or 'none'} applied"
            f" to the copy in {copy['upgrade_ms']} ms; open + migrate an up-to-date database"
            f" p50 {copy['open_ms']['p50']} ms, max {copy['open_ms']['max']} ms ({copy['note']})"
        )
    return lines


def _startup_lines(startup: JSON) -> list[str]:
    """Render the start-up runs."""
    lines = ["", "Start-up (process start → first getUpdates at the fake server; → ready log line)"]
    titles = {
        "big": "big database",
        "empty": "empty database",
        "upgrade": "big database, first start after an upgrade",
    }
    for label, title in titles.items():
        part = startup.get(label)
        if not part:
            continue
        polling, logged = part["polling_s"], part["ready_log_s"]
        verdict = ""
        if label != "empty" and polling:
            verdict = (
                f" {check(polling['median'] < STARTUP_TARGET_S)} (target < {STARTUP_TARGET_S} s)"
            )
        if label == "upgrade":
            verdict += f", migrations {part['migrations']} included"
        lines.append(
            f"  {title:<44} getUpdates median {_number(polling.get('median'))} s,"
            f" max {_number(polling.get('max'))} s{verdict}; ready log median"
            f" {_number(logged.get('median'))} s; peak memory"
            f" {_number(part['peak_memory_mib'].get('median'))} MiB (n = {len(part['runs'])})"
        )
        lines += [f"    ✗ {error}" for error in part["errors"]]
    return lines


def _bot_lines(bot: JSON) -> list[str]:
    """Render the measured user's actions."""
    lines = [
        "",
        "The measured user, one action at a time, no pacing (DEBRIEF_MAX_MESSAGES_PER_SECOND=0)",
        "latency = the fake server receiving the user's update → the bot's message completing it",
        "",
        f"  {'action':<34}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'first':>9}"
        f"{'msgs':>6}{'CPU ms':>8}",
    ]
    for name, block in bot.get("blocks", {}).items():
        title = BLOCK_TITLES.get(name, name)
        if "latency_ms" not in block:
            lines.append(f"  {title:<34} ✗ {block.get('error', 'no samples')}")
            continue
        latency = block["latency_ms"]
        lines.append(
            f"  {title:<34}{block['count']:>5}{latency['p50']:>9}{latency['p95']:>9}"
            f"{latency['p99']:>9}{latency['max']:>9}{block['first_action_ms']:>9}"
            f"{block['messages_per_action']:>6}{_number(block.get('bot_cpu_ms_per_action')):>8}"
        )
        if block.get("error"):
            lines.append(f"    ✗ {block['error']}")
    history = bot.get("blocks", {}).get("history", {}).get("latency_ms", {})
    if history:
        ok = history["p95"] < HISTORY_TARGET_MS
        lines.append(
            f"  /history p95 {history['p95']} ms {check(ok)}"
            f" (target < {HISTORY_TARGET_MS:.0f} ms); first = the first action of its kind"
            " after start-up, ms (for /history: database file evicted from the OS page cache)"
        )
    export = bot.get("blocks", {}).get("export", {})
    if export.get("documents_per_action"):
        lines.append(
            f"  /export sends {export['documents_per_action']:.0f} documents"
            f" ({export['document_kib_per_action']:,.0f} KiB) in"
            f" {export['messages_per_action']:.0f} messages; the fake server parses every upload"
            " in the benchmark's process, inside the measured time"
        )
    if "export_pending" in bot:
        lines.append(f"  /export: pending — {bot['export_pending']}")
    lines.append(
        f"  bot peak memory (VmHWM): {_number(bot.get('peak_memory_mib_after_start'))} MiB after"
        f" start-up, {_number(bot.get('peak_memory_mib_after_history'))} after the history"
        f" actions, {_number(bot.get('peak_memory_mib_after_export'))} after /export;"
        f" steal {_number(bot.get('steal_percent'))} %"
    )
    if bot.get("error"):
        lines.append(f"  ✗ {bot['error']}")
    lines += [f"  ✗ rejected: {rejected}" for rejected in bot.get("rejected", [])]
    return lines


def _query_lines(queries: JSON) -> list[str]:
    """Render each query's time and plan, then the deletes."""
    lines = ["", f"Queries for the measured user (repositories, {queries['repeat']} runs each)"]
    for query in QUERIES:
        found = queries.get(query.name)
        if found is None:
            continue
        ms = found["ms"]
        lines.append(
            f"  {query.name:<24} p50 {ms['p50']:>6} ms  p95 {ms['p95']:>6} ms   ({found['serves']})"
        )
        for plan in found["plans"]:
            lines += [f"      {line}" for line in plan]
    deletes = queries.get("deletes")
    if deletes:
        debrief, user = deletes["debrief"], deletes["user"]
        lines.append(
            f"  delete one debrief (🗑)    p50 {debrief['ms']['p50']} ms, p95 {debrief['ms']['p95']}"
            f" ms ({debrief['count']} debriefs of other users)"
        )
        lines.append(
            f"  delete a user and all     p50 {user['ms']['p50']} ms, max {user['ms']['max']} ms"
            f" ({user['count']} users of {user['debriefs_each']} debriefs: the cascade of an erase)"
        )
    return lines


def render_report(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        *heading(
            f"Debrief history at scale — {report['cpus']} CPUs, Python {report['python']},"
            f" SQLite {report['sqlite']}, commit {report['commit']}"
        ),
        *_database_lines(report),
    ]
    if "startup" in report:
        out += _startup_lines(report["startup"])
    if "bot" in report:
        out += _bot_lines(report["bot"])
    if "queries" in report:
        out += _query_lines(report["queries"])
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def failed(report: JSON) -> bool:
    """Tell whether a pass had an error or missed a target."""
    startup = report.get("startup", {}).get("big", {})
    bot = report.get("bot", {})
    blocks = bot.get("blocks", {})
    problems = [
        bool(startup.get("errors")),
        startup.get("polling_s", {}).get("median", 0.0) >= STARTUP_TARGET_S,
        "error" in bot,
        any("error" in block for block in blocks.values()),
        blocks.get("history", {}).get("latency_ms", {}).get("p95", 0.0) >= HISTORY_TARGET_MS,
    ]
    return any(problems)


def report_head(sizes: Sizes, facts: JSON) -> JSON:
    """Start a report on the generated database: when, on what, at which commit."""
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "commit": git_commit(),
        "sizes": asdict(sizes),
        "database": facts,
    }


async def run(sizes: Sizes, args: argparse.Namespace) -> JSON:
    """Make (or reuse) the database, copy it, run the selected passes and return the report."""
    base, facts = await cached_database(sizes, fresh=args.fresh)
    report = report_head(sizes, facts)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        workdir = Path(tmp)
        copy, report["copy"] = await prepare_copy(base, workdir, args.startups)
        if args.only in ("all", "startup"):
            report["startup"] = await startup_pass(copy, base, workdir, args.startups)
        if args.only in ("all", "bot"):
            print("▶ the measured user …", flush=True)
            report["bot"] = await bot_pass(
                copy,
                workdir,
                facts,
                requests=args.requests,
                warmup=args.warmup,
                exports=args.exports,
            )
        if args.only in ("all", "queries"):
            report["queries"] = await queries_pass(copy, facts, args.query_repeat, sizes.seed)
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.history",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=positive, default=10_000, help="default 10000")
    parser.add_argument("--debriefs", type=positive, default=100_000, help="default 100000")
    parser.add_argument(
        "--measured", type=positive, default=50, help="the measured user's debriefs (default 50)"
    )
    parser.add_argument("--seed", type=int, default=20_261_126, help="of the generated data")
    parser.add_argument(
        "--startups", type=positive, default=5, help="start-ups per database (default 5)"
    )
    parser.add_argument(
        "--requests", type=positive, default=200, help="measured actions of each kind (200)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="warm-up actions (default 20)")
    parser.add_argument(
        "--exports", type=int, default=50, help="measured /export runs (default 50; 0: none)"
    )
    parser.add_argument(
        "--query-repeat", type=positive, default=100, help="runs of each query (default 100)"
    )
    parser.add_argument("--only", choices=("all", "startup", "bot", "queries"), default="all")
    parser.add_argument(
        "--fresh", action="store_true", help="generate the database again, even if cached"
    )
    args = parser.parse_args(argv)
    if args.users < 2:
        parser.error("--users must be at least 2")
    if args.debriefs < args.users - 1 + args.measured:
        parser.error("--debriefs must leave every other user at least one debrief")
    if args.warmup < 0 or args.exports < 0:
        parser.error("--warmup and --exports cannot be negative")
    sizes = Sizes(args.users, args.debriefs, args.measured, args.seed)
    return finish(run(sizes, args), "history", render_report, failed)


if __name__ == "__main__":
    sys.exit(main())
