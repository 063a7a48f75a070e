"""History, editing, rounds and isolation, as users do them, through the real bot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from tests.e2e.driver import Debriefer, stored_debriefs, text

pytestmark = pytest.mark.usefixtures("bot")


async def debrief(
    person: Debriefer, company: str, answers: dict[str, str] | None = None
) -> list[BotMessage]:
    """Run a short debrief: the company, then the given answers in order, then finish now."""
    await person.user.send_text("/new")
    await person.question("company")
    message = await person.say(company)
    if answers:
        message = await person.answer_keys(answers, message)
    await person.user.press_button(message, person.label("debrief.finish_button"))
    return await person.until_end()


def answer_rows(db_path: Path, user_id: int) -> list[tuple[int, str, str]]:
    """Return (debrief id, key, text) of every stored answer part of a user."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT p.debrief_id, p.question_key, p.text FROM answer_parts p"
            " JOIN debriefs d ON d.id = p.debrief_id WHERE d.user_id = ?"
            " ORDER BY p.debrief_id, p.question_key, p.part",
            (user_id,),
        )
        return list(rows)


async def test_history_lists_debriefs_newest_first_and_pages_through_them(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(1001, language_code="en"), "en")
    companies = [f"Company {n} <b>&" for n in range(1, 8)]
    for company in companies:
        await debrief(person, company)

    first = await person.say("/history")

    assert "Your debriefs · 7 · page 1/2" in first.text
    order = [first.text.index(c) for c in reversed(companies[2:])]
    assert order == sorted(order), first.text
    assert "Company 1 <b>&" not in first.text
    assert "Company 7 &lt;b&gt;&amp;" in first.html
    second = await person.tap(first, "Page 2 ▶")
    assert "page 2/2" in second.text
    assert "Company 2 <b>&" in second.text
    assert "Company 1 <b>&" in second.text
    assert "◀ Page 1" in second.labels


async def test_opening_a_debrief_shows_its_summary_draft_and_status(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(1001, first_name="Alice", language_code="en"), "en")
    await debrief(person, "Acme", {"position": "Backend engineer", "interview_date": "yesterday"})
    listing = await person.say("/history")

    shown = await person.tap(listing, "1. Acme")
    assert "Debrief: Acme — Backend engineer" in shown.text
    assert shown.labels == [
        "✉️ Email draft",
        "✏️ Edit an answer",
        "📌 Set the status",
        "🗑 Delete",
        "🔁 Debrief the next round",
        "« My debriefs",
    ]
    draft = await person.tap(shown, "✉️ Email draft")
    assert "Thank you for our interview" in draft.text
    status = await person.tap(shown, "📌 Set the status")
    settled = await person.tap_in_place(status, "🎉 Offer")
    assert "Congratulations" in settled.text
    assert not settled.buttons
    assert stored_debriefs(db_path, 1001)[0]["outcome"] == "offer"
    again = await person.say("/history")
    assert "🎉 Offer" in again.text


async def test_editing_an_answer_of_a_finished_debrief_updates_the_summary(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(1001, language_code="en"), "en")
    await debrief(person, "Acme", {"position": "Backend engineer"})
    listing = await person.say("/history")
    shown = await person.tap(listing, "1. Acme")

    picker = await person.tap(shown, "✏️ Edit an answer")
    assert "✓ Position" in picker.labels
    prompt = await person.tap(picker, "✓ Position")
    assert "Backend engineer" in prompt.text
    updated = await person.say("Staff engineer <i>& lead")

    assert "Answer updated" in updated.text
    summary = await person.next()
    assert "Debrief: Acme — Staff engineer <i>& lead" in summary.text
    assert ("position", "Staff engineer <i>& lead") in [
        (k, t) for _, k, t in answer_rows(db_path, 1001)
    ]
    # The edit is done: its prompt's Cancel goes.
    assert prompt.buttons
    assert not (await person.settled(prompt)).buttons

    # A rating is edited with its buttons; a bad typed value is refused and nothing is lost.
    picker = await person.tap(summary, "✏️ Edit an answer")
    prompt = await person.tap(picker, "Rating")
    refused = await person.say("eleven")
    assert "1 to 5" in refused.text
    updated = await person.tap(prompt, "5")
    assert "Answer updated" in updated.text
    rows = {k: t for _, k, t in answer_rows(db_path, 1001)}
    assert rows["rating"] == "5"
    assert rows["position"] == "Staff engineer <i>& lead"


