"""The debrief checklist: sections and questions loaded from checklist.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from conversations.french import typeset
from conversations.i18n import Language

__all__ = [
    "ANSWER_LIMIT",
    "EMAIL_LIMIT",
    "MAX_EXPRESS",
    "Checklist",
    "ChecklistError",
    "Key",
    "Kind",
    "LaterRounds",
    "Option",
    "Question",
    "Section",
    "checklist",
    "require_keys",
]

# One answer's parts added together: a long dictation fits, a flood of messages does not. One
# Telegram message (4,096 characters at most) always fits.
ANSWER_LIMIT = 20_000
# The longest address an email can be sent to (RFC 5321's 256-octet path, less its brackets).
EMAIL_LIMIT = 254

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Kind(StrEnum):
    """How a question is answered."""

    TEXT = "text"
    CHOICE = "choice"
    RATING = "rating"
    DATE = "date"
    PEOPLE = "people"


class Key(StrEnum):
    """The question keys the code reads answers by; checklist.toml must declare every one."""

    COMPANY = "company"
    POSITION = "position"
    INTERVIEW_DATE = "interview_date"
    INTERVIEWERS = "interviewers"
    INTERVIEWER_DECIDES = "interviewer_decides"
    RATING = "rating"
    OBSTACLES = "obstacles"
    COUNTER_ARGUMENTS = "counter_arguments"
    AWKWARD_QUESTIONS = "awkward_questions"
    FORGOTTEN_QUESTIONS = "forgotten_questions"
    BLUNDERS = "blunders"
    BEST_ARGUMENTS = "best_arguments"
    IMPROVE = "improve"
    NOT_CONVINCED = "not_convinced"
    NEXT_STEPS = "next_steps"
    EMAIL_MOMENT = "email_moment"
    EMAIL_STRENGTH = "email_strength"
    EMAIL_REASSURANCE = "email_reassurance"


class ChecklistError(ValueError):
    """The checklist lacks a question the code relies on."""


class Localized(BaseModel):
    """One text in every supported language."""

    model_config = _FROZEN
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("fr")
    @classmethod
    def _french_typography(cls, text: str) -> str:
        """Space the French text as French is printed (non-breaking space before ? ! : ;)."""
        return typeset(text)

    def __call__(self, language: Language) -> str:
        """Return the text in a language."""
        return self.fr if language == "fr" else self.en


class Option(BaseModel):
    """One answer of a choice question."""

    model_config = _FROZEN
    key: str = Field(pattern=r"^[a-z0-9_]{1,12}$")
    label: Localized
    synonyms: tuple[str, ...] = ()


class Question(BaseModel):
    """One question of the checklist."""

    model_config = _FROZEN
    key: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    kind: Kind
    optional: bool = True
    label: Localized
    prompt: Localized
    options: tuple[Option, ...] = ()
    max_length: int | None = Field(default=None, ge=1, le=ANSWER_LIMIT)

    @model_validator(mode="after")
    def _options_match_kind(self) -> Question:
        """Require options exactly on choice questions."""
        if (self.kind is Kind.CHOICE) != bool(self.options):
            raise ValueError(f"{self.key}: choice questions, and only they, have options")
        return self

    @property
    def limit(self) -> int:
        """Return the most characters an answer may hold, all its parts together."""
        if self.max_length is not None:
            return self.max_length
        return ANSWER_LIMIT

    def option(self, key: str) -> Option | None:
        """Return the option with that key, if any."""
        return next((option for option in self.options if option.key == key), None)


class Section(BaseModel):
    """A group of questions shown under one title."""

    model_config = _FROZEN
    key: str
    title: Localized
    questions: tuple[Question, ...] = Field(min_length=1)


# The car park's questions are asked before the draft; more would not fit in five minutes.
MAX_EXPRESS = 8


class LaterRounds(BaseModel):
    """What a later round of the same application takes from the round before."""

    model_config = _FROZEN
    # Filled in when the round is linked: the application's own answers.
    same: tuple[str, ...] = ()
    # Carried over and not asked again.
    keep: tuple[str, ...] = ()
    # Asked again, with a button to keep the earlier answer.
    offer: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _each_key_once(self) -> LaterRounds:
        """Reject a key named twice: each has one fate in a later round."""
        keys = [*self.same, *self.keep, *self.offer]
        if len(keys) != len(set(keys)):
            raise ValueError("later_rounds names each question once at most")
        return self

    @property
    def carried(self) -> tuple[str, ...]:
        """Return the keys whose answers are copied when a round is linked."""
        return (*self.same, *self.keep)


class Checklist(BaseModel):
    """The whole checklist: sections for the summary, and the order questions are asked in.

    The questions named by `express` (the car park) are asked first, in that order, then the
    others (the deeper part) in section order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))
    express: tuple[str, ...] = ()
    later_rounds: LaterRounds = LaterRounds()
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_are_unique(self) -> Checklist:
        """Reject a checklist where two questions share a key."""
        keys = [question.key for question in self]
        if len(keys) != len(set(keys)):
            raise ValueError("question keys must be unique")
        return self

    @model_validator(mode="after")
    def _express_is_short_and_known(self) -> Checklist:
        """Require the express part to name known questions, once each, the required ones too."""
        unknown = [key for key in self.express if key not in self]
        if unknown:
            raise ValueError(f"express names unknown questions: {unknown}")
        if len(set(self.express)) != len(self.express) or len(self.express) > MAX_EXPRESS:
            raise ValueError(f"express names at most {MAX_EXPRESS} questions, once each")
        if self.express and any(q.key not in self.express for q in self.required):
            raise ValueError("every required question belongs to the express part")
        return self

    @model_validator(mode="after")
    def _later_rounds_are_known(self) -> Checklist:
        """Require later_rounds to name known questions, and to keep none that is required."""
        rounds = self.later_rounds
        unknown = [key for key in (*rounds.carried, *rounds.offer) if key not in self]
        if unknown:
            raise ValueError(f"later_rounds names unknown questions: {unknown}")
        if any(not self.question(key).optional for key in rounds.carried):
            raise ValueError("later_rounds cannot carry a required question over")
        return self

    def __iter__(self) -> Iterator[Question]:  # type: ignore[override]
        """Iterate over the questions in order."""
        for section in self.sections:
            yield from section.questions

    def __len__(self) -> int:
        """Return the number of questions."""
        return len(self._order)

    @cached_property
    def _order(self) -> tuple[str, ...]:
        return (*self.express, *self.deeper)

    @cached_property
    def sequential(self) -> tuple[str, ...]:
        """Return every key in section order (the order of debriefs begun before the express)."""
        return tuple(question.key for question in self)

    @cached_property
    def deeper(self) -> tuple[str, ...]:
        """Return the keys asked after the draft, in section order."""
        return tuple(key for key in self.sequential if key not in self.express)

    @property
    def order(self) -> tuple[str, ...]:
        """Return every key in the order a debrief asks them: the express part first."""
        return self._order

    @cached_property
    def _by_key(self) -> dict[str, tuple[Question, Section]]:
        return {q.key: (q, s) for s in self.sections for q in s.questions}

    @property
    def first(self) -> Question:
        """Return the first question asked."""
        return self.question(self._order[0])

    def question(self, key: str) -> Question:
        """Return a question by key (KeyError when unknown)."""
        return self._by_key[key][0]

    def section_of(self, key: str) -> Section:
        """Return the section a question belongs to."""
        return self._by_key[key][1]

    def __contains__(self, key: object) -> bool:
        """Tell whether a question key exists."""
        return key in self._by_key

    def number(self, key: str) -> int:
        """Return the 1-based position of a question."""
        return self._order.index(key) + 1

    def after(self, key: str) -> Question | None:
        """Return the question after this one, or None at the end."""
        index = self._order.index(key) + 1
        return self.question(self._order[index]) if index < len(self._order) else None

    def key_after(self, key: str) -> str | None:
        """Return the key of the question after this one, or None at the end."""
        following = self.after(key)
        return following.key if following else None

    def before(self, key: str) -> Question | None:
        """Return the question before this one, or None at the start."""
        index = self._order.index(key) - 1
        return self.question(self._order[index]) if index >= 0 else None

    @property
    def required(self) -> tuple[Question, ...]:
        """Return the questions that cannot be skipped."""
        return tuple(question for question in self if not question.optional)


def load_checklist(text: str) -> Checklist:
    """Parse and validate a checklist written in TOML."""
    return Checklist.model_validate(tomllib.loads(text))


def require_keys(loaded: Checklist) -> Checklist:
    """Return the checklist if it declares every Key; ChecklistError names those it lacks."""
    missing = [key.value for key in Key if key not in loaded]
    if missing:
        raise ChecklistError(
            f"checklist.toml lacks the question(s) {', '.join(missing)}, which the code reads"
            " answers by (conversations.checklist.Key): restore or rename them in both places"
        )
    return loaded


@cache
def checklist() -> Checklist:
    """Return the checklist shipped with the package, loaded and checked once."""
    source = resources.files("conversations") / "checklist.toml"
    return require_keys(load_checklist(source.read_text("utf-8")))
