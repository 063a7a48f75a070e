"""Follow-up reminders, end to end: planned at the end of a debrief, delivered by the job."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fakeapi import BotMessage, FakeTelegram, FakeUser
from conversations.checklist import checklist
from tests.e2e.driver import WAIT, Clock, Debriefer, JobRuns, bot_at, has

# Thursday 26 November 2026, 15:00 in Paris (14:00 UTC): the debrief ends right after the interview.
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

ANSWERS = {
    "company": "Acme",
    "position": "Data engineer",
    "interview_date": "[Today]",
    "interviewers": "Claire Dubois, claire@acme.example",
    # Four questions: the thank-you asks three, so marking it sent leaves the questions reminder.
    "forgotten_questions": "What does on-call look like?\nIs there a training budget?\n"
    "When would the role start?\nHow big is the team?",
    "best_arguments": "I cut the latency of our API by 60%",
    "next_steps": "A second round with the CTO, maybe.",
}


def _reminders(db_path: Path) -> list[tuple[str, str, int]]:
    """Return (kind, state, attempt) of every reminder, in id order."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return db.execute("SELECT kind, state, attempt FROM reminders ORDER BY id").fetchall()


def _due(db_path: Path) -> list[tuple[str, str, int]]:
    """Return (kind, state, due time) of every reminder, in id order."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return db.execute("SELECT kind, state, due_at FROM reminders ORDER BY id").fetchall()


async def _debrief(user: FakeUser) -> list[BotMessage]:
    """Run a whole debrief and return its ending."""
    await user.send_text("/new")
    return await Debriefer(user, "en").answer_everything(ANSWERS)


async def test_reminders_due_while_the_bot_was_down_arrive_once_after_restart(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4001, first_name="Alice", language_code="en")
    async with bot_at(reminder_settings, clock):
        ending = await _debrief(user)
    questions, end = Debriefer(user, "en").car_park_end(ending)[-2:]
    assert "tomorrow at 09:00" in questions.text  # the forgotten questions, next morning
    assert {"In 2 days", "Another time", "Never"} == set(questions.labels)
    assert "today at 18:00" in end.text  # the thank-you, three hours on
    assert "waiting" in end.text  # set without asking
    assert [kind for kind, _, _ in _reminders(db_path)] == ["thank_you", "questions", "no_news"]

    # The bot is down for eight days; it comes back on Friday 4 December at 10:00 in Paris.
    clock.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    seen = len(user.messages)
    async with bot_at(reminder_settings, clock) as application:
        runs = JobRuns(application, "reminders")
        thank_you = await telegram.wait_for_message(
            user.chat_id, after=seen, predicate=has("thank-you email to Acme"), timeout=WAIT
        )
        questions = await telegram.wait_for_message(
            user.chat_id, after=seen, predicate=has("You wanted to ask Acme"), timeout=WAIT
        )
        no_news = await telegram.wait_for_message(
            user.chat_id, after=seen, predicate=has("No news from Acme"), timeout=WAIT
        )
        # A few more runs of the job deliver nothing twice.
        await runs.wait(3)
        await user.send_text("/reminders")
        listing = await user.next_message(timeout=WAIT, predicate=has("reminders"))
    assert "<pre>" in thank_you.html
    assert "Claire Dubois" in thank_you.text
    assert "What does on-call look like?" in questions.text
    assert "Is there a training budget?" in questions.text
    assert "<pre>" in questions.html
    assert "<pre>" in no_news.html
    sent = [m for m in user.messages[seen:] if "Acme" in m.text and "<pre>" in m.html]
    assert len(sent) == 3
    states = _reminders(db_path)
    assert ("no_news", "pending", 2) in states  # the second follow-up, a week later
    assert [state for _, state, _ in states[:3]] == ["sent", "sent", "sent"]
    assert "Follow-up when there is no news" in " ".join(
        m.text for m in user.messages[listing.index :]
    )
    assert telegram.rejected == []


async def test_nothing_is_delivered_at_night_it_waits_for_the_morning(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4002, language_code="en")
    async with bot_at(reminder_settings, clock) as application:
        runs = JobRuns(application, "reminders")
        await _debrief(user)
        seen = len(user.messages)
        # 23:30 in Paris: the thank-you reminder (due at 18:00) is overdue, but it is night.
        clock.now = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
        await runs.wait(2)
        assert not any("thank-you email to Acme" in m.text for m in user.messages[seen:])
        morning = int(datetime(2026, 11, 27, 7, 0, tzinfo=UTC).timestamp())  # 08:00 in Paris
        assert ("thank_you", "pending", morning) in _due(db_path)
        clock.now = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
        await telegram.wait_for_message(
            user.chat_id, after=seen, predicate=has("thank-you email to Acme"), timeout=WAIT
        )


async def test_snooze_done_and_i_got_news(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4003, language_code="en")
    async with bot_at(reminder_settings, clock):
        await _debrief(user)
        clock.now = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)  # 18:05 in Paris
        thank_you = await telegram.wait_for_message(
            user.chat_id, predicate=has("thank-you email to Acme"), timeout=WAIT
        )
        query = await user.press_button(thank_you, "Later")
        answer = await telegram.wait_for_callback_answer(query)
        assert answer.text is not None
        assert "21" not in answer.text  # never in the night: next morning
        assert "tomorrow at 08:00" in answer.text
        clock.now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        again = await telegram.wait_for_message(
            user.chat_id,
            after=thank_you.index + 1,
            predicate=has("thank-you email to Acme"),
            timeout=WAIT,
        )
        query = await user.press_button(again, "Sent")
        await telegram.wait_for_callback_answer(query)
        assert ("thank_you", "done", 1) in _reminders(db_path)

        questions = await telegram.wait_for_message(
            user.chat_id, predicate=has("You wanted to ask Acme"), timeout=WAIT
        )
        query = await user.press_button(questions, "Done")
        await telegram.wait_for_callback_answer(query)
        assert ("questions", "done", 1) in _reminders(db_path)

        clock.now = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
        no_news = await telegram.wait_for_message(
            user.chat_id, predicate=has("No news from Acme"), timeout=WAIT
        )
        await user.press_button(no_news, "I got news")
        choice = await telegram.wait_for_message(
            user.chat_id, predicate=has("What's the news?"), timeout=WAIT
        )
        await user.press_button(choice, "Rejected")
        await telegram.wait_for_message(user.chat_id, predicate=has("I'm sorry"), timeout=WAIT)
        feedback = await telegram.wait_for_message(
            user.chat_id, predicate=has("if you haven't had feedback"), timeout=WAIT
        )
    assert "<pre>" in feedback.html
    kinds = {(kind, state) for kind, state, _ in _reminders(db_path)}
    assert ("no_news", "pending") not in kinds  # the follow-ups stopped with the news
    assert ("feedback", "sent") in kinds


async def test_next_round_with_a_typed_date_sends_a_preparation_brief_the_day_before(
    telegram: FakeTelegram, reminder_settings: Settings
) -> None:
    clock = Clock(START)
    user = telegram.user(4004, language_code="fr")
    async with bot_at(reminder_settings, clock):
        await user.send_text("/new")
        ending = await Debriefer(user, "fr").answer_everything(
            {**ANSWERS, "interview_date": "[Aujourd'hui]", "obstacles": "Pas assez de Kafka"}
        )
        person = Debriefer(user, "fr")
        choice = await person.tap_in_place(person.car_park_end(ending)[-1], "Changer le statut")
        asked = await person.tap_in_place(choice, "Autre entretien")
        assert "Quand a lieu" in asked.text
        await user.send_text("mardi 8 décembre")
        confirmation = await telegram.wait_for_message(
            user.chat_id, predicate=has("fiche de préparation"), timeout=WAIT
        )
        assert "lundi 7 décembre à 18:00" in confirmation.text
        clock.now = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
        brief = await telegram.wait_for_message(
            user.chat_id,
            predicate=lambda m: "Pas assez de Kafka" in m.text and m.index > confirmation.index,
            timeout=WAIT,
        )
    assert "Claire Dubois" in brief.text


async def test_the_forgotten_questions_reminder_can_be_moved_by_typing_a_time(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4005, language_code="fr")
    async with bot_at(reminder_settings, clock):
        await user.send_text("/new")
        ending = await Debriefer(user, "fr").answer_everything(
            {**ANSWERS, "interview_date": "[Aujourd'hui]"}
        )
        person = Debriefer(user, "fr")
        asked = await person.tap_in_place(person.car_park_end(ending)[-2], "Un autre moment")
        assert "Quand dois-je" in asked.text
        assert not asked.buttons
        await user.send_text("n'importe quand")
        await telegram.wait_for_message(user.chat_id, predicate=has("pas compris"), timeout=WAIT)
        await user.send_text("lundi 14h")
        done = await telegram.wait_for_message(
            user.chat_id, predicate=has("C'est noté\u00a0: je vous le rappellerai"), timeout=WAIT
        )
    assert "lundi 30 novembre à 14:00" in done.text
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        (due,) = db.execute(
            "SELECT due_at FROM reminders WHERE kind = 'questions' AND state = 'pending'"
        ).fetchone()
    assert datetime.fromtimestamp(due, UTC) == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


class _Signal(logging.Handler):
    """A log handler that sets an event when a record mentions a phrase."""

    def __init__(self, phrase: str) -> None:
        super().__init__()
        self.phrase = phrase
        self.event = asyncio.Event()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count matching records and wake the waiter."""
        if self.phrase in record.getMessage():
            self.count += 1
            self.event.set()


