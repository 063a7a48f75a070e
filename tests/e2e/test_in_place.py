"""What was recorded shows where it was asked: answers and tapped buttons update in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import Debriefer, stale_keyboards, stored_answers, stored_debriefs
from tests.e2e.test_debrief import TYPED

pytestmark = pytest.mark.usefixtures("bot")


async def _whole_debrief(
    telegram: FakeTelegram, user_id: int
) -> tuple[Debriefer, list[BotMessage]]:
    """Answer every question in French and return the user and the ending."""
    person = Debriefer(telegram.user(user_id, first_name="Alice", language_code="fr"), "fr")
    await person.user.send_text("/new")
    return person, await person.answer_everything(TYPED["fr"])


async def _processed(person: Debriefer) -> None:
    """Wait until the bot has handled everything the user sent: one user's updates go in order."""
    person.user.skip_inbox()
    await person.say("/help")


async def test_after_a_whole_debrief_no_message_keeps_a_keyboard_that_cannot_act(
    telegram: FakeTelegram,
) -> None:
    person, ending = await _whole_debrief(telegram, 5001)
    assert person.ended(ending[-1])  # the end of the deeper part
    await _processed(person)
    assert stale_keyboards(person.user) == []
    questions = [m for m in person.user.messages if "Question " in m.text]
    assert len(questions) == len(checklist())
    order = checklist().order
    company, date, decides = (
        questions[order.index(key)] for key in ("company", "interview_date", "interviewer_decides")
    )
    assert company.text.endswith("✍️ Acme Robotique")
    assert date.text.endswith("✍️ jeudi 26 novembre 2026")  # a tapped button, shown as read
    assert decides.text.endswith("✍️ Oui")
    assert telegram.rejected == []


async def test_a_long_answer_is_shown_shortened_and_escaped_under_its_question(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(5002, language_code="en"), "en")
    await person.user.send_text("/new")
    question = await person.question("company")
    long_name = "<Acme & Sons> " + "very " * 36 + "long"  # 198 characters: a company takes 200
    await person.say(long_name)
    shown = await person.settled(question)
    assert "✍️ <Acme & Sons> very" in shown.text
    assert shown.text.endswith("…")
    assert len(shown.text) < 300
    assert "&lt;Acme &amp; Sons&gt;" in shown.html


async def test_a_skipped_question_says_so_and_loses_its_buttons(telegram: FakeTelegram) -> None:
    person = Debriefer(telegram.user(5003, language_code="en"), "en")
    await person.user.send_text("/new")
    await person.question("company")
    position = await person.say("Acme")
    await person.tap(position, "⏭ Skip")
    shown = await person.settled(position)
    assert shown.text.endswith("⏭ Skipped")


async def test_the_last_question_skipped_says_so_too(telegram: FakeTelegram) -> None:
    person = Debriefer(telegram.user(5013, language_code="en"), "en")
    await person.user.send_text("/new")
    await person.answer_everything({"company": "Acme", "commute": "20 minutes"})
    await _processed(person)
    last = next(
        m
        for m in person.user.messages
        if checklist().question(checklist().deeper[-1]).prompt("en") in m.text
    )
    assert last.text.endswith("⏭ Skipped")
    assert not last.buttons


