"""Inline-button payloads: compact, reversible, and never over Telegram's 64 bytes."""

from __future__ import annotations

import re

import pytest

from bot.callbacks import MAX_BYTES, Action, Button


@pytest.mark.parametrize(
    "button",
    [
        Button(Action.NEW),
        Button(Action.RESUME, 7),
        Button(Action.RESTART, 7),
        Button(Action.ANSWER, 12, "interview_date", "2026-11-25"),
        Button(Action.ANSWER, 12, "rating", "5"),
        Button(Action.SKIP, 12, "position"),
        Button(Action.BACK, 12, "position"),
        Button(Action.KEEP, 12, "position"),
        Button(Action.FINISH, 12),
        Button(Action.ADD, 12, "position"),
        Button(Action.RETYPE, 2**53, "counter_arguments"),
        Button(Action.LANGUAGE, None, "fr"),
        Button(Action.ANSWER, 2**53, "interviewer_decides", "unknown"),
        Button(Action.ANSWER, 3, "key", "value:with:colons"),
    ],
    ids=str,
)
def test_encode_then_decode_gives_the_same_button(button: Button) -> None:
    data = button.encode()

    assert Button.decode(data) == button
    assert len(data.encode()) <= MAX_BYTES


def test_encoding_is_compact_and_drops_trailing_empty_fields() -> None:
    assert Button(Action.NEW).encode() == "new"
    assert Button(Action.FINISH, 12).encode() == "fin:12"
    assert Button(Action.LANGUAGE, None, "en").encode() == "lng::en"
    assert Button(Action.ANSWER, 12, "rating", "4").encode() == "ans:12:rating:4"


@pytest.mark.parametrize(
    "data",
    [None, "", "zzz", "unknown:1:x", "ans:notanumber:rating:4", "ans:1.5", ":1:rating", "NEW"],
)
def test_malformed_data_decodes_to_none(data: str | None) -> None:
    assert Button.decode(data) is None


def test_empty_fields_decode_to_none() -> None:
    assert Button.decode("ans:::") == Button(Action.ANSWER)
    assert Button.decode("skp:4:") == Button(Action.SKIP, 4)


def test_encoding_over_64_bytes_raises() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Button(Action.ANSWER, 1, "k" * 70).encode()


def test_the_limit_counts_bytes_not_characters() -> None:
    fits = Button(Action.ANSWER, 1, "k", "é" * 28)
    too_long = Button(Action.ANSWER, 1, "k", "é" * 29)

    assert len(fits.encode()) == 36
    assert len(fits.encode().encode()) == MAX_BYTES
    with pytest.raises(ValueError, match="64 bytes"):
        too_long.encode()


@pytest.mark.parametrize("action", list(Action))
def test_each_action_pattern_matches_only_its_own_buttons(action: Action) -> None:
    data = Button(action, 1, "key").encode()

    matching = [other for other in Action if re.match(other.pattern, data)]

    assert matching == [action]
    assert re.match(action.pattern, action.value)