async def test_a_user_who_blocked_the_bot_has_their_reminders_cancelled_once(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4006, language_code="en")
    signal = _Signal("blocked the bot")
    logging.getLogger("bot.reminders").addHandler(signal)
    try:
        async with bot_at(reminder_settings, clock):
            await _debrief(user)
            telegram.block(user.user_id)
            clock.now = START + timedelta(days=10)
            await asyncio.wait_for(signal.event.wait(), WAIT)
            assert {state for _, state, _ in _reminders(db_path)} == {"cancelled"}
            clock.now = START + timedelta(days=20)
            await Debriefer(telegram.user(4106), "en").say("/help")
    finally:
        logging.getLogger("bot.reminders").removeHandler(signal)
    assert signal.count == 1
    forbidden = [c for c in telegram.calls if c.status == 403]
    assert len(forbidden) == 1


async def test_timezone_is_set_by_city_or_offset(telegram: FakeTelegram, bot: object) -> None:
    user = telegram.user(4007, language_code="en")
    person = Debriefer(user, "en")
    prompt = await person.say("/timezone")
    assert "Europe/Paris" in prompt.text
    assert "America/Toronto" in (await person.say("Toronto")).text
    unknown = await person.say("/timezone Atlantis")
    assert "don't know that place" in unknown.text
    offset = await person.say("/timezone UTC+2")
    assert "+02:00" in offset.text


