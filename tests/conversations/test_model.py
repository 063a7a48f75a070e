"""The awaited answer is read and written in one place, in every format the bot ever stored."""

from __future__ import annotations

import pytest

from conversations.model import (
    Awaiting,
    EditPrompt,
    ReminderTimeOffer,
    ReminderTimePrompt,
    RoundDatePrompt,
    TimezonePrompt,
    dump_awaiting,
    parse_awaiting,
)

# What today's bot and every earlier version wrote into users.awaiting.
STORED = [
    ("timezone", TimezonePrompt()),
    ("edit:12:position", EditPrompt(12, "position")),
    ("edit:12:position:88", EditPrompt(12, "position", 88)),
    ("round:7", RoundDatePrompt(7)),
    ("questions:3", ReminderTimePrompt(3)),
    ("questions-offered:3", ReminderTimeOffer(3)),
    ("questions-offered:3:41", ReminderTimeOffer(3, 41)),
]


@pytest.mark.parametrize(("stored", "awaiting"), STORED, ids=[s for s, _ in STORED])
def test_every_stored_format_parses_and_is_written_back_the_same(
    stored: str, awaiting: Awaiting
) -> None:
    assert parse_awaiting(stored) == awaiting
    assert dump_awaiting(awaiting) == stored


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "edit",
        "edit:x:position",
        "edit:12",
        "edit:12:",
        "round:",
        "round:a",
        "later:1",
        "questions-offered:3:x",
    ],
)
def test_nothing_or_garbage_reads_as_nothing_awaited(stored: str | None) -> None:
    assert parse_awaiting(stored) is None


def test_nothing_awaited_is_written_as_null() -> None:
    assert dump_awaiting(None) is None
