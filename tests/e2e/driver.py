"""Drive the real bot through the fake Bot API the way a person would, and read the results."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# APScheduler ships no type information.
from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    JobExecutionEvent,
)

from bot.app import build_application, running
from bot.callbacks import Action, Button
from bot.config import Settings
from bot.context import DebriefApplication
from bot.fakeapi import BotMessage, FakeTelegram, FakeUser
from conversations.checklist import Kind, checklist
from conversations.i18n import Language, catalog

__all__ = [
    "SPOKEN",
    "TOKEN",
    "TRANSCRIBED_WITHIN",
    "BotProcess",
    "Clock",
    "Debriefer",
    "JobRuns",
    "bot_at",
    "bot_process",
    "has",
    "stale_keyboards",
    "stored_answers",
    "stored_debriefs",
]

TOKEN = "123456:TEST-token-for-offline-tests-only"
WAIT = 15.0
# Transcription shares 2 cores with the rest of the test run.
TRANSCRIBED_WITHIN = 120.0
# An answer given as '🎙 text' is spoken (Debriefer.speak).
SPOKEN = "🎙"
# What can still act once a debrief is over (see stale_keyboards).
LIVE_AFTER_END = frozenset(
    {
        *(Action.THANKS_SENT, Action.DRAFT, Action.QUESTIONS_WHEN, Action.STATUS),
        *(Action.HISTORY, Action.OPEN, Action.EDIT, Action.DELETE, Action.NEW),
    }
)


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        """Return the current (fake) time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


def text(language: Language, key: str) -> str:
    """Return a catalogue text with HTML tags removed, as the user reads it."""
    template = catalog().text(language, key)
    return template.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")


