"""Where a text goes: the conversation graph, declared once, as a pure function.

Debrief keeps no conversation state in memory: it is derived from what is stored (the open
debrief, its cursor, and `users.awaiting`), so it survives a `kill -9`. `route` reads those and
decides where a text goes, whatever its source: a typed message, a voice note's transcript (the
voice handler routes before transcribing, so a text that would be refused is not transcribed,
and its Retype button names the answer the route writes), or an edited message. Handlers only
carry the decision out.

State (what is stored)               A text goes to          What the user sees
-----------------------------------  ----------------------  ----------------------------------
TimezonePrompt (/timezone)           Prompt                  the change confirmed, then the
EditPrompt (edit from /history)      Prompt                    open question again if a debrief
ReminderTimePrompt (*Another time*)  Prompt                    is active; a text not understood
RoundDatePrompt (*Next round*)       Prompt                    is refused, the prompt stays
NotePrompt (a bare /note)            Prompt                  "Noted", kept as said
ReminderTimeOffer (a debrief's end,  Prompt                  a time: the reminder moved; any
  while no debrief is open)                                    other text: the offer forgotten,
                                                               the text routed again
a prompt naming a deleted debrief    (the prompt forgotten)  as if there were no prompt
no open debrief                      NoDraft                 "No debrief in progress"
a paused debrief                     PausedDraft             "Paused: /new resumes it"
active, every question behind        SummaryDue              the summary and the email
active, the car-park questions       SummaryDue              the summary so far, the email, the
  behind (phase 'express')                                     choice to go deeper
active, message already stored       Redelivered             the question, if it never arrived
active, the question's send failed   Unasked                 the question again, text not taken
active, *Add to previous* tapped     DraftAnswer: addition   "Added", the question again
active, sent before the question     DraftAnswer: continued  "Added"
active, otherwise                    DraftAnswer: answer     the next question, or why not; if
                                                               it came within QUICK_SECONDS of its
                                                               question, with a button that moves
                                                               it to the answer before
edited message with an answer part   EditedPart (route_edit) "Updated", under the message
edited message without one           Ignored                 nothing

A prompt is set by the command or button that asks for it and cleared once answered, by `/new`,
*Resume*, or any button or command that moves the debrief (the user went back to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import assert_never

from conversations.checklist import Checklist, Kind, Question
from conversations.model import (
    AnswerPart,
    Awaiting,
    Debrief,
    EditPrompt,
    NotePrompt,
    Phase,
    ReminderTimeOffer,
    ReminderTimePrompt,
    RoundDatePrompt,
    Status,
    TimezonePrompt,
)

__all__ = [
    "QUICK_SECONDS",
    "Destination",
    "DraftAnswer",
    "EditedPart",
    "Ignored",
    "NoDraft",
    "PausedDraft",
    "Prompt",
    "PromptReply",
    "Redelivered",
    "Route",
    "Situation",
    "SummaryDue",
    "TextRoute",
    "Unasked",
    "addable_question",
    "answered_quickly",
    "awaited_debrief_id",
    "can_finish",
    "carried_over",
    "express_due",
    "next_key",
    "previous_key",
    "progress",
    "route",
    "route_edit",
    "route_text",
    "sequence",
    "takes_text",
    "target_key",
    "written_answer",
]


class TextRoute(Enum):
    """What a text message means for the debrief it arrives in."""

    ALREADY_STORED = auto()
    ADDITION = auto()
    CONTINUATION = auto()
    ANSWER = auto()


@dataclass(frozen=True, slots=True)
class Situation:
    """What is stored about the user when a text arrives."""

    draft: Debrief | None
    awaiting: Awaiting | None = None
    # The debrief the awaited answer is about, loaded by the caller; None if it is gone.
    awaited: Debrief | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """The text answers what the bot just asked for; then `resume`'s question is asked again."""

    awaiting: Awaiting
    target: Debrief | None
    resume: Debrief | None


@dataclass(frozen=True, slots=True)
class NoDraft:
    """No debrief is open."""


@dataclass(frozen=True, slots=True)
class PausedDraft:
    """The open debrief is paused."""

    draft: Debrief


@dataclass(frozen=True, slots=True)
class SummaryDue:
    """Every question is behind: the summary is due (a crash came before it was sent)."""

    draft: Debrief


@dataclass(frozen=True, slots=True)
class Redelivered:
    """Telegram delivered this message again; it is stored already."""

    draft: Debrief


@dataclass(frozen=True, slots=True)
class Unasked:
    """Sending the current question failed: the text cannot be its answer; ask it again."""

    draft: Debrief


@dataclass(frozen=True, slots=True)
class DraftAnswer:
    """The text goes to the answer to `key` of the active debrief, as `how` says."""

    draft: Debrief
    key: str
    how: TextRoute


