"""A prompt the user asks for during a debrief takes the next text; the debrief goes on after."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import Debriefer, stored_answers, stored_debriefs, text
from tests.recordings import speak

EARLIER = {
    "company": "Globex",
    "position": "Data engineer",
    "forgotten_questions": "What does on-call look like?",
}

# Transcribing a short note takes a few seconds on 2 cores; a slow CI machine gets margin.
TRANSCRIBED_WITHIN = 120.0


class Answer:
    """Sends the answer to a prompt, typed or (with recordings) as a voice note."""

    def __init__(self, person: Debriefer, recordings: Path | None = None) -> None:
        self.person = person
        self.recordings = recordings
        self.heard: BotMessage | None = None

    @property
    def transcript(self) -> str:
        """Return what the bot heard in the voice note, as its reply quotes it."""
        assert self.heard is not None
        return self.heard.text.split("“", 1)[1].split("”", 1)[0]

    async def __call__(self, typed: str, spoken: str) -> BotMessage:
        """Send the answer; return the bot's reply to it (after "I heard", for a voice note)."""
        if self.recordings is None:
            return await self.person.say(typed)
        await self.person.user.send_voice(speak(self.recordings, spoken, voice="en"), duration=3)
        self.heard = await self.person.user.next_message(timeout=TRANSCRIBED_WITHIN)
        assert self.heard.text.startswith("🎙 I heard"), self.heard.describe()
        return await self.person.next()


# An interjection: from the earlier debrief's end, asks for a prompt, answers it and checks
# the confirmation and what was stored.
Interjection = Callable[[Answer, list[BotMessage], Path], Awaitable[None]]


def _with(ending: list[BotMessage], label: str) -> BotMessage:
    """Return the message of the debrief's end that has a button labelled `label`."""
    return next(message for message in ending if label in message.labels)


def _user_row(db_path: Path, user_id: int) -> sqlite3.Row:
    """Return the user's settings row straight from the database file."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
    assert row is not None
    return row


def _questions_due(db_path: Path) -> list[int]:
    """Return when the pending forgotten-questions reminders are due."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT due_at FROM reminders WHERE kind = 'questions' AND state = 'pending'"
        )
        return [due for (due,) in rows]


async def _timezone(answer: Answer, ending: list[BotMessage], db_path: Path) -> None:
    """Change the timezone with /timezone, then a city."""
    person = answer.person
    prompt = await person.say("/timezone")
    assert "Send a city" in prompt.text
    confirmed = await answer("Toronto", "Toronto")
    assert "Timezone set to" in confirmed.text
    assert _user_row(db_path, person.user.user_id)["timezone"] == "America/Toronto"


async def _edit(answer: Answer, ending: list[BotMessage], db_path: Path) -> None:
    """Edit an answer of the earlier debrief from /history."""
    person = answer.person
    listing = await person.say("/history")
    line = next(label for label in listing.labels if "Globex" in label)
    shown = await person.tap(listing, line)
    picker = await person.tap(shown, "✏️ Edit an answer")
    prompt = await person.tap(picker, "✓ Position")
    assert "Data engineer" in prompt.text
    updated = await answer("Staff engineer", "Senior staff engineer")
    assert "Answer updated" in updated.text
    # What a voice note says is what Whisper heard: the stored answer is that transcript.
    expected = "Staff engineer" if answer.heard is None else answer.transcript
    summary = await person.next()
    assert f"Globex — {expected}" in summary.text
    if answer.heard is not None:
        assert person.label("voice.retype_button") in answer.heard.labels
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        (position,) = db.execute(
            "SELECT text FROM answer_parts WHERE question_key = 'position' AND debrief_id = 1"
        ).fetchone()
    assert position == expected != "Data engineer"


async def _reminder_time(answer: Answer, ending: list[BotMessage], db_path: Path) -> None:
    """Say when to be reminded of the forgotten questions (*Another time*)."""
    person = answer.person
    before = _questions_due(db_path)
    prompt = await person.tap_in_place(_with(ending, "Another time"), "Another time")
    assert "When should I remind you?" in prompt.text
    confirmed = await answer("in 2 hours", "Tomorrow at noon")
    assert "I'll remind you" in confirmed.text
    assert _questions_due(db_path) != before
    assert len(_questions_due(db_path)) == 1


async def _round_date(answer: Answer, ending: list[BotMessage], db_path: Path) -> None:
    """Give the date of the earlier application's next round."""
    person = answer.person
    status = _with(ending, "📌 Change the status")
    choice = await person.tap_in_place(status, "📌 Change the status")
    prompt = await person.tap_in_place(choice, "📅 Next round")
    assert text("en", "outcome.round_date") in prompt.text
    confirmed = await answer("10/12", "December 10th")
    assert "preparation brief" in confirmed.text
    assert stored_debriefs(db_path, person.user.user_id)[0]["next_round_date"] == "2026-12-10"


INTERJECTIONS = [_timezone, _edit, _reminder_time, _round_date]
IDS = ["timezone", "edit-from-history", "reminder-time", "round-date"]


