"""Simulated users: a whole debrief as people do it, and the same actions against an echo bot."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from benchmarks.stats import percentile, percentiles_ms
from bot.fakeapi import BotMessage, FakeUser
from conversations.checklist import Kind, Question, checklist
from conversations.i18n import Language, catalog

__all__ = [
    "ANSWERS",
    "ECHO_BUTTON_DATA",
    "Action",
    "Debriefer",
    "InFlight",
    "Sample",
    "UserRun",
    "button_label",
    "latency",
    "run_debrief",
    "run_echo",
]

JSON = dict[str, Any]

ActionKind = Literal["text", "button"]
ECHO_BUTTON_DATA: Final = "echo"
# The ending is the summary (a few messages at most), the email and the "saved" message.
MAX_ENDING_MESSAGES: Final = 20
REPLY_TIMEOUT: Final = 30.0
THINK_TIME: Final = 0.5
LANGUAGE: Final = "en"
ANSWERS: Final = {
    "company": "Acme Robotics",
    "position": "Backend engineer",
    "interviewers": "Ms Claire Dubois, Head of platform, claire.dubois@acme.example",
    "company_info": "They are moving fleet telemetry to an event-driven platform.",
    "atmosphere": "Relaxed, people joked in the corridor.",
    "working_conditions": "Flexible hours, on-call one week in six.",
    "commute": "45 minutes by train, fine.",
    "position_info": "The team needs someone to own the ingestion pipeline.",
    "impressions": "Very positive.",
    "how_it_went": "Well overall, the system design part was hard.",
    "obstacles": "My lack of Kafka experience.",
    "counter_arguments": "I ran a RabbitMQ cluster handling 2 million messages a day.",
    "awkward_questions": "Why did you leave your last job after 18 months?",
    "forgotten_questions": "What does on-call look like?\nWhen would the role start?",
    "blunders": "I talked too long about my side project.",
    "best_arguments": "I cut the p99 latency of our payment API by 60%.",
    "improve": "Prepare a short story for each project.",
    "convinced": "Claire, thanks to the latency story.",
    "not_convinced": "The CTO, who wanted Kafka experience.",
    "next_steps": "Answer before 5 December, second round with the CTO.",
    "email_moment": "how you plan to move the fleet telemetry to events",
    "email_strength": "the RabbitMQ cluster I ran, two million messages a day",
    "email_reassurance": "I have started Confluent's Kafka course and will finish it this month.",
}


@dataclass(frozen=True, slots=True)
class Action:
    """One thing a user did: typed a text, or pressed a button (value is its label or data)."""

    kind: ActionKind
    value: str


@dataclass(slots=True)
class InFlight:
    """Counts the actions sent and not yet answered, across all users."""

    outstanding: int = 0


@dataclass(slots=True)
class Wait:
    """One action and the bot's first message after it (monotonic seconds)."""

    kind: ActionKind
    sent_at: float
    replied_at: float
    in_flight: int

    @property
    def seconds(self) -> float:
        """Return how long the user waited."""
        return self.replied_at - self.sent_at


@dataclass(slots=True)
class UserRun:
    """What one simulated user did and saw."""

    user_id: int
    started_at: float
    finished_at: float | None = None
    actions: list[Action] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    ending_seconds: float | None = None
    draft_at: float | None = None  # when the thank-you draft arrived (Telegram's clock)
    messages: int = 0
    error: str | None = None

    @property
    def completed(self) -> bool:
        """Tell whether the user got to the end."""
        return self.finished_at is not None and self.error is None

    @property
    def longest_wait(self) -> Wait | None:
        """Return the user's longest single wait."""
        return max(self.waits, key=lambda wait: wait.seconds, default=None)


