"""Several users at once, Telegram's 429 answers, and who may use the bot."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.app import build_application, running
from bot.config import Settings
from bot.fakeapi import FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import TOKEN, Clock, Debriefer, stored_answers
from tests.e2e.test_debrief import TYPED


def _settings(telegram: FakeTelegram, db_path: Path, **overrides: object) -> Settings:
    """Return settings pointing at a fake server."""
    values: dict[str, object] = {
        "token": TOKEN,
        "api_url": telegram.url,
        "db_path": db_path,
        "max_messages_per_second": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def test_two_users_debriefing_at_once_keep_their_answers_apart(
    telegram: FakeTelegram, db_path: Path, settings: Settings
) -> None:
    alice = telegram.user(3001, first_name="Alice", language_code="fr")
    bob = telegram.user(3002, first_name="Bob", language_code="en")
    async with running(build_application(settings, clock=Clock())):
        await alice.send_text("/new")
        await bob.send_text("/new")
        await asyncio.gather(
            Debriefer(alice, "fr").answer_everything(TYPED["fr"]),
            Debriefer(bob, "en").answer_everything(TYPED["en"]),
        )
    alice_answers = stored_answers(db_path, alice.user_id)
    bob_answers = stored_answers(db_path, bob.user_id)
    assert alice_answers["company"] == TYPED["fr"]["company"]
    assert bob_answers["company"] == TYPED["en"]["company"]
    assert alice_answers["blunders"] == TYPED["fr"]["blunders"]
    assert bob_answers["blunders"] == TYPED["en"]["blunders"]
    assert not any(TYPED["en"]["company"] in m.text for m in alice.messages)
    assert not any(TYPED["fr"]["company"] in m.text for m in bob.messages)


async def test_every_question_arrives_when_a_tenth_of_sends_are_answered_429(
    tmp_path: Path,
) -> None:
    async with FakeTelegram(token=TOKEN, retry_after_ratio=0.1, seed=7) as telegram:
        db_path = tmp_path / "debrief.sqlite3"
        user = telegram.user(3003, language_code="en")
        async with running(build_application(_settings(telegram, db_path), clock=Clock())):
            await user.send_text("/new")
            await Debriefer(user, "en").answer_everything(TYPED["en"])
        assert telegram.throttled > 0
        assert telegram.rejected == []
        questions = {
            m.text.split("Question ")[1].split("\n")[0]
            for m in user.messages
            if "Question " in m.text
        }
        assert len(questions) == len(checklist())  # the car-park part's, then the deeper part's
        assert stored_answers(db_path, user.user_id)["next_steps"] == TYPED["en"]["next_steps"]


async def test_users_outside_the_allowlist_cost_nothing_and_are_refused_once_an_hour(
    tmp_path: Path,
) -> None:
    async with FakeTelegram(token=TOKEN) as telegram:
        db_path = tmp_path / "debrief.sqlite3"
        friend = telegram.user(3004, language_code="en")
        stranger = telegram.user(3005, language_code="fr")
        group = telegram.group(-100_3005)
        clock = Clock()
        settings = _settings(telegram, db_path, allowed_users=frozenset({friend.user_id}))
        async with running(build_application(settings, clock=clock)):
            refusal = await Debriefer(stranger, "fr").say("/new")
            assert "privé" in refusal.text
            welcome = await Debriefer(friend, "en").say("/new")
            assert f"Question 1/{len(checklist().express)}" in welcome.text
            # A flood, an edit, a tap, and the group: none of it is answered within the hour.
            for number in range(5):
                sent = await stranger.send_text(f"message {number}")
            await stranger.edit_text(sent, "message edited")
            tap = await stranger.press(refusal, "new", force=True)
            await stranger.send_text("/start", chat_id=group.chat_id)
            clock.advance(hours=1)
            again = await Debriefer(stranger, "fr").say("encore")

        assert "privé" in again.text
        assert [m.text for m in stranger.messages] == [refusal.text, again.text]
        assert telegram.messages(group.chat_id) == []
        assert tap not in telegram.callback_answers
        assert stored_answers(db_path, stranger.user_id) == {}
        with sqlite3.connect(db_path) as db:
            assert db.execute("SELECT user_id FROM users").fetchall() == [(friend.user_id,)]
            assert db.execute("SELECT count(*) FROM group_notices").fetchone() == (0,)
            assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)
