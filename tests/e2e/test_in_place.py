"""What was recorded shows where it was asked: answers and tapped buttons update in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import (
    WAIT,
    Debriefer,
    stale_keyboards,
    stored_answers,
    stored_debriefs,
    text,
)
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


async def _car_park(person: Debriefer, answers: dict[str, str]) -> list[BotMessage]:
    """Start a debrief, answer its car-park questions; return the messages of their end."""
    await person.user.send_text("/new")
    await person.answer_part(checklist().express, answers)
    return await person.until(text(person.language, "debrief.finished").split(":")[0])


async def _view(person: Debriefer, company: str) -> BotMessage:
    """Open a debrief from /history; return its view."""
    await person.user.send_text("/history")
    listing = await person.user.next_message(timeout=WAIT, predicate=lambda m: bool(m.buttons))
    return await person.tap(listing, next(label for label in listing.labels if company in label))


async def test_going_deeper_from_the_history_takes_the_offer_left_unanswered_away(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(5009, language_code="en"), "en")
    ending = await _car_park(person, {"company": "Acme"})
    offer = next(m for m in ending if person.label("deeper.now_button") in m.labels)
    view = await _view(person, "Acme")
    go = person.label("deeper.history_button")
    await person.user.press_button(view, go)
    await person.answer_part(checklist().deeper, {"how_it_went": "Fine."})
    await person.until(text("en", "deeper.done").split(" (")[0])
    assert (await person.settled(offer)).text == offer.text
    kept = person.user.fake.message(person.user.chat_id, view.message_id)
    assert go not in kept.labels
    assert person.label("history.edit_button") in kept.labels  # the view's other buttons stay
    await _processed(person)
    assert stale_keyboards(person.user) == []


async def test_a_draft_sent_already_comes_again_without_sent_and_other_sent_buttons_go(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(5010, first_name="Alice", language_code="fr"), "fr")
    answers = TYPED["fr"]
    ending = await _car_park(person, answers)
    first = next(m for m in ending if "✅ Envoyé" in m.labels)
    await person.tap_in_place(first, "✅ Envoyé")
    offer = next(m for m in ending if person.label("deeper.now_button") in m.labels)
    await person.user.press_button(offer, person.label("deeper.now_button"))
    await person.answer_part(checklist().deeper, answers)
    end = await person.until(text("fr", "deeper.done").split(" (")[0])
    again = [m for m in end if "<pre>" in m.html]
    assert again  # the deeper answers changed the draft
    assert all("✅ Envoyé" not in m.labels for m in again)

    other = Debriefer(telegram.user(5011, first_name="Alice", language_code="fr"), "fr")
    await other.user.send_text("/new")
    end = await other.answer_everything(answers)
    old, new = [m for m in end if "✅ Envoyé" in m.labels]
    await other.tap_in_place(new, "✅ Envoyé")
    gone = await other.settled(old)  # the thank-you went out: the other draft's Sent goes too
    assert gone.text == old.text  # nothing more to say: the tapped one says it
    assert telegram.rejected == []


async def test_cancelling_a_deletion_or_an_edit_takes_its_buttons_away(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(5012, language_code="en"), "en")
    await _car_park(person, {"company": "Acme"})
    view = await _view(person, "Acme")
    confirm = await person.tap(view, person.label("history.delete_button"))
    await person.tap(confirm, person.label("history.delete_no"))
    assert (await person.settled(confirm)).buttons == []
    view = await _view(person, "Acme")
    picker = await person.tap(view, person.label("history.edit_button"))
    await person.tap(picker, person.label("history.cancel_button"))
    assert (await person.settled(picker)).buttons == []


async def test_a_paused_debriefs_question_loses_its_buttons(telegram: FakeTelegram) -> None:
    person = Debriefer(telegram.user(5013, language_code="en"), "en")
    await person.user.send_text("/new")
    await person.question("company")
    position = await person.say("Acme")
    await person.say("/cancel")
    shown = await person.settled(position)
    assert checklist().question("position").prompt("en") in shown.text
    assert shown.text.endswith("⏸ Debrief paused: send /new to resume it.")


async def test_a_next_rounds_date_typed_takes_not_known_yet_away_when_tapped(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(5014, language_code="en"), "en")
    ending = await _car_park(person, {"company": "Acme"})
    choice = await person.tap_in_place(ending[-1], person.label("end.status_button"))
    question = await person.tap_in_place(choice, person.label("outcome.next_round_button"))
    unknown = person.label("outcome.round_unknown_button")
    assert unknown in question.labels
    noted = await person.say("3/12")
    assert "Noted" in noted.text
    await person.user.press_button(question, unknown)
    gone = await person.user.wait_edit(question.message_id, timeout=WAIT)
    assert gone.buttons == []
    assert stored_debriefs(db_path, 5014)[0]["next_round_date"] == "2026-12-03"
