"""Express first: the car-park questions, then the draft at once; the rest now, tonight or later."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.app import build_application, running
from bot.config import Settings
from bot.context import DebriefApplication
from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import MAX_EXPRESS, checklist
from storage.migrations import MIGRATIONS, apply_migrations
from tests.e2e.driver import WAIT, Clock, Debriefer, JobRuns, bot_at, has, stored_debriefs, text

# Thursday 26 November 2026, 15:00 in Paris (14:00 UTC).
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

ONE_MET = "Claire Dubois, CTO, claire@acme.example"
TWO_MET = f"{ONE_MET}\nJulien Roche, HR, julien@acme.example"

EXPRESS = {
    "company": "Acme",
    "position": "Data engineer",
    "interviewers": ONE_MET,
    "next_steps": "They decide by 4 December.",
    "email_moment": "the whiteboard session on the ingestion pipeline",
    "email_strength": "I cut the latency of our API by 60%",
    "email_reassurance": None,
    "forgotten_questions": "What does on-call look like?",
}


def _reminders(db_path: Path) -> list[tuple[str, str]]:
    """Return (kind, state) of every reminder, in id order."""
    return [(kind, state) for kind, state, _ in _due(db_path)]


def _due(db_path: Path) -> list[tuple[str, str, int]]:
    """Return (kind, state, due_at) of every reminder, in id order."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return db.execute("SELECT kind, state, due_at FROM reminders ORDER BY id").fetchall()


async def _express(person: Debriefer, **changes: str) -> list[BotMessage]:
    """Answer the car-park questions (EXPRESS, some changed); return the messages of their end."""
    await person.user.send_text("/new")
    answers = {**EXPRESS, **changes}
    await person.answer_part(checklist().express, {k: v for k, v in answers.items() if v})
    return await person.until(text("en", "debrief.finished").split(":")[0])


def _offer(ending: list[BotMessage]) -> BotMessage:
    """Return the offer to go deeper among the messages of the express end."""
    return next(m for m in ending if "🔎 Now" in m.labels)


async def test_at_most_8_questions_come_before_the_draft_and_the_follow_ups_start(
    telegram: FakeTelegram, bot: DebriefApplication, db_path: Path
) -> None:
    person = Debriefer(telegram.user(8001, first_name="Alice", language_code="en"), "en")
    ending = await _express(person)

    asked = [m for m in person.user.messages if "Question " in m.text]
    assert len(asked) == len(checklist().express) <= MAX_EXPRESS
    assert all(f"/{len(checklist().express)}" in m.text for m in asked)
    summary, draft = ending[0], next(m for m in ending if "<pre>" in m.html)
    assert "Acme" in summary.text
    assert "Data engineer" in summary.text
    assert "Claire" in draft.text
    assert "whiteboard" in draft.text
    offer = _offer(ending)
    assert offer.labels[:3] == ["🔎 Now", "🌙 Tonight", "⏰ Later"]
    assert ending.index(offer) > ending.index(draft)
    assert "waiting" in ending[-1].text
    # The express end counts the express part and what is left, not against the whole checklist.
    left = len(checklist().deeper)
    assert f"7 answers so far, and {left} more questions when you go deeper" in ending[-1].text
    assert f"of {len(checklist())}" not in ending[-1].text
    assert [kind for kind, _ in _reminders(db_path)] == ["thank_you", "questions", "no_news"]
    [row] = stored_debriefs(db_path, person.user.user_id)
    assert (row["status"], row["phase"], row["outcome"]) == ("done", "deeper", "waiting")

    # The next interview starts afresh; this one waits in /history, where it can go deeper.
    again = await person.say("/new")
    assert f"Question 1/{len(checklist().express)}" in again.text
    await person.say("/cancel")
    await person.user.send_text("/history")
    listing = await person.user.next_message(timeout=WAIT, predicate=lambda m: bool(m.buttons))
    view = await person.tap(listing, next(label for label in listing.labels if "Acme" in label))
    assert "🔎 Go deeper" in view.labels


async def test_going_deeper_now_asks_the_rest_then_the_full_summary(
    telegram: FakeTelegram, bot: DebriefApplication, db_path: Path
) -> None:
    person = Debriefer(telegram.user(8002, language_code="en"), "en")
    ending = await _express(person)

    first = await person.tap(_offer(ending), "🔎 Now")
    while "Question 1/" not in first.text:
        first = await person.next()
    deeper = checklist().deeper
    assert f"Question 1/{len(deeper)}" in first.text
    assert checklist().question(deeper[0]).prompt("en") in first.text
    await person.answer_part(deeper, {"how_it_went": "Relaxed, two hours."}, first)
    end = await person.until(text("en", "deeper.done").split(" (")[0])
    assert any("Relaxed, two hours." in m.text for m in end)  # the whole summary
    [row] = stored_debriefs(db_path, person.user.user_id)
    assert (row["status"], row["current_key"]) == ("done", None)
    # The follow-ups planned at the end of the express part are not planned twice.
    assert [kind for kind, _ in _reminders(db_path)] == ["thank_you", "questions", "no_news"]