class _Session:
    """Sends actions for one user and waits for the bot's next message each time."""

    def __init__(self, user: FakeUser, in_flight: InFlight, timeout: float) -> None:
        self.user = user
        self.in_flight = in_flight
        self.timeout = timeout
        self.run = UserRun(user.user_id, time.monotonic())

    async def act(self, action: Action, perform: Callable[[], Awaitable[object]]) -> BotMessage:
        """Perform an action, then return the bot's next message (the user waits for it)."""
        self.in_flight.outstanding += 1
        sent_at = time.monotonic()
        in_flight = self.in_flight.outstanding
        try:
            await perform()
            self.run.actions.append(action)
            reply = await self.user.next_message(timeout=self.timeout)
        finally:
            self.in_flight.outstanding -= 1
        self.run.messages += 1
        self.run.waits.append(Wait(action.kind, sent_at, reply.sent_at, in_flight))
        return reply

    async def next(self) -> BotMessage:
        """Return the bot's next message without acting."""
        reply = await self.user.next_message(timeout=self.timeout)
        self.run.messages += 1
        return reply

    def text(self, words: str) -> Awaitable[BotMessage]:
        """Type a text."""
        return self.act(Action("text", words), lambda: self.user.send_text(words))

    def tap(self, message: BotMessage, label: str) -> Awaitable[BotMessage]:
        """Press a button by its label."""
        return self.act(Action("button", label), lambda: self.user.press_button(message, label))

    def tap_data(self, message: BotMessage, data: str) -> Awaitable[BotMessage]:
        """Press a button by its callback data, whether or not the message shows it."""
        return self.act(Action("button", data), lambda: self.user.press(message, data, force=True))


def button_label(question: Question, language: Language) -> str | None:
    """Return the button a person would press for a question, or None to type an answer."""
    match question.kind:
        case Kind.CHOICE:
            return question.options[0].label(language)
        case Kind.RATING:
            return "4"
        case Kind.DATE:
            return catalog().text(language, "debrief.today_button")
        case _:
            return None


@dataclass(slots=True)
class Sample:
    """One action of the debriefing user and how long the bot took to answer it."""

    action: str
    seconds: float
    at: float


class Debriefer:
    """A user going through debriefs one answer at a time, timing every reply."""

    language: Final[Language] = "en"

    def __init__(self, user: FakeUser) -> None:
        """Prepare a user with no debrief open yet."""
        self.user = user
        # The car-park part: what a debrief asks before the draft (the deeper part is optional).
        self.questions = [checklist().question(key) for key in checklist().express]
        self.finished = catalog().text(self.language, "debrief.finished").split(":")[0]
        self.message: BotMessage | None = None
        self.position = 0
        self.debriefs_finished = 0

    async def act(self) -> Sample:
        """Take the next step (/new, or answer the current question) and time the reply."""
        if self.message is None:
            action = "/new"
            sent = time.monotonic()
            await self.user.send_text("/new")
            self.position = 0
        else:
            question = self.questions[self.position]
            label = button_label(question, self.language)
            sent = time.monotonic()
            if label is not None:
                action = "button"
                await self.user.press_button(self.message, label)
            else:
                action = "text"
                await self.user.send_text(ANSWERS.get(question.key, f"About {question.key}."))
            self.position += 1
        reply = await self.user.next_message(timeout=REPLY_TIMEOUT)
        sample = Sample(action, reply.sent_at - sent, sent)
        if self.position == len(self.questions):
            await self._ending(reply)
            return sample
        expected = f"{self.position + 1}/{len(self.questions)}"
        if expected not in reply.text:
            raise AssertionError(f"expected question {expected}, got {reply.describe()}")
        self.message = reply
        return sample

    async def _ending(self, message: BotMessage) -> None:
        """Read the summary, the email and the closing message; then a new debrief can start."""
        for _ in range(MAX_ENDING_MESSAGES):
            if self.finished in message.text:
                self.message = None
                self.debriefs_finished += 1
                return
            message = await self.user.next_message(timeout=REPLY_TIMEOUT)
        raise AssertionError(f"no {self.finished!r} among {MAX_ENDING_MESSAGES} ending messages")

    async def run(self, samples: list[Sample], stop: asyncio.Event, limit: int) -> str | None:
        """Act every THINK_TIME until stop is set or limit actions; return an error, if any."""
        try:
            for _ in range(limit):
                if stop.is_set():
                    return None
                samples.append(await self.act())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), THINK_TIME)
        except (TimeoutError, AssertionError, KeyError, ValueError) as error:
            return f"{type(error).__name__}: {error}"
        return None


