"""The domain model: debriefs, reminders, profiles and what the next text answers.

Plain typed values, free of SQL and of Telegram. `storage/` builds them from rows, once, and
writes them back; everything above works with these types only. This module imports nothing
but the standard library and the `Language` type, so that `storage/` can import it without
pulling in the rest of `conversations/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import assert_never

from conversations.i18n import Language

__all__ = [
    "AnswerPart",
    "Awaiting",
    "Debrief",
    "EditPrompt",
    "NewReminder",
    "NotePrompt",
    "Outcome",
    "Phase",
    "Profile",
    "Reminder",
    "ReminderKind",
    "ReminderState",
    "ReminderTimeOffer",
    "ReminderTimePrompt",
    "RoundDatePrompt",
    "Status",
    "TimezonePrompt",
    "dump_awaiting",
    "parse_awaiting",
]


class Status(StrEnum):
    """Where a debrief stands."""

    ACTIVE = "active"
    PAUSED = "paused"  # after /cancel; /new resumes it
    DONE = "done"


class Outcome(StrEnum):
    """How the application stands after the interview."""

    WAITING = "waiting"
    NEXT_ROUND = "next_round"
    OFFER = "offer"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ReminderKind(StrEnum):
    """What a follow-up reminder is about."""

    THANK_YOU = "thank_you"
    QUESTIONS = "questions"
    NO_NEWS = "no_news"
    FEEDBACK = "feedback"
    NEXT_ROUND = "next_round"
    DEEPER = "deeper"  # offer to go deeper into a debrief whose car-park part is done


class ReminderState(StrEnum):
    """A reminder's life: pending, then sent, then done or cancelled."""

    PENDING = "pending"
    SENT = "sent"
    DONE = "done"
    CANCELLED = "cancelled"


class Phase(StrEnum):
    """Which part of the checklist a debrief is in (None: begun before the express part)."""

    EXPRESS = "express"  # the car-park questions, before the draft
    DEEPER = "deeper"  # the rest, after the draft


@dataclass(frozen=True, slots=True)
class Debrief:
    """A debrief as stored: where it stands, and every answer given so far."""

    id: int
    user_id: int
    status: Status
    current_key: str | None
    asked_key: str | None
    asked_message_id: int | None
    append_key: str | None
    answers: dict[str, str] = field(default_factory=dict)
    message_ids: frozenset[int] = frozenset()
    outcome: Outcome = Outcome.WAITING
    next_round_date: date | None = None
    thank_you_sent: bool = False
    created_at: datetime | None = None
    finished_at: datetime | None = None
    previous_id: int | None = None
    # When the outcome last changed from "waiting", if known.
    outcome_at: datetime | None = None
    # Telegram's date (Unix seconds) of the message that asked the current question.
    asked_at: int | None = None
    # The question whose answer came within seconds of it: maybe the rest of the one before.
    quick_key: str | None = None
    # When the car-park part ended (draft and reminders sent); None while it runs.
    express_at: datetime | None = None
    # Which part of the checklist the debrief is in (None: begun before the express part).
    phase: Phase | None = None
    # The voice note's transcript message whose Retype button is still on, if any.
    heard_message_id: int | None = None
    # Answers carried over from the round before, which this round does not ask again.
    kept: frozenset[str] = frozenset()
    # The message still offering to go deeper (Now / Tonight / Later), if any.
    offer_message_id: int | None = None
    # The draft messages still showing Sent, oldest first.
    sent_buttons: tuple[int, ...] = ()

    @property
    def question_delivered(self) -> bool:
        """Tell whether the current question reached the user (it may not have, after a crash)."""
        return self.current_key is not None and self.asked_key == self.current_key


@dataclass(frozen=True, slots=True)
class AnswerPart:
    """Where the text of one Telegram message is stored: a part of an answer."""

    debrief_id: int
    key: str
    part: int