@pytest.mark.parametrize(
    ("met", "deeper", "changed"),
    [
        # The interview's date is the one deeper answer the draft uses ("to meet me yesterday").
        (ONE_MET, {"interview_date": "[Yesterday]", "how_it_went": "Calm"}, 1),
        (TWO_MET, {"interview_date": "[Yesterday]"}, 2),
        (ONE_MET, {"how_it_went": "Calm", "improve": "Bring figures."}, 0),
    ],
)
async def test_the_deeper_end_sends_the_draft_again_only_when_the_deeper_answers_changed_it(
    telegram: FakeTelegram,
    bot: DebriefApplication,
    met: str,
    deeper: dict[str, str],
    changed: int,
) -> None:
    person = Debriefer(telegram.user(8005, first_name="Alice", language_code="en"), "en")
    ending = await _express(person, interviewers=met)
    assert not any("yesterday" in m.text for m in ending if "<pre>" in m.html)

    start = await person.tap(_offer(ending), "🔎 Now")
    await person.answer_part(checklist().deeper, deeper, start)
    end = await person.until(text("en", "deeper.done").split(" (")[0])
    drafts = [m for m in end if "<pre>" in m.html]
    key = "deeper.draft_changed" if changed == 1 else "deeper.drafts_changed"
    said = [m for m in end if text("en", key) in m.text]
    assert len(said) == min(changed, 1)
    assert len(drafts) == changed
    for draft in drafts:
        assert end.index(said[0]) < end.index(draft)
        assert "to meet me yesterday" in draft.text
        assert "Calm" not in draft.text  # a note for the candidate alone
    assert any("Calm" in m.text for m in end) == ("how_it_went" in deeper)  # the whole summary


@pytest.mark.parametrize(
    ("button", "said", "due"),
    [
        # Tonight at 20:00 in Paris; later, the next day at 18:00 (the debrief ends at 15:00).
        ("🌙 Tonight", "today at 20:00", datetime(2026, 11, 26, 19, 0, tzinfo=UTC)),
        ("⏰ Later", "tomorrow at 18:00", datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),
    ],
)
async def test_going_deeper_tonight_or_later_comes_back_at_its_time_and_ends_with_the_whole_summary(
    telegram: FakeTelegram,
    reminder_settings: Settings,
    db_path: Path,
    button: str,
    said: str,
    due: datetime,
) -> None:
    clock = Clock(START)
    person = Debriefer(telegram.user(8003, language_code="en"), "en")
    comes_back = has(text("en", "deeper.reminder").split("{")[0])
    async with bot_at(reminder_settings, clock) as application:
        runs = JobRuns(application, "reminders")
        ending = await _express(person)
        offer = _offer(ending)
        await person.user.press_button(offer, button)
        settled = await person.settled(offer)
        assert said in settled.text
        assert ("deeper", "pending", int(due.timestamp())) in _due(db_path)

        clock.now = due - timedelta(minutes=5)
        await runs.wait(2)
        assert not any(comes_back(m) for m in person.user.messages)
        clock.now = due + timedelta(minutes=5)
        reminder = await telegram.wait_for_message(
            person.user.chat_id, predicate=comes_back, timeout=WAIT
        )
        assert "Acme" in reminder.text
        person.user.skip_inbox()
        first = await person.tap(reminder, "🔎 Now")
        while "Question 1/" not in first.text:
            first = await person.next()
        assert checklist().question(checklist().deeper[0]).prompt("en") in first.text
        await person.answer_part(checklist().deeper, {"how_it_went": "Relaxed, two hours."}, first)
        end = await person.until(text("en", "deeper.done").split(" (")[0])
    whole = "\n".join(m.text for m in end)
    for answer in ("Relaxed, two hours.", "What does on-call look like?", "whiteboard"):
        assert answer in whole  # the deeper answer and the car-park ones, in one summary
    assert f"(8 of {len(checklist())} questions answered)" in end[-1].text
    [row] = stored_debriefs(db_path, person.user.user_id)
    assert (row["status"], row["current_key"]) == ("done", None)
    # Its reminder is dropped: nothing comes back to offer it again.
    assert [state for kind, state in _reminders(db_path) if kind == "deeper"] == ["cancelled"]


async def test_a_debrief_begun_in_the_old_order_continues_in_it_after_the_upgrade(
    telegram: FakeTelegram, settings: Settings, db_path: Path
) -> None:
    user = telegram.user(8004, language_code="en")
    # The database as the previous release left it: a debrief paused on its third question.
    db_path.parent.mkdir(parents=True)
    old = await aiosqlite.connect(db_path)
    try:
        await apply_migrations(old, MIGRATIONS[:9])
        await old.executescript(
            f"""
            INSERT INTO users (user_id) VALUES ({user.user_id});
            INSERT INTO debriefs (id, user_id, status, current_key)
                VALUES (1, {user.user_id}, 'paused', 'interview_date');
            INSERT INTO answer_parts (debrief_id, question_key, part, text) VALUES
                (1, 'company', 0, 'Acme'), (1, 'position', 0, 'Data engineer');
            """
        )
        await old.commit()
    finally:
        await old.close()
    sequential = checklist().sequential
    async with running(build_application(settings, clock=Clock(START))):
        person = Debriefer(user, "en")
        choice = await person.say("/new")
        assert f"2 of {len(checklist())} answered" in choice.text
        resumed = await person.tap(choice, "▶️ Resume")
        while "Question " not in resumed.text:
            resumed = await person.next()
        assert f"Question 3/{len(sequential)}" in resumed.text
        assert checklist().question("interview_date").prompt("en") in resumed.text
        after = await person.tap(resumed, "⏭ Skip")
        assert f"Question 4/{len(sequential)}" in after.text
        assert checklist().question(sequential[3]).prompt("en") in after.text
        await person.user.press_button(after, "🏁 Finish now")
        ending = await person.until(text("en", "debrief.finished").split(":")[0])
    assert not any("🔎 Now" in m.labels for m in ending)  # it ends as it always did
    [row] = stored_debriefs(db_path, user.user_id)
    assert (row["status"], row["phase"]) == ("done", None)
    assert next(kind for kind, _ in _reminders(db_path)) == "thank_you"
