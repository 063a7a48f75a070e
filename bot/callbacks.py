"""Inline-button payloads: one compact, parseable format for every button the bot shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CANCEL", "IN_PLACE", "MAX_BYTES", "Action", "Button"]

MAX_BYTES = 64
# A button with this key updates its own message rather than sending a new one.
IN_PLACE = "here"
# A button with this key closes the choice it sits under (its keyboard goes).
CANCEL = "x"


class Action(StrEnum):
    """What a button does; the value prefixes its callback data."""

    NEW = "new"
    RESUME = "res"
    RESTART = "rst"
    ANSWER = "ans"
    SKIP = "skp"
    BACK = "bck"
    KEEP = "kep"
    FINISH = "fin"
    ADD = "add"
    SPLIT = "spl"
    DEEPER = "dpr"
    LANGUAGE = "lng"
    OUTCOME = "out"
    ROUND_UNKNOWN = "rnd"
    REMINDER = "rmd"
    THANKS_SENT = "snt"
    QUESTIONS_WHEN = "qwh"
    HISTORY = "his"
    OPEN = "opn"
    DRAFT = "drf"
    EDIT = "edt"
    EDIT_VALUE = "edv"
    STATUS = "sts"
    DELETE = "del"
    ERASE = "era"
    LINK = "lnk"
    NEXT_ROUND = "nxr"
    RETYPE = "rty"

    @property
    def pattern(self) -> str:
        """Return the regex a CallbackQueryHandler uses to route this action."""
        return rf"^{self.value}(:|$)"


@dataclass(frozen=True, slots=True)
class Button:
    """A decoded button payload. It carries no trust: handlers check it against the database.

    `debrief_id` is the id of the row the button acts on: a debrief, or a reminder for REMINDER.
    """

    action: Action
    debrief_id: int | None = None
    key: str | None = None
    value: str | None = None

    def encode(self) -> str:
        """Serialise to callback data (at most 64 bytes, as Telegram requires)."""
        parts = [self.action.value, *("" if p is None else str(p) for p in self._fields())]
        data = ":".join(parts).rstrip(":")
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def _fields(self) -> tuple[int | str | None, ...]:
        return (self.debrief_id, self.key, self.value)

    @classmethod
    def decode(cls, data: str | None) -> Button | None:
        """Parse callback data; None for anything malformed or forged beyond repair."""
        if not data:
            return None
        action, *rest = data.split(":", 3)
        try:
            parsed_action = Action(action)
            debrief_id = int(rest[0]) if rest and rest[0] else None
        except ValueError:
            return None
        key = rest[1] or None if len(rest) > 1 else None
        value = rest[2] or None if len(rest) > 2 else None
        return cls(parsed_action, debrief_id, key, value)
