"""A debrief survives `kill -9` of the bot process at any moment."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.app import build_application, running
from bot.config import Settings
from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import (
    WAIT,
    Clock,
    Debriefer,
    bot_process,
    has,
    stored_answers,
    stored_debriefs,
)


def _parts(db_path: Path) -> list[tuple[str, str]]:
    """Return every stored answer part."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT question_key, text FROM answer_parts ORDER BY question_key, part"
        ).fetchall()


async def test_kill_9_at_any_moment_loses_no_answer_and_the_debrief_continues(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "data" / "debrief.sqlite3"
    user = telegram.user(2001, language_code="en")
    person = Debriefer(user, "en")

    async def question(number: int) -> BotMessage:
        """Wait for question `number`, whether it came before or after a restart."""
        return await telegram.wait_for_message(
            user.chat_id,
            predicate=has(f"Question {number}/{len(checklist().express)}"),
            timeout=WAIT * 2,
        )

    async with bot_process(telegram, tmp_path) as bot:
        await user.send_text("/new")
        await question(1)
        await user.send_text("Acme")
        await question(2)

        # 1. Killed while idle, between two questions.
        await bot.kill()
        await bot.start()
        await user.send_text("Backend developer")
        third = await question(3)

        # 2. Killed right after a button press, before the bot could answer it.
        await user.press_button(third, "Skip")
        await bot.kill()
        await bot.start()
        await question(4)

        # 3. Killed right after a typed answer: it may be stored or not, never lost or doubled.
        await user.send_text("A decision by Friday")
        await bot.kill()
        await bot.start()
        await question(5)

        # 4. Killed the moment the next question reaches Telegram, before the bot records it.
        await user.send_text("the whiteboard session")
        await telegram.wait_for_message(
            user.chat_id, predicate=has(f"Question 6/{len(checklist().express)}")
        )
        await bot.kill()
        await bot.start()
        await question(6)
        await user.send_text("Telemetry to events")
        await question(7)

        await user.send_text("/skip")
        eighth = await question(8)
        await person.user.press_button(eighth, "Finish now")
        await telegram.wait_for_message(
            user.chat_id, predicate=has("Debrief saved"), timeout=WAIT * 2
        )

    assert stored_answers(db_path, user.user_id) == {
        "company": "Acme",
        "position": "Backend developer",
        "next_steps": "A decision by Friday",
        "email_moment": "the whiteboard session",
        "email_strength": "Telemetry to events",
    }
    keys = [key for key, _ in _parts(db_path)]
    assert len(keys) == len(set(keys)), "an answer was stored twice"
    # The tap is handled again after the restart (it was kept in the inbox): Telegram refuses
    # a second answer to it, and nothing else.
    assert [(call.method, call.status) for call in telegram.rejected] in (
        [],
        [("answerCallbackQuery", 400)],
    )


async def test_kill_9_after_telegram_handed_over_a_dictation_loses_none_of_its_20_parts(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "data" / "debrief.sqlite3"
    user = telegram.user(2002, language_code="en")
    dictation = [f"Part {number} of what the interviewer said." for number in range(1, 21)]

    async with bot_process(telegram, tmp_path) as bot:
        await user.send_text("/new")
        await telegram.wait_for_message(
            user.chat_id, predicate=has(f"Question 1/{len(checklist().express)}")
        )
        await user.send_text("Acme")
        await telegram.wait_for_message(
            user.chat_id, predicate=has(f"Question 2/{len(checklist().express)}")
        )
        # Typed answers up to the first free-text question.
        for number, typed in enumerate(("Backend developer", "Claire"), 3):
            await user.send_text(typed)
            await telegram.wait_for_message(
                user.chat_id, predicate=has(f"Question {number}/{len(checklist().express)}")
            )
        await telegram.wait_for_long_poll()

        # One dictation, split by the phone into 20 messages; the first answers the first free
        # text question (the position would be too long: it takes 200 characters at most).
        for part in dictation:
            await user.send_text(part)
        # Telegram forgets updates once the bot moved its offset past them.
        await telegram.wait_updates_consumed(timeout=WAIT)
        await bot.kill()
        await bot.start()

        # Handled after whatever the bot still had to do for this user.
        seen = len(user.messages)
        await user.send_text("/help")
        await telegram.wait_for_message(
            user.chat_id, after=seen, predicate=has("/new — start a debrief"), timeout=WAIT * 2
        )

    stored = [text for key, text in _parts(db_path) if key == "next_steps"]
    assert sorted(stored) == sorted(dictation), "a part was lost or stored twice"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
    assert telegram.rejected == []


async def test_a_skip_handled_before_a_crash_is_not_done_again_when_replayed(
    telegram: FakeTelegram, settings: Settings, clock: Clock, db_path: Path
) -> None:
    person = Debriefer(telegram.user(2003, language_code="en"), "en")
    async with running(build_application(settings, clock=clock)):
        await person.say("/new")
        await person.user.send_text("Acme")
        await person.question("position")
        await person.user.send_text("/skip")
        await person.question("interviewers")
    # The process died after handling /skip but before the inbox forgot it.
    [skip] = [u for u in telegram.updates if u.payload["message"].get("text") == "/skip"]
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT INTO inbox (update_id, user_id, payload) VALUES (?, ?, ?)",
            (skip.update_id, person.user.user_id, json.dumps(skip.payload)),
        )

    async with running(build_application(settings, clock=clock)):
        # Handled after the replayed /skip: the people met answer question 3.
        await person.user.send_text("Claire Dubois")
        await person.question("next_steps")

    assert [d["current_key"] for d in stored_debriefs(db_path, person.user.user_id)] == [
        "next_steps"
    ]
    assert set(stored_answers(db_path, person.user.user_id)) == {"company", "interviewers"}
