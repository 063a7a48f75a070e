"""When something fails, the user is told what became of their message, and nothing is assumed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.context import DebriefApplication
from bot.fakeapi import FakeTelegram
from tests.e2e.driver import Debriefer, stored_answers, text

BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


async def test_a_question_that_could_not_be_sent_is_asked_again_before_any_answer(
    bot: DebriefApplication, telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(3001, language_code="en"), "en")
    await person.say("/new")
    telegram.inject_response("sendMessage", status=502, body=BAD_GATEWAY)

    failed = await person.say("Acme")

    assert failed.text == text("en", "errors.internal")
    # They never saw question 2 and say "Acme" again: that is not the position.
    await person.user.send_text("Acme")
    again = await person.question("position")
    assert again.text.startswith(text("en", "errors.question_not_sent"))
    assert stored_answers(db_path, person.user.user_id) == {"company": "Acme"}
    await person.user.send_text("Backend developer")
    await person.question("interviewers")
    assert stored_answers(db_path, person.user.user_id) == {
        "company": "Acme",
        "position": "Backend developer",
    }


async def test_a_message_that_could_not_be_saved_is_said_so_and_given_back(
    bot: DebriefApplication, telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(3002, language_code="fr"), "fr")
    await person.say("/new")
    database = bot.bot_data.database
    assert database is not None
    # Another process holds the write lock longer than the bot waits for it (5 s, shortened).
    await database.fetch_all("PRAGMA busy_timeout = 200", ())
    typed = "Zéphyr <Logistique> & fils"
    with sqlite3.connect(db_path, isolation_level=None) as other:
        other.execute("BEGIN IMMEDIATE")
        told = await person.say(typed)
        given_back = await person.next()
        other.execute("COMMIT")

    assert told.text == text("fr", "errors.not_saved_text")
    assert "enregistrées" not in told.text
    assert given_back.text == typed
    assert stored_answers(db_path, person.user.user_id) == {}
    # Sent again once the database is free, it is taken.
    await person.user.send_text(typed)
    await person.question("position")
    assert stored_answers(db_path, person.user.user_id) == {"company": typed}