async def test_a_time_typed_right_after_the_debrief_moves_the_questions_reminder(
    telegram: FakeTelegram, reminder_settings: Settings
) -> None:
    clock = Clock(START)
    user = telegram.user(4008, language_code="en")
    async with bot_at(reminder_settings, clock):
        # Right after the car-park part, before going deeper.
        await user.send_text("/new")
        express = {key: ANSWERS[key] for key in checklist().express if key in ANSWERS}
        ending = await Debriefer(user, "en").answer_everything(express)
        offer = next(m for m in ending if "In 2 days" in m.labels)
        moved = await Debriefer(user, "en").say("in 2 hours")
        assert "Done: I'll remind you today at 17:00" in moved.text
        # The offer says the new time and its buttons go: they were answered by the text.
        shown = await Debriefer(user, "en").settled(offer)
        assert "I'll remind you today at 17:00 of the questions you forgot" in shown.text
        other = await Debriefer(user, "en").say("thanks!")
        assert "/new" in other.text  # an ordinary text afterwards is not taken as a time


async def test_a_reminder_telegram_refuses_is_cancelled_once_not_retried_every_minute(
    telegram: FakeTelegram,
    reminder_settings: Settings,
    db_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock(START)
    user = telegram.user(4010, language_code="en")
    async with bot_at(reminder_settings, clock):
        await _debrief(user)
        # A company of 4,000 characters, stored before answers were capped.
        with sqlite3.connect(db_path) as db:
            db.execute(
                "UPDATE answer_parts SET text = ? WHERE question_key = 'company'",
                ("Acme " + "x" * 4000,),
            )
        clock.now = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)  # 18:05 in Paris
        thank_you = await telegram.wait_for_message(
            user.chat_id, predicate=has("thank-you email to Acme"), timeout=WAIT
        )
        assert "x" * 300 not in thank_you.text
        later = await user.press_button(thank_you, "Later")
        answer = await telegram.wait_for_callback_answer(later)
        assert answer.text is not None
        assert "tomorrow at 08:00" in answer.text

        # Next morning Telegram refuses the thank-you reminder once; the questions are due too.
        refusal = {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message is too long",
        }
        telegram.inject_response("sendMessage", status=400, body=json.dumps(refusal))
        clock.now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Paris
        # One user's reminders go out in order: the refused one was dealt with before this one.
        await telegram.wait_for_message(
            user.chat_id, predicate=has("You wanted to ask Acme"), timeout=WAIT
        )

    assert ("thank_you", "cancelled", 1) in _reminders(db_path)
    assert [c.status for c in telegram.calls_to("sendMessage") if not c.ok] == [400]
    warnings = [r for r in caplog.records if r.name == "bot.reminders"]
    assert len(warnings) == 1
    assert warnings[0].exc_info is None


