"""Where a debrief goes next: pure decisions over the stored draft and the checklist."""

from __future__ import annotations

from enum import Enum, auto

from conversations.checklist import Checklist, Kind, Question
from storage.debriefs import Debrief

__all__ = ["TextRoute", "addable_question", "can_finish", "route_text", "target_key"]


class TextRoute(Enum):
    """What a text message means for the debrief it arrives in."""

    ALREADY_STORED = auto()
    ADDITION = auto()
    CONTINUATION = auto()
    ANSWER = auto()


def addable_question(checklist: Checklist, debrief: Debrief) -> Question | None:
    """Return the previous question when its text answer can still be added to."""
    if debrief.current_key is None:
        return None
    previous = checklist.before(debrief.current_key)
    if previous is None or previous.kind is not Kind.TEXT or previous.key not in debrief.answers:
        return None
    return previous


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
            previous = checklist.before(debrief.current_key)
            return previous.key if previous else None
        case TextRoute.ANSWER:
            return debrief.current_key
        case _:
            return None


def can_finish(checklist: Checklist, answers: dict[str, str]) -> bool:
    """Tell whether every required question has an answer."""
    return all(question.key in answers for question in checklist.required)