async def test_editing_the_telegram_message_replaces_the_stored_answer(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1001, language_code="en")
    person = Debriefer(user, "en")
    await user.send_text("/new")
    await person.question("company")
    company_message = await user.send_text("Acmee")
    await person.question("position")
    position_message = await user.send_text("Backend engineer")
    await person.question("interviewers")

    # During the debrief: the stored answer follows the edit, and the bot says so briefly.
    await user.edit_text(company_message, "Acme")
    confirmation = await person.next()
    assert "Company" in confirmation.text
    assert "Noted" in confirmation.text
    assert confirmation.reply_to_message_id == company_message
    assert {k: t for _, k, t in answer_rows(db_path, 1001)}["company"] == "Acme"

    finish = await person.say("/skip")
    await user.press_button(finish, person.label("debrief.finish_button"))
    await person.until(text("en", "debrief.finished").split(":")[0])

    # After the debrief too; the summary reflects it.
    await user.edit_text(position_message, "Staff engineer")
    await person.next()
    assert {k: t for _, k, t in answer_rows(db_path, 1001)}["position"] == "Staff engineer"
    listing = await person.say("/history")
    shown = await person.tap(listing, "1. Acme")
    assert "Acme — Staff engineer" in shown.text

    # An emptied message keeps the earlier answer.
    await user.edit_text(position_message, "   ")
    kept = await person.next()
    assert "kept" in kept.text
    assert {k: t for _, k, t in answer_rows(db_path, 1001)}["position"] == "Staff engineer"


async def test_deleting_one_debrief_from_the_history_keeps_the_others(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(1001, language_code="en"), "en")
    await debrief(person, "Acme", {"position": "Backend engineer"})
    await debrief(person, "Globex", {"position": "Data engineer"})
    listing = await person.say("/history")
    shown = await person.tap(listing, "Acme")

    confirm = await person.tap(shown, "🗑 Delete")
    assert "Acme" in confirm.text
    kept = await person.tap(confirm, "Keep it")
    assert "Debrief: Acme" in kept.text
    assert len(stored_debriefs(db_path, 1001)) == 2
    assert (await person.settled(confirm)).buttons == []  # kept: the choice is over

    confirm = await person.tap(kept, "🗑 Delete")
    await user_press_and_wait_edit(person, confirm, "🗑 Yes, delete it")
    remaining = {t for _, k, t in answer_rows(db_path, 1001) if k == "company"}
    assert remaining == {"Globex"}
    after = await person.say("/history")
    assert "Acme" not in after.text
    assert "Globex" in after.text


async def user_press_and_wait_edit(person: Debriefer, message: BotMessage, label: str) -> None:
    """Tap a button whose answer is an edit of the same message, and wait for the edit."""
    await person.user.press_button(message, label)
    await person.user.wait_edit(message.message_id)


async def test_a_next_round_is_linked_grouped_and_recalls_the_earlier_notes(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1001, language_code="en")
    person = Debriefer(user, "en")
    await debrief(
        person,
        "Acme Robotics",
        {"position": "Backend engineer", "interview_date": "yesterday"},
    )
    # Record an "improve" note in round 1 through editing, then debrief round 2.
    listing = await person.say("/history")
    shown = await person.tap(listing, "1. Acme")
    picker = await person.tap(shown, "✏️ Edit an answer")
    await person.tap(picker, "To improve")
    await person.say("Prepare the Kafka story")
    await person.next()

    await user.send_text("/new")
    await person.question("company")
    offer = await person.say("acme robotics")
    assert "Acme Robotics" in offer.text
    assert "Backend engineer" in offer.text
    interviewers = await person.tap(offer, "🔁 Next round: Backend engineer")
    assert "Round 2 of your application at Acme Robotics" in interviewers.text
    assert "Who did you meet?" in interviewers.text
    # The offer became the question's record: the position it took, no keyboard left.
    settled = await person.settled(offer)
    assert "✍️ Backend engineer" in settled.text
    rows = stored_debriefs(db_path, 1001)
    assert rows[1]["previous_id"] == rows[0]["id"]
    assert rows[0]["outcome"] == "next_round"

    await user.press_button(interviewers, person.label("debrief.finish_button"))
    ending = await person.until(text("en", "debrief.finished").split(":")[0])
    recall = next(m for m in ending if "Earlier rounds at" in m.text)
    assert "Prepare the Kafka story" in recall.text

    grouped = await person.say("/history")
    assert "Your debriefs · 2" in grouped.text
    assert "Round 2" in grouped.text
    assert "Round 1" in grouped.text
    assert grouped.text.casefold().count("acme robotics") == 1
    assert "Backend engineer" in grouped.text


async def test_a_typed_position_is_a_separate_application(
    telegram: FakeTelegram, db_path: Path
) -> None:
    user = telegram.user(1001, language_code="fr")
    person = Debriefer(user, "fr")
    await debrief(person, "Société Générale")
    await user.send_text("/new")
    await person.question("company")
    offer = await person.say("societe generale")
    assert "tour suivant" in offer.text
    await person.say("Analyste crédit")
    rows = stored_debriefs(db_path, 1001)
    assert all(row["previous_id"] is None for row in rows)
    assert rows[1]["kept"] == ""
