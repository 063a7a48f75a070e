"""Simulated users: a whole debrief as people do it, and the same actions against an echo bot."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from bot.fakeapi import BotMessage, FakeUser
from conversations.checklist import Kind, Question, checklist
from conversations.i18n import catalog

__all__ = ["ECHO_BUTTON_DATA", "Action", "InFlight", "UserRun", "run_debrief", "run_echo"]

ActionKind = Literal["text", "button"]
ECHO_BUTTON_DATA: Final = "echo"
# The ending is the summary (a few messages at most), the email and the "saved" message.
MAX_ENDING_MESSAGES: Final = 20
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


def _button_label(question: Question) -> str | None:
    """Return the button a person would press for a question, or None to type an answer."""
    texts = catalog()
    match question.kind:
        case Kind.CHOICE:
            return question.options[0].label(LANGUAGE)
        case Kind.RATING:
            return "4"
        case Kind.DATE:
            return texts.text(LANGUAGE, "debrief.today_button")
        case _:
            return None


async def run_debrief(user: FakeUser, in_flight: InFlight, timeout: float) -> UserRun:  # noqa: ASYNC109
    """Do a whole debrief: /new, 25 answers (buttons where people tap), wait for the ending."""
    session = _Session(user, in_flight, timeout)
    questions = checklist()
    finished = catalog().text(LANGUAGE, "debrief.finished").split(":")[0]
    try:
        message = await session.text("/new")
        for question in questions:
            expected = f"Question {questions.number(question.key)}/{len(questions)}"
            if expected not in message.text:
                raise AssertionError(f"expected {expected}, got {message.describe()}")
            label = _button_label(question)
            if label is not None:
                message = await session.tap(message, label)
            else:
                message = await session.text(ANSWERS.get(question.key, f"About {question.key}."))
        last_action = session.run.waits[-1].sent_at
        for _ in range(MAX_ENDING_MESSAGES):
            if finished in message.text:
                break
            message = await session.next()
        else:
            raise AssertionError(f"no {finished!r} among {MAX_ENDING_MESSAGES} ending messages")
        session.run.ending_seconds = message.sent_at - last_action
        session.run.finished_at = message.sent_at
    except (TimeoutError, AssertionError, KeyError, ValueError) as error:
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