async def test_sent_updates_its_own_message_once_however_often_it_is_tapped(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person, ending = await _whole_debrief(telegram, 5004)
    draft = next(m for m in ending if "Envoyé" in " ".join(m.labels))
    data = draft.callback_data("✅ Envoyé")
    settled = await person.tap_in_place(draft, "✅ Envoyé")
    # The email asked the two forgotten questions: their reminder is over, and the line says so.
    assert settled.text.endswith(
        "✅ Envoyé · jeudi 15:00\nIl pose vos questions oubliées\u00a0: je ne vous les"
        " rappellerai pas."
    )
    assert settled.buttons == []
    assert "<pre>" in settled.html  # the draft is still there to copy
    assert stored_debriefs(db_path, 5004)[0]["thank_you_sent"] == 1

    sent_before, edits_before = len(person.user.messages), settled.edit_count
    await person.user.press(draft, data, force=True)  # an old client, a double tap
    await _processed(person)
    assert len(person.user.messages) == sent_before + 1
    assert settled.edit_count == edits_before


async def test_in_two_days_moves_the_reminder_once_and_says_so_in_place(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person, ending = await _whole_debrief(telegram, 5005)
    offer = next(m for m in ending if "Dans 2 jours" in m.labels)
    data = offer.callback_data("Dans 2 jours")
    settled = await person.tap_in_place(offer, "Dans 2 jours")
    assert "samedi 28 novembre à 09:00" in settled.text
    assert settled.buttons == []

    sent_before, edits_before = len(person.user.messages), settled.edit_count
    await person.user.press(offer, data, force=True)
    await _processed(person)
    assert len(person.user.messages) == sent_before + 1
    assert settled.edit_count == edits_before
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT state FROM reminders WHERE kind = 'questions'").fetchall()
    assert rows == [("pending",)]


async def test_the_end_sets_waiting_without_asking_and_keeps_the_reminder_choice_apart(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person, ending = await _whole_debrief(telegram, 5006)
    questions, end = person.car_park_end(ending)[-2:]
    assert set(questions.labels) == {"Dans 2 jours", "Un autre moment", "Jamais"}
    assert "questions" in questions.text
    assert "candidature" not in questions.text.lower()
    assert "en attente" in end.text
    assert end.labels == ["📌 Changer le statut"]
    assert "d'ici là" not in end.text + questions.text
    assert stored_debriefs(db_path, 5006)[0]["outcome"] == "waiting"
    choice = await person.tap_in_place(end, "Changer le statut")
    assert "🎉 Offre" in choice.labels
    done = await person.tap_in_place(choice, "🎉 Offre")
    assert "Félicitations" in done.text
    assert done.buttons == []
    assert stored_debriefs(db_path, 5006)[0]["outcome"] == "offer"


async def test_a_note_is_kept_as_said_at_any_point_and_shown_in_the_summary(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(5007, language_code="fr"), "fr")
    await person.user.send_text("/new")
    await person.question("company")
    noted = await person.say("/note   le badge visiteur était à mon nom <3  ")
    assert "Noté en vrac" in noted.text
    await person.say("Acme")  # the question still waiting takes the next text
    prompt = await person.say("/note")
    assert "écrite ou vocale" in prompt.text
    noted = await person.say("rappeler Julie lundi")
    assert "Noté en vrac" in noted.text
    again = await person.question("position")  # the open question, asked again
    assert (
        stored_answers(db_path, 5007)["note"]
        == "le badge visiteur était à mon nom <3\nrappeler Julie lundi"
    )
    assert stored_answers(db_path, 5007)["company"] == "Acme"
    ending = await person.tap(again, "⏭ Passer")
    assert f"Question 3/{len(checklist().express)}" in ending.text
    finish = next(iter(ending.labels[-1:]))
    summary = await person.tap(ending, finish)
    assert "En vrac" in summary.text
    assert "le badge visiteur était à mon nom <3" in summary.text


async def test_start_resume_and_start_over_buttons_leave_their_message(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(5008, language_code="en"), "en")
    greeting = await person.say("/start")
    first = await person.tap(greeting, person.label("start.new_button"))
    assert (await person.settled(greeting)).buttons == []
    await person.say("Acme")  # the company; the debrief is now unfinished
    choice = await person.say("/new")
    await person.tap(choice, person.label("debrief.resume_button"))
    assert (await person.settled(choice)).buttons == []
    again = await person.say("/new")
    await person.tap(again, person.label("debrief.restart_button"))
    restarted = await person.settled(again)
    assert restarted.buttons == []
    assert "deleted" in restarted.text
    assert first.message_id != again.message_id