def latency(samples: list[Sample]) -> JSON:
    """Return the p50/p95/max of the reply times, in milliseconds, and by action."""
    seconds = [sample.seconds for sample in samples]
    result: JSON = {"answers": len(samples)}
    for name, q in (("p50", 50.0), ("p95", 95.0), ("max", 100.0)):
        value = percentile(seconds, q)
        result[f"{name}_ms"] = None if value is None else round(value * 1000, 1)
    result["by_action_ms"] = {
        action: percentiles_ms([s.seconds for s in samples if s.action == action])
        for action in sorted({s.action for s in samples})
    }
    return result


async def _answer(session: _Session, message: BotMessage, keys: Sequence[str]) -> BotMessage:
    """Answer these questions as they come (buttons where people tap); return the next message."""
    for number, key in enumerate(keys, start=1):
        question = checklist().question(key)
        expected = f"Question {number}/{len(keys)}"
        if expected not in message.text:
            raise AssertionError(f"expected {expected}, got {message.describe()}")
        label = button_label(question, LANGUAGE)
        if label is not None:
            message = await session.tap(message, label)
        else:
            message = await session.text(ANSWERS.get(question.key, f"About {question.key}."))
    return message


async def _until(session: _Session, message: BotMessage, fragment: str) -> list[BotMessage]:
    """Read messages from `message` on until one contains `fragment`; return them all."""
    seen = [message]
    while fragment not in seen[-1].text:
        if len(seen) >= MAX_ENDING_MESSAGES:
            raise AssertionError(f"no {fragment!r} among {MAX_ENDING_MESSAGES} ending messages")
        seen.append(await session.next())
    return seen


async def run_debrief(
    user: FakeUser,
    in_flight: InFlight,
    timeout: float,  # noqa: ASYNC109 - every wait is bounded
    *,
    deeper: bool = False,
) -> UserRun:
    """Do a debrief's car-park part: /new, its answers (buttons where people tap), the ending.

    deeper: then go deeper at once ("Now") and answer the rest of the checklist to its end.
    """
    session = _Session(user, in_flight, timeout)
    texts = catalog()
    finished = texts.text(LANGUAGE, "debrief.finished").split(":")[0]
    try:
        message = await _answer(session, await session.text("/new"), checklist().express)
        last_action = session.run.waits[-1].sent_at
        ending = await _until(session, message, finished)
        session.run.draft_at = next((m.sent_at for m in ending if "<pre>" in m.html), None)
        session.run.ending_seconds = ending[-1].sent_at - last_action
        if deeper:
            now = texts.text(LANGUAGE, "deeper.now_button")
            offer = next(m for m in ending if now in m.labels)
            message = await _answer(session, await session.tap(offer, now), checklist().deeper)
            done = texts.text(LANGUAGE, "deeper.done").split(" (")[0]
            ending = await _until(session, message, done)
        session.run.finished_at = ending[-1].sent_at
    except (TimeoutError, AssertionError, KeyError, ValueError, StopIteration) as error:
        session.run.error = f"{type(error).__name__}: {error}"
    return session.run


async def run_echo(
    user: FakeUser,
    script: list[Action],
    in_flight: InFlight,
    timeout: float,  # noqa: ASYNC109 - every wait is bounded
) -> UserRun:
    """Replay a debrief's actions against the echo bot, waiting for each echo."""
    session = _Session(user, in_flight, timeout)
    message: BotMessage | None = None
    try:
        for action in script:
            if action.kind == "text" or message is None:
                message = await session.text(action.value)
            else:
                message = await session.tap_data(message, ECHO_BUTTON_DATA)
        session.run.finished_at = message.sent_at if message else time.monotonic()
    except (TimeoutError, KeyError, ValueError) as error:
        session.run.error = f"{type(error).__name__}: {error}"
    return session.run
