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


def speech_context(
    checklist: Checklist, debrief: Debrief | None, key: str | None, *, language: Language
) -> str | None:
    """Return the names already given and the question being answered, or None if nothing."""
    # The question first, then the names: measured best of the orders tried (benchmarks/wer.py).
    parts = []
    if key is not None and key in checklist:
        parts.append(checklist.question(key).prompt(language))
    if debrief is not None:
        for named in _NAMED:
            value = " ".join((debrief.answers.get(named) or "").split())
            if named is Key.INTERVIEWERS:
                # The people's names only: their roles and addresses are not said aloud.
                people = parse_people(debrief.answers.get(named) or "")
                value = ", ".join(person.full_name for person in people if person.full_name)
            if value and named != key:
                parts.append(value.rstrip(".") + ".")
    text = " ".join(parts)
    return text[-MAX_CONTEXT:] or None