@dataclass(frozen=True, slots=True)
class EditedPart:
    """An edited message replaces the answer part it carried."""

    part: AnswerPart


@dataclass(frozen=True, slots=True)
class Ignored:
    """An edited message that carried no answer: nothing to do."""


Destination = Prompt | NoDraft | PausedDraft | SummaryDue | Redelivered | Unasked | DraftAnswer


@dataclass(frozen=True, slots=True)
class Route:
    """Where a text goes, and whether the stored prompt is stale and must be forgotten."""

    destination: Destination
    forget_prompt: bool = False


class PromptReply(Enum):
    """What became of a text offered to a prompt."""

    ANSWERED = auto()  # stored; the prompt is cleared
    REFUSED = auto()  # not understood: the user was told why, and the prompt stays
    PASSED = auto()  # an offer the text did not take: it is forgotten, the text routed again


def awaited_debrief_id(awaiting: Awaiting | None) -> int | None:
    """Return the debrief an awaited answer is about, if it is about one."""
    match awaiting:
        case None | TimezonePrompt():
            return None
        case EditPrompt(debrief_id, _):
            return debrief_id
        case RoundDatePrompt(debrief_id) | ReminderTimePrompt(debrief_id):
            return debrief_id
        case NotePrompt(debrief_id):
            return debrief_id
        case ReminderTimeOffer(debrief_id):
            return debrief_id
        case _:
            assert_never(awaiting)


def _prompt(checklist: Checklist, situation: Situation) -> Prompt | None:
    """Return the prompt a text answers, or None when there is none or it is stale."""
    awaiting, draft = situation.awaiting, situation.draft
    active = draft if draft is not None and draft.status == Status.ACTIVE else None
    match awaiting:
        case None:
            return None
        case TimezonePrompt():
            return Prompt(awaiting, None, active)
        case EditPrompt(_, key) if key not in checklist:
            return None
        case EditPrompt() | RoundDatePrompt() | ReminderTimePrompt() | NotePrompt():
            if situation.awaited is None:
                return None
            return Prompt(awaiting, situation.awaited, active)
        case ReminderTimeOffer():
            # Only an offer: once another debrief is open, the text belongs to it.
            if situation.awaited is None or draft is not None:
                return None
            return Prompt(awaiting, situation.awaited, None)
        case _:
            assert_never(awaiting)


def route(checklist: Checklist, situation: Situation, *, message_id: int) -> Route:
    """Decide where a typed or transcribed text goes (see the table above)."""
    prompt = _prompt(checklist, situation)
    if prompt is not None:
        return Route(prompt)
    stale = situation.awaiting is not None
    draft = situation.draft
    if draft is None:
        return Route(NoDraft(), stale)
    if draft.status == Status.PAUSED:
        return Route(PausedDraft(draft), stale)
    if draft.current_key is None or express_due(checklist, draft):
        return Route(SummaryDue(draft), stale)
    how = route_text(checklist, draft, message_id=message_id)
    key = target_key(checklist, draft, how)
    if key is None:
        return Route(Redelivered(draft), stale)
    if how is TextRoute.ANSWER and draft.asked_key is None:
        return Route(Unasked(draft), stale)
    return Route(DraftAnswer(draft, key, how), stale)


def route_edit(checklist: Checklist, carried: AnswerPart | None) -> EditedPart | Ignored:
    """Decide what an edited message changes: the answer part it carried, or nothing."""
    if carried is None or carried.key not in checklist:
        return Ignored()
    return EditedPart(carried)


def takes_text(destination: Destination) -> bool:
    """Tell whether a text would be stored somewhere (worth transcribing a voice note for)."""
    match destination:
        case Prompt() | DraftAnswer():
            return True
        case NoDraft() | PausedDraft() | SummaryDue() | Redelivered() | Unasked():
            return False
        case _:
            assert_never(destination)


def written_answer(destination: Destination) -> tuple[int, str] | None:
    """Return the (debrief id, question key) whose answer a text on this route writes."""
    match destination:
        case DraftAnswer(draft, key, _):
            return draft.id, key
        case Prompt(EditPrompt(debrief_id, key), _, _):
            return debrief_id, key
        case Prompt() | NoDraft() | PausedDraft() | SummaryDue() | Redelivered() | Unasked():
            return None
        case _:
            assert_never(destination)


def _order(checklist: Checklist, debrief: Debrief) -> tuple[str, ...]:
    """Return every key in the order the debrief's version asks them (section order if older)."""
    return checklist.order if debrief.phase is not None else checklist.sequential


def sequence(checklist: Checklist, debrief: Debrief) -> tuple[str, ...]:
    """Return the questions a debrief asks, in order: those kept from an earlier round left out."""
    return tuple(key for key in _order(checklist, debrief) if key not in debrief.kept)


