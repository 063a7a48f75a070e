"""A dictation split in two is never filed silently under the next question, nor costs a tap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.context import DebriefApplication
from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from speech import Transcriber
from tests.e2e.driver import Clock, Debriefer, stored_answers
from tests.recordings import speak

FIRST = checklist().first.key
SECOND = checklist().key_after(FIRST) or ""
THIRD = checklist().key_after(SECOND) or ""
FIX = "↩ That was the rest of my previous answer"
ADD = "➕ Add to previous answer"
# Transcription shares 2 cores with the rest of the test run.
TRANSCRIBED_WITHIN = 120.0


@pytest.fixture
async def voice_bot(
    settings: Settings, clock: Clock, transcriber: Transcriber
) -> AsyncIterator[DebriefApplication]:
    """Run the bot with the test Whisper model."""
    async with running(build_application(settings, clock=clock, speech=transcriber)) as app:
        yield app


async def _at_second(telegram: FakeTelegram, user_id: int) -> tuple[Debriefer, BotMessage]:
    """Start a debrief, answer the first question, and return the second question."""
    person = Debriefer(telegram.user(user_id, language_code="en"), "en")
    await person.user.send_text("/new")
    await person.question(FIRST)
    await person.user.send_text("Acme, the robotics company that builds warehouse arms")
    return person, await person.question(SECOND)


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("apart", [1, 2, 5])
async def test_the_rest_of_a_typed_dictation_is_filed_with_a_one_tap_fix(
    telegram: FakeTelegram, db_path: Path, apart: int
) -> None:
    person, second = await _at_second(telegram, 7000 + apart)
    await person.user.send_text("and its Lyon office", date=second.date + apart)
    third = await person.question(THIRD)  # no question in between: straight on
    assert stored_answers(db_path, person.user.user_id)[SECOND] == "and its Lyon office"
    shown = await person.settled(second)
    assert shown.text.endswith("✍️ and its Lyon office")  # shown where it was filed
    assert FIX in third.labels
    assert ADD not in third.labels

    again = await person.tap(third, FIX)
    assert "Added to your answer" in again.text
    answers = stored_answers(db_path, person.user.user_id)
    assert answers[FIRST].endswith("\nand its Lyon office")
    assert SECOND not in answers
    assert checklist().question(SECOND).prompt("en") in again.text
    gone = await person.settled(third)  # the question it was offered under is closed
    assert gone.buttons == []


@pytest.mark.usefixtures("bot")
async def test_a_quick_genuine_answer_goes_straight_on_and_the_fix_goes_with_the_next_answer(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person, second = await _at_second(telegram, 7010)
    await person.user.send_text("Backend engineer", date=second.date + 1)
    third = await person.question(THIRD)
    assert FIX in third.labels
    await person.user.press_button(third, person.label("debrief.skip_button"))
    await person.next()
    closed = await person.settled(third)
    assert closed.buttons == []  # the fix left with the answer that followed
    answers = stored_answers(db_path, person.user.user_id)
    assert answers[SECOND] == "Backend engineer"
    assert answers[FIRST] == "Acme, the robotics company that builds warehouse arms"


@pytest.mark.usefixtures("bot")
async def test_an_answer_that_took_its_time_gets_no_fix(telegram: FakeTelegram) -> None:
    person, second = await _at_second(telegram, 7020)
    await person.user.send_text("Backend engineer", date=second.date + 40)
    third = await person.question(THIRD)
    assert FIX not in third.labels
    assert ADD in third.labels


@pytest.mark.usefixtures("voice_bot")
async def test_the_rest_of_a_spoken_dictation_gets_the_same_fix(
    telegram: FakeTelegram, db_path: Path, recordings: Path
) -> None:
    person, second = await _at_second(telegram, 7030)
    note = speak(recordings, "And its office in Paris.", voice="en-gb")
    await person.user.send_voice(note, duration=2, date=second.date + 2)
    heard = await person.user.next_message(timeout=TRANSCRIBED_WITHIN)
    assert heard.text.startswith("🎙")
    third = await person.question(THIRD)
    assert FIX in third.labels
    again = await person.tap(third, FIX)
    assert "Added to your answer" in again.text
    answers = stored_answers(db_path, person.user.user_id)
    assert len(answers[FIRST].splitlines()) == 2
    assert SECOND not in answers