@dataclass(frozen=True, slots=True)
class NewReminder:
    """A reminder to schedule: what, when (Unix seconds, UTC) and which attempt."""

    kind: ReminderKind
    due_at: int
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class Reminder:
    """A stored reminder."""

    id: int
    user_id: int
    debrief_id: int
    kind: ReminderKind
    due_at: int
    state: ReminderState
    attempt: int


@dataclass(frozen=True, slots=True)
class TimezonePrompt:
    """/timezone without a zone: the next text names one."""


@dataclass(frozen=True, slots=True)
class EditPrompt:
    """An edit chosen in /history: the next text replaces the answer to `key`."""

    debrief_id: int
    key: str
    # The prompt's message, whose buttons go once the answer is replaced (None: older versions).
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class RoundDatePrompt:
    """The application has a next round: the next text gives its date."""

    debrief_id: int


@dataclass(frozen=True, slots=True)
class ReminderTimePrompt:
    """*Another time* was tapped: the next text says when to recall the forgotten questions."""

    debrief_id: int


@dataclass(frozen=True, slots=True)
class ReminderTimeOffer:
    """The end of a debrief offers to type a time for the forgotten questions; other text passes."""

    debrief_id: int
    # The offer's message, to show the time typed instead of its buttons (None: older versions).
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class NotePrompt:
    """A bare /note: the next text, typed or spoken, is kept as the debrief's free note."""

    debrief_id: int


Awaiting = (
    TimezonePrompt
    | EditPrompt
    | RoundDatePrompt
    | ReminderTimePrompt
    | ReminderTimeOffer
    | NotePrompt
)


def parse_awaiting(stored: str | None) -> Awaiting | None:
    """Read `users.awaiting` as written by any version of the bot; None for nothing or garbage."""
    match (stored or "").split(":"):
        case ["timezone"]:
            return TimezonePrompt()
        case ["edit", debrief_id, key] if debrief_id.isdigit() and key:
            return EditPrompt(int(debrief_id), key)
        case ["edit", debrief_id, key, message_id] if (
            debrief_id.isdigit() and key and message_id.isdigit()
        ):
            return EditPrompt(int(debrief_id), key, int(message_id))
        case ["round", debrief_id] if debrief_id.isdigit():
            return RoundDatePrompt(int(debrief_id))
        case ["questions", debrief_id] if debrief_id.isdigit():
            return ReminderTimePrompt(int(debrief_id))
        case ["questions-offered", debrief_id] if debrief_id.isdigit():
            return ReminderTimeOffer(int(debrief_id))
        case ["questions-offered", debrief_id, message_id] if (
            debrief_id.isdigit() and message_id.isdigit()
        ):
            return ReminderTimeOffer(int(debrief_id), int(message_id))
        case ["note", debrief_id] if debrief_id.isdigit():
            return NotePrompt(int(debrief_id))
        case _:
            return None


def dump_awaiting(awaiting: Awaiting | None) -> str | None:
    """Write an awaited answer as `users.awaiting` stores it (the format parse_awaiting reads)."""
    match awaiting:
        case None:
            return None
        case TimezonePrompt():
            return "timezone"
        case EditPrompt(debrief_id, key, None):
            return f"edit:{debrief_id}:{key}"
        case EditPrompt(debrief_id, key, message_id):
            return f"edit:{debrief_id}:{key}:{message_id}"
        case RoundDatePrompt(debrief_id):
            return f"round:{debrief_id}"
        case ReminderTimePrompt(debrief_id):
            return f"questions:{debrief_id}"
        case ReminderTimeOffer(debrief_id, None):
            return f"questions-offered:{debrief_id}"
        case ReminderTimeOffer(debrief_id, message_id):
            return f"questions-offered:{debrief_id}:{message_id}"
        case NotePrompt(debrief_id):
            return f"note:{debrief_id}"
        case _:
            assert_never(awaiting)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the bot keeps about a user to talk to them without an incoming update."""

    user_id: int
    language: Language | None
    telegram_language: str | None
    name: str | None
    timezone: str | None
    awaiting: Awaiting | None
