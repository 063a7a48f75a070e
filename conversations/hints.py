"""What a spoken answer is likely to echo, to prime its transcription: names given, the question."""

from __future__ import annotations

from conversations.checklist import Checklist, Key
from conversations.i18n import Language
from conversations.model import Debrief
from conversations.people import parse_people

__all__ = ["MAX_CONTEXT", "speech_context"]

# Names a later answer is likely to say again: spelled as the user wrote them.
_NAMED = (Key.COMPANY, Key.POSITION, Key.INTERVIEWERS)
# Whisper reads at most 223 prompt tokens; a few names and a question stay far below.
MAX_CONTEXT = 400


def _names(key: str, answer: str) -> str:
    """Return what of an answer is likely said again: for the people, their names only."""
    if key == Key.INTERVIEWERS:
        # Their roles and addresses are not said aloud.
        return ", ".join(person.full_name for person in parse_people(answer) if person.full_name)
    return " ".join(answer.split())


def speech_context(
    checklist: Checklist,
    debrief: Debrief | None,
    key: str | None,
    *,
    language: Language,
    earlier: str | None = None,
) -> str | None:
    """Return the names already given and the question being answered, or None if nothing.

    earlier: the round before's answer to this question (a later round), likely said again.
    """
    # The question first, then the names: measured best of the orders tried (benchmarks/wer.py).
    parts = []
    if key is not None and key in checklist:
        # Plain spaces only: a non-breaking one (French typography) made Whisper hear nothing.
        parts.append(" ".join(checklist.question(key).prompt(language).split()))
    answers = dict(debrief.answers) if debrief is not None else {}
    if earlier and key is not None and key not in answers:
        answers[key] = earlier
    for named in _NAMED:
        value = _names(named, answers.get(named) or "")
        if value and (named != key or earlier):
            parts.append(value.rstrip(".") + ".")
    text = " ".join(parts)
    return text[-MAX_CONTEXT:] or None
