"""The interjections against the real `python -m bot` process: the prompt asked for wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import Debriefer, bot_process, stored_answers
from tests.e2e.test_interjections import (
    EARLIER,
    Answer,
    Interjection,
    _edit,
    _reminder_time,
    _timezone,
    _user_row,
)

# The round date is left out: the process runs on the real clock, so its date would drift.
INTERJECTIONS = [_timezone, _edit, _reminder_time]
IDS = ["timezone", "edit-from-history", "reminder-time"]


def _asked(message: BotMessage) -> str:
    """Return the key of the question a message asks, whatever the checklist's order."""
    asked = [q.key for q in checklist() if q.prompt("en") in message.text]
    assert len(asked) == 1, message.describe()
    return asked[0]


async def _earlier_debrief_then_acme(person: Debriefer) -> tuple[list[BotMessage], str]:
    """Finish a debrief about Globex, answer "Acme" in a new one; return Globex's end and the
    key of the question the new debrief asks next."""
    await person.user.send_text("/new")
    ending = await person.answer_everything(EARLIER)
    await person.user.send_text("/new")
    await person.question("company")
    return ending, _asked(await person.say("Acme"))


async def _again(person: Debriefer, key: str) -> BotMessage:
    """Wait for the question `key` to be asked again, past any message before it."""
    prompt = checklist().question(key).prompt("en")
    message = await person.next()
    while prompt not in message.text:
        message = await person.next()
    return message


@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_an_open_debrief_the_process_gives_the_text_to_the_prompt(
    telegram: FakeTelegram, tmp_path: Path, db_path: Path, interject: Interjection
) -> None:
    person = Debriefer(telegram.user(5101, language_code="en"), "en")
    async with bot_process(telegram, tmp_path):
        ending, pending = await _earlier_debrief_then_acme(person)

        await interject(Answer(person), ending, db_path)

        await _again(person, pending)
        assert stored_answers(db_path, person.user.user_id) == {"company": "Acme"}
        assert _user_row(db_path, person.user.user_id)["awaiting"] is None
        await person.say("Backend engineer")
        assert stored_answers(db_path, person.user.user_id)[pending] == "Backend engineer"
    assert telegram.rejected == []


@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_a_paused_debrief_the_process_gives_the_text_to_the_prompt(
    telegram: FakeTelegram, tmp_path: Path, db_path: Path, interject: Interjection
) -> None:
    person = Debriefer(telegram.user(5102, language_code="en"), "en")
    async with bot_process(telegram, tmp_path):
        ending, pending = await _earlier_debrief_then_acme(person)
        paused = await person.say("/cancel")
        assert "Debrief paused" in paused.text

        await interject(Answer(person), ending, db_path)

        assert _user_row(db_path, person.user.user_id)["awaiting"] is None
        choice = await person.say("/new")
        await person.user.press_button(choice, person.label("debrief.resume_button"))
        await _again(person, pending)
        assert stored_answers(db_path, person.user.user_id) == {"company": "Acme"}
    assert telegram.rejected == []