async def test_a_reminder_done_another_way_loses_its_buttons_when_tapped(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4020, language_code="en")
    async with bot_at(reminder_settings, clock):
        ending = await _debrief(user)
        clock.now = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)  # 18:05 in Paris
        thank_you = await telegram.wait_for_message(
            user.chat_id, predicate=has("thank-you email to Acme"), timeout=WAIT
        )
        draft = next(m for m in ending if "✅ Sent" in m.labels)
        await user.press_button(draft, "✅ Sent")  # sent, said under the draft instead
        await user.wait_edit(draft.message_id, timeout=WAIT)
        query = await user.press_button(thank_you, "Later")
        answer = await telegram.wait_for_callback_answer(query)
        gone = await user.wait_edit(thank_you.message_id, timeout=WAIT)
    assert answer.text == "That reminder is no longer pending."
    assert gone.buttons == []
    assert gone.text == thank_you.text
    assert ("thank_you", "done", 1) in _reminders(db_path)


async def test_sent_from_the_reminder_takes_sent_off_the_drafts_shown_before(
    telegram: FakeTelegram, reminder_settings: Settings, db_path: Path
) -> None:
    clock = Clock(START)
    user = telegram.user(4021, language_code="en")
    async with bot_at(reminder_settings, clock):
        ending = await _debrief(user)
        drafts = [m for m in ending if "✅ Sent" in m.labels]
        clock.now = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)  # 18:05 in Paris
        thank_you = await telegram.wait_for_message(
            user.chat_id, predicate=has("thank-you email to Acme"), timeout=WAIT
        )
        await user.press_button(thank_you, "Sent")
        person = Debriefer(user, "en")
        settled = [await person.settled(draft) for draft in drafts]
    assert len(drafts) == 2  # the car park's draft, and the one the deeper answers changed
    assert [m.text for m in settled] == [m.text for m in drafts]
    assert ("thank_you", "done", 1) in _reminders(db_path)