async def _earlier_debrief_then_acme(
    person: Debriefer,
) -> tuple[list[BotMessage], BotMessage]:
    """Finish a debrief about Globex, start one about Acme; return Globex's end and question 2."""
    await person.user.send_text("/new")
    ending = await person.answer_everything(EARLIER)
    await person.user.send_text("/new")
    await person.question("company")
    position = await person.say("Acme")
    assert f"Question 2/{len(checklist().express)}" in position.text
    return ending, position


async def _during_an_open_debrief(
    telegram: FakeTelegram, db_path: Path, interject: Interjection, recordings: Path | None
) -> None:
    """Interject while a debrief is open; then its question comes again and takes the answer."""
    person = Debriefer(telegram.user(5001, language_code="en"), "en")
    ending, _ = await _earlier_debrief_then_acme(person)

    await interject(Answer(person, recordings), ending, db_path)

    await person.question("position")
    assert stored_answers(db_path, person.user.user_id) == {"company": "Acme"}
    assert _user_row(db_path, person.user.user_id)["awaiting"] is None
    await person.say("Backend engineer")
    assert stored_answers(db_path, person.user.user_id)["position"] == "Backend engineer"
    assert telegram.rejected == []


async def _during_a_paused_debrief(
    telegram: FakeTelegram, db_path: Path, interject: Interjection, recordings: Path | None
) -> None:
    """Interject while a debrief is paused; then it resumes where it was."""
    person = Debriefer(telegram.user(5002, language_code="en"), "en")
    ending, _ = await _earlier_debrief_then_acme(person)
    paused = await person.say("/cancel")
    assert "Debrief paused" in paused.text

    await interject(Answer(person, recordings), ending, db_path)

    assert _user_row(db_path, person.user.user_id)["awaiting"] is None
    choice = await person.say("/new")
    resumed = await person.tap(choice, person.label("debrief.resume_button"))
    assert f"Question 2/{len(checklist().express)}" in resumed.text
    assert checklist().question("position").prompt("en") in resumed.text
    assert stored_answers(db_path, person.user.user_id) == {"company": "Acme"}
    assert telegram.rejected == []


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_an_open_debrief_the_prompt_takes_the_text_then_the_question_comes_again(
    telegram: FakeTelegram, db_path: Path, interject: Interjection
) -> None:
    await _during_an_open_debrief(telegram, db_path, interject, None)


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_a_paused_debrief_the_prompt_takes_the_text_and_the_debrief_waits(
    telegram: FakeTelegram, db_path: Path, interject: Interjection
) -> None:
    await _during_a_paused_debrief(telegram, db_path, interject, None)


@pytest.mark.usefixtures("voice_bot")
@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_an_open_debrief_the_prompt_takes_a_voice_note_then_the_question_again(
    telegram: FakeTelegram, db_path: Path, interject: Interjection, recordings: Path
) -> None:
    await _during_an_open_debrief(telegram, db_path, interject, recordings)


@pytest.mark.usefixtures("voice_bot")
@pytest.mark.parametrize("interject", INTERJECTIONS, ids=IDS)
async def test_during_a_paused_debrief_the_prompt_takes_a_voice_note_and_the_debrief_waits(
    telegram: FakeTelegram, db_path: Path, interject: Interjection, recordings: Path
) -> None:
    await _during_a_paused_debrief(telegram, db_path, interject, recordings)


@pytest.mark.usefixtures("bot")
async def test_a_prompt_left_unanswered_gives_way_when_the_user_goes_back_to_the_debrief(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(5003, language_code="en"), "en")
    await _earlier_debrief_then_acme(person)
    await person.say("/timezone")
    refused = await person.say("Backend engineer")
    assert "I don't know that place" in refused.text

    skipped = await person.say("/skip")

    assert f"Question 3/{len(checklist().express)}" in skipped.text
    assert _user_row(db_path, person.user.user_id)["awaiting"] is None
    after = await person.say("Claire Dubois")
    assert f"Question 4/{len(checklist().express)}" in after.text
    assert set(stored_answers(db_path, person.user.user_id)) == {"company", "interviewers"}


@pytest.mark.usefixtures("bot")
async def test_an_edit_of_a_debrief_deleted_meanwhile_is_forgotten_without_an_error(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(5004, language_code="en"), "en")
    await person.user.send_text("/new")
    await person.answer_everything(EARLIER)
    listing = await person.say("/history")
    shown = await person.tap(listing, "1. Globex")
    picker = await person.tap(shown, "✏️ Edit an answer")
    await person.tap(picker, "✓ Position")
    confirm = await person.tap(shown, "🗑 Delete")
    await person.user.press_button(confirm, "🗑 Yes, delete it")

    reply = await person.say("Staff engineer")

    assert text("en", "debrief.no_active") in reply.text
    assert _user_row(db_path, person.user.user_id)["awaiting"] is None
    assert text("en", "errors.internal") not in [m.text for m in person.user.messages]