class Debriefer:
    """A simulated user who answers the debrief.

    speak: makes a voice note of a text; answers given as '🎙 text' are then sent as voice.
    """

    def __init__(
        self, user: FakeUser, language: Language, speak: Callable[[str], bytes] | None = None
    ) -> None:
        self.user = user
        self.language = language
        self.speak = speak

    async def next(self) -> BotMessage:
        """Return the next message the bot sends this user."""
        return await self.user.next_message(timeout=WAIT)

    async def say(self, words: str) -> BotMessage:
        """Send a text and return the bot's next message."""
        await self.user.send_text(words)
        return await self.next()

    async def tap(self, message: BotMessage, label: str) -> BotMessage:
        """Tap a button of a message and return the bot's next message."""
        await self.user.press_button(message, label)
        return await self.next()

    async def tap_in_place(self, message: BotMessage, label: str) -> BotMessage:
        """Tap a button whose message updates in place; return that message once edited."""
        await self.user.press_button(message, label)
        # The press only queues the update: the bot cannot edit before this wait has begun.
        return await self.user.wait_edit(message.message_id, timeout=WAIT)

    async def settled(self, message: BotMessage) -> BotMessage:
        """Wait until a question or button message is edited without a keyboard; return it."""
        return await self.user.fake.wait_for_message(
            self.user.chat_id,
            after=message.index,
            predicate=lambda m: m.message_id == message.message_id and m.edited and not m.buttons,
            timeout=WAIT,
        )

    async def question(self, key: str) -> BotMessage:
        """Wait for the question `key` and check its progress line (within its part)."""
        message = await self.next()
        part = checklist().express if key in checklist().express else checklist().deeper
        # A debrief begun before the express order counts in the whole checklist's order.
        whole = checklist().sequential
        expected = (
            f"Question {part.index(key) + 1}/{len(part)}",
            f"Question {whole.index(key) + 1}/{len(whole)}",
        )
        assert any(line in message.text for line in expected), message.describe()
        prompt = checklist().question(key).prompt(self.language)
        assert prompt in message.text, message.describe()
        return message

    async def until(self, fragment: str) -> list[BotMessage]:
        """Collect messages until one contains `fragment`; return them all."""
        seen = [await self.next()]
        while fragment not in seen[-1].text:
            seen.append(await self.next())
        return seen

    def label(self, key: str) -> str:
        """Return a button label in the user's language."""
        return text(self.language, key)

    def ended(self, message: BotMessage) -> bool:
        """Tell whether a message ends a debrief: its car-park part, or the whole of it."""
        return any(
            text(self.language, key).split(split)[0] in message.text
            for key, split in (("debrief.finished", ":"), ("deeper.done", " ("))
        )

    def car_park_end(self, ending: list[BotMessage]) -> list[BotMessage]:
        """Return the messages of the car-park end among an ending (through its last message)."""
        finished = text(self.language, "debrief.finished").split(":")[0]
        last = next(i for i, m in enumerate(ending) if finished in m.text)
        return ending[: last + 1]

    async def until_end(self) -> list[BotMessage]:
        """Collect messages until the end of a debrief (or of its car-park part); return them."""
        seen = [await self.next()]
        while not self.ended(seen[-1]):
            seen.append(await self.next())
        return seen

    async def answer_keys(
        self, answers: Mapping[str, str], first: BotMessage | None = None
    ) -> BotMessage:
        """Answer by key, in the order the bot asks, skipping the others; return what comes next.

        Buttons are given as '[label]'. Past the car-park part, goes deeper at once ("Now") when
        `answers` still has questions left.
        """
        order = checklist().order
        places = [order.index(key) for key in answers]
        message = first or await self.next()
        for key in order[min(places) : max(places) + 1]:
            question = checklist().question(key)
            while question.prompt(self.language) not in message.text:
                if self.label("deeper.now_button") in message.labels:
                    await self.user.press_button(message, self.label("deeper.now_button"))
                message = await self.next()  # a preface, the express end, a round's offer
            value = answers.get(key)
            if value is None:
                await self.user.press_button(message, self.label("debrief.skip_button"))
            elif value.startswith("[") and value.endswith("]"):
                await self.user.press_button(message, value[1:-1])
            else:
                assert question.kind is not Kind.CHOICE or value, key
                await self.user.send_text(value)
            message = await self.next()
        return message

    async def skip_to(self, key: str, message: BotMessage | None = None) -> BotMessage:
        """Skip every question before `key`, going deeper at once if need be; return `key`'s."""
        prompt = checklist().question(key).prompt(self.language)
        message = message or await self.next()
        while prompt not in message.text:
            if self.label("deeper.now_button") in message.labels:
                await self.user.press_button(message, self.label("deeper.now_button"))
            elif self.label("debrief.skip_button") in message.labels:
                await self.user.press_button(message, self.label("debrief.skip_button"))
            message = await self.next()
        return message

    async def answer_everything(
        self, answers: Mapping[str, str], first: BotMessage | None = None
    ) -> list[BotMessage]:
        """Answer every question by key, skipping the others; return the messages of the end.

        The car-park questions come first; if `answers` has any of the others, the debrief goes
        deeper at once and the messages of its end follow those of the car-park end.
        """
        await self.answer_part(checklist().express, answers, first)
        ending = await self.until(text(self.language, "debrief.finished").split(":")[0])
        if not any(key in answers for key in checklist().deeper):
            return ending
        offer = next(m for m in ending if self.label("deeper.now_button") in m.labels)
        await self.user.press_button(offer, self.label("deeper.now_button"))
        await self.answer_part(checklist().deeper, answers)
        return [*ending, *await self.until(text(self.language, "deeper.done").split(" (")[0])]

    async def answer_part(
        self, keys: Sequence[str], answers: Mapping[str, str], first: BotMessage | None = None
    ) -> None:
        """Answer these questions in order (skipping those `answers` lacks)."""
        message = first
        for number, key in enumerate(keys, start=1):
            question = checklist().question(key)
            message = message or await self.next()
            while question.prompt(self.language) not in message.text:
                message = await self.next()  # a preface or a round's offer before it
            assert f"Question {number}/{len(keys)}" in message.text, message.describe()
            value = answers.get(key)
            if value is None:
                await self.user.press_button(message, self.label("debrief.skip_button"))
            elif value.startswith("[") and value.endswith("]"):
                await self.user.press_button(message, value[1:-1])
            elif value.startswith(SPOKEN):
                await self.say_aloud(value.removeprefix(SPOKEN).strip())
            else:
                assert question.kind is not Kind.CHOICE or value, key
                await self.user.send_text(value)
            message = None

    async def say_aloud(self, words: str) -> BotMessage:
        """Send `words` as a voice note and return what the bot heard (once transcribed)."""
        assert self.speak is not None, "this user cannot speak"
        await self.user.send_voice(self.speak(words), duration=max(1, len(words) // 12))
        heard = await self.user.next_message(timeout=TRANSCRIBED_WITHIN)
        assert heard.text.startswith("🎙"), heard.describe()
        return heard


def stale_keyboards(user: FakeUser) -> list[BotMessage]:
    """Return the messages of the chat whose keyboard can no longer act, a debrief being over.

    Only these still can: the draft's Sent (and its switch between drafts), the choice of when
    to recall the forgotten questions, the status, the history's list and views, and a new
    debrief (or next round). A link button always works.
    """

    def acts(data: str) -> bool:
        button = Button.decode(data)
        return button is None or button.action in LIVE_AFTER_END

    return [m for m in user.messages if not all(acts(data) for _, data in m.buttons)]


def _connect(path: Path) -> sqlite3.Connection:
    """Open the bot's database read-only, as a separate reader (WAL allows it)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def stored_debriefs(path: Path, user_id: int) -> list[dict[str, object]]:
    """Return a user's debrief rows straight from the database file."""
    with _connect(path) as db:
        rows = db.execute("SELECT * FROM debriefs WHERE user_id = ? ORDER BY id", (user_id,))
        return [dict(row) for row in rows]


def stored_answers(path: Path, user_id: int) -> dict[str, str]:
    """Return the answers of the user's latest debrief straight from the database file."""
    with _connect(path) as db:
        rows = db.execute(
            "SELECT question_key, group_concat(text, char(10)) AS answer FROM ("
            " SELECT p.question_key, p.text FROM answer_parts p"
            " JOIN debriefs d ON d.id = p.debrief_id"
            " WHERE d.user_id = ? AND d.id = (SELECT max(id) FROM debriefs WHERE user_id = ?)"
            " ORDER BY p.question_key, p.part)"
            " GROUP BY question_key",
            (user_id, user_id),
        )
        return {row["question_key"]: row["answer"] for row in rows}


ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """`python -m bot` in its own process, pointed at the fake server."""

    def __init__(self, telegram: FakeTelegram, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DEBRIEF_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.url,
            "DEBRIEF_DB_PATH": str(folder / "data" / "debrief.sqlite3"),
            "DEBRIEF_MAX_MESSAGES_PER_SECOND": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        """Start the bot (its log goes to a file beside the database)."""
        self.starts += 1
        log = (self.folder / f"bot-{self.starts}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.folder, env=self.env, stdout=log, stderr=log
        )
        log.close()

    async def kill(self) -> None:
        """Kill the bot with SIGKILL, as a crash or an OOM killer would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        """Stop the bot if it still runs."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), WAIT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@asynccontextmanager
async def bot_process(telegram: FakeTelegram, folder: Path) -> AsyncIterator[BotProcess]:
    """Run the bot as a separate process for the duration of a block."""
    process = BotProcess(telegram, folder)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


class JobRuns:
    """Counts the finished runs of one job of the bot's JobQueue, so tests can wait for runs."""

    def __init__(self, application: DebriefApplication, name: str) -> None:
        assert application.job_queue is not None
        [job] = application.job_queue.get_jobs_by_name(name)
        self._job_id = job.job.id
        self._loop = asyncio.get_running_loop()
        self._finished = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        application.job_queue.scheduler.add_listener(
            self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )

    def _on_event(self, event: JobExecutionEvent) -> None:
        """Count a finished run (APScheduler may call this from another thread)."""
        if event.job_id == self._job_id:
            self._loop.call_soon_threadsafe(self._count)

    def _count(self) -> None:
        self._finished += 1
        for target, future in self._waiters:
            if self._finished >= target and not future.done():
                future.set_result(None)

    async def wait(self, runs: int) -> None:
        """Wait until `runs` more runs have finished; all but the first began after this call."""
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append((self._finished + runs, future))
        async with asyncio.timeout(WAIT):
            await future


def has(fragment: str) -> Callable[[BotMessage], bool]:
    """Match a bot message containing `fragment`."""
    return lambda message: fragment in message.text


@asynccontextmanager
async def bot_at(settings: Settings, clock: Clock) -> AsyncIterator[DebriefApplication]:
    """Run the bot with a given clock."""
    async with running(build_application(settings, clock=clock)) as application:
        yield application