def next_key(checklist: Checklist, debrief: Debrief, after: str) -> str | None:
    """Return the question to ask after `after`: the next in the debrief's order, or None."""
    order = _order(checklist, debrief)
    index = order.index(after) + 1 if after in order else len(order)
    return next((key for key in order[index:] if key not in debrief.kept), None)


def previous_key(checklist: Checklist, debrief: Debrief, key: str) -> str | None:
    """Return the question asked before `key` (answered or not), or None at the start."""
    order = _order(checklist, debrief)
    index = order.index(key) if key in order else 0
    return next((k for k in reversed(order[:index]) if k not in debrief.kept), None)


def progress(checklist: Checklist, debrief: Debrief, key: str) -> tuple[int, int]:
    """Return a question's number and the count of its part: the express, the deeper, or all."""
    if debrief.phase is None:
        whole = checklist.sequential
    elif key in checklist.express:
        whole = checklist.express
    else:
        whole = checklist.deeper
    part = [k for k in whole if k not in debrief.kept or k == key]
    return part.index(key) + 1, len(part)


def carried_over(
    checklist: Checklist, debrief: Debrief, earlier: Mapping[str, str]
) -> tuple[dict[str, str], frozenset[str], str | None]:
    """Return what linking a debrief to the round before changes: answers, kept keys, question.

    The earlier round's answers fill in what the debrief lacks of `later_rounds.same` and
    `.keep`; the `keep` ones it knows are then not asked. The debrief moves past its current
    question if that one was just filled in.
    """
    rounds = checklist.later_rounds
    answers = {
        key: earlier[key]
        for key in rounds.carried
        if earlier.get(key) and key not in debrief.answers
    }
    kept = debrief.kept | {key for key in rounds.keep if key in answers}
    current = debrief.current_key
    if current is not None and current in answers:
        current = next_key(checklist, replace(debrief, kept=kept), current)
    return answers, kept, current


def express_due(checklist: Checklist, debrief: Debrief) -> bool:
    """Tell whether the car-park questions are all behind and their end is still to send."""
    return debrief.phase is Phase.EXPRESS and debrief.current_key not in checklist.express


def addable_question(checklist: Checklist, debrief: Debrief) -> Question | None:
    """Return the previous question when its text answer can still be added to."""
    if debrief.current_key is None:
        return None
    before = previous_key(checklist, debrief, debrief.current_key)
    previous = None if before is None else checklist.question(before)
    if previous is None or previous.kind is not Kind.TEXT or previous.key not in debrief.answers:
        return None
    return previous


# Phone dictation sends a long answer in parts a few seconds apart: a text this soon after its
# question may be the rest of the answer before. It is filed as the answer all the same (a quick
# genuine answer must go straight on), and the next question offers to move it back.
QUICK_SECONDS = 10


def answered_quickly(checklist: Checklist, debrief: Debrief, *, sent_at: int | None) -> bool:
    """Tell whether a text answer came so soon after its question that it may continue the last."""
    if sent_at is None or debrief.asked_at is None or not debrief.question_delivered:
        return False
    assert debrief.current_key is not None
    if checklist.question(debrief.current_key).kind is not Kind.TEXT:
        return False
    return (
        addable_question(checklist, debrief) is not None
        and sent_at - debrief.asked_at <= QUICK_SECONDS
    )


def route_text(checklist: Checklist, debrief: Debrief, *, message_id: int) -> TextRoute:
    """Decide whether a text answers the current question or adds to an earlier answer."""
    if message_id in debrief.message_ids:
        # Telegram delivers again what the bot had not acknowledged when it was killed.
        return TextRoute.ALREADY_STORED
    if debrief.append_key is not None:
        return TextRoute.ADDITION
    if (
        addable_question(checklist, debrief) is not None
        and debrief.question_delivered
        and debrief.asked_message_id is not None
        and message_id < debrief.asked_message_id
    ):
        # Telegram numbers the messages a bot receives and sends in order: this one was written
        # before the current question reached the user, so it is the rest of a split dictation.
        # When the bot died before recording the question's delivery, the user most likely saw
        # it (the window is after Telegram's answer), so the text is taken as its answer.
        return TextRoute.CONTINUATION
    return TextRoute.ANSWER


def target_key(checklist: Checklist, debrief: Debrief, route: TextRoute) -> str | None:
    """Return the question whose answer a text on this route goes to; None if already stored."""
    match route:
        case TextRoute.ADDITION:
            return debrief.append_key
        case TextRoute.CONTINUATION:
            assert debrief.current_key is not None
            return previous_key(checklist, debrief, debrief.current_key)
        case TextRoute.ANSWER:
            return debrief.current_key
        case TextRoute.ALREADY_STORED:
            return None
        case _:
            assert_never(route)


def can_finish(checklist: Checklist, answers: dict[str, str]) -> bool:
    """Tell whether every required question has an answer."""
    return all(question.key in answers for question in checklist.required)
