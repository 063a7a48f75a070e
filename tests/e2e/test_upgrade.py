"""A database written by the bot as released before the typed conversation graph still works."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.context import DebriefApplication
from bot.fakeapi import FakeTelegram
from conversations.checklist import checklist
from storage.migrations import MIGRATIONS, apply_migrations
from tests.e2e.driver import Clock, Debriefer, stored_answers

ALICE, BOB = 6001, 6002
# The schema of commit c124a61 was migrations 1 to 5; migrations are only ever appended.
RELEASED = 5
# 13:00 UTC, an hour before the tests' clock: due, and not in the night.
DUE = int(datetime(2026, 11, 26, 13, 0, tzinfo=UTC).timestamp())

# Rows as that version wrote them: its awaiting strings, a finished debrief with a pending
# reminder, an active debrief at its second question, a paused one at its third.
ROWS = (
    (
        "INSERT INTO users (user_id, language, telegram_language, name, awaiting)"
        " VALUES (?, 'en', 'en', 'Alice', 'edit:1:position'), (?, 'en', 'en', 'Bob', 'timezone')",
        (ALICE, BOB),
    ),
    (
        "INSERT INTO debriefs (id, user_id, status, current_key, asked_key, asked_message_id,"
        " finished_at) VALUES (1, ?, 'done', NULL, 'company', 1, '2026-11-26T12:00:00.000Z'),"
        " (2, ?, 'active', 'position', 'position', 1, NULL),"
        " (3, ?, 'paused', 'interview_date', 'interview_date', 1, NULL)",
        (ALICE, ALICE, BOB),
    ),
    (
        "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id) VALUES"
        " (1, 'company', 0, 'Globex', NULL), (1, 'position', 0, 'Data engineer', NULL),"
        " (2, 'company', 0, 'Acme', NULL), (3, 'company', 0, 'Initech', NULL),"
        " (3, 'position', 0, 'Analyst', NULL)",
        (),
    ),
    (
        "INSERT INTO reminders (user_id, debrief_id, kind, due_at) VALUES (?, 1, 'thank_you', ?)",
        (ALICE, DUE),
    ),
)


@pytest.fixture
async def released_database(db_path: Path) -> Path:
    """Write a database as the released version left it, before the bot starts on it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(db_path) as db:
        assert await apply_migrations(db, MIGRATIONS[:RELEASED]) == [1, 2, 3, 4, 5]
        for sql, parameters in ROWS:
            await db.execute(sql, parameters)
        await db.commit()
    return db_path


@pytest.fixture
async def upgraded(released_database: Path, bot: DebriefApplication) -> Path:
    """Start the bot on the released database (its migrations run at start-up)."""
    return released_database


async def test_an_open_debrief_an_old_edit_prompt_and_a_pending_reminder_carry_on(
    telegram: FakeTelegram, upgraded: Path, clock: Clock
) -> None:
    person = Debriefer(telegram.user(ALICE, first_name="Alice", language_code="en"), "en")

    reminder = await person.next()  # due while the bot was being upgraded: sent at start-up
    assert "thank-you email to Globex" in reminder.text
    assert "Alice" in reminder.text
    updated = await person.say("Staff engineer")  # the edit begun before the upgrade
    assert "Answer updated" in updated.text
    await person.until("Globex — Staff engineer")
    await person.question("position")  # then the open debrief goes on where it was
    await person.say("Backend engineer")

    assert stored_answers(upgraded, ALICE) == {"company": "Acme", "position": "Backend engineer"}


async def test_a_paused_debrief_and_an_old_timezone_prompt_carry_on(
    telegram: FakeTelegram, upgraded: Path
) -> None:
    person = Debriefer(telegram.user(BOB, first_name="Bob", language_code="en"), "en")

    confirmed = await person.say("Toronto")
    assert "Timezone set to America/Toronto" in confirmed.text
    choice = await person.say("/new")
    resumed = await person.tap(choice, person.label("debrief.resume_button"))

    assert f"Question 3/{len(checklist())}" in resumed.text
    assert stored_answers(upgraded, BOB) == {"company": "Initech", "position": "Analyst"}
