"""A later round of the same application: what is known is kept, only what is new is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.checklist import checklist
from tests.e2e.driver import WAIT, Debriefer, stored_answers, stored_debriefs, text

ROUND_ONE = {
    "company": "Acme Robotics",
    "position": "Backend engineer",
    "interviewers": "Ms Claire Martin, HR Director, claire.martin@acme.example\nJulien Petit, CTO",
    "next_steps": "They decide by 4 December.",
    "email_moment": "the whiteboard session on the fleet API",
    "email_strength": "I cut the latency of our API by 60%",
    "forgotten_questions": "What does on-call look like?",
    "company_info": "A 40-person robotics SME, profitable",
    "working_conditions": "Hybrid, two days remote",
    "commute": "40 minutes by bike",
    "position_info": "Owns the fleet API and its on-call",
    "atmosphere": "Quiet, friendly open space",
}
KEPT = ("company_info", "working_conditions", "commute", "position_info")
# The car-park answers of round 2, after the company: the people are kept with one tap.
ROUND_TWO = {
    "next_steps": "Final answer on 11 December.",
    "email_moment": "pairing with Julien on the retry logic",
    "email_strength": "I ran the same migration at my last job",
    "forgotten_questions": "Who would I report to?",
}


async def _answer(person: Debriefer, message: BotMessage, answers: dict[str, str]) -> BotMessage:
    """Answer the questions in `answers` as they come, skipping the others; return what follows."""
    for key, value in answers.items():
        prompt = checklist().question(key).prompt(person.language)
        while prompt not in message.text:
            message = await person.tap(message, person.label("debrief.skip_button"))
        message = await person.say(value)
    return message


async def _round_one(person: Debriefer) -> None:
    """Debrief round 1 whole: the car park, then deeper at once."""
    await person.user.send_text("/new")
    await person.answer_everything(ROUND_ONE)


def _deeper_prompts(messages: list[BotMessage], language: str) -> list[str]:
    """Return the keys of the deeper questions among messages."""
    return [
        key
        for key in checklist().deeper
        for message in messages
        if checklist().question(key).prompt(language) in message.text  # type: ignore[arg-type]
    ]


@pytest.mark.usefixtures("bot")
async def test_the_second_round_keeps_what_is_known_and_asks_only_what_is_new(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(9101, first_name="Alice", language_code="en"), "en")
    user = person.user
    await _round_one(person)

    await user.send_text("/new")
    await person.question("company")
    position = await person.say("acme robotics")
    # The position question offers the earlier application, with one tap.
    assert "You already debriefed an interview at Acme Robotics" in position.text
    assert "🔁 Next round: Backend engineer" in position.labels
    people = await person.tap(position, "🔁 Next round: Backend engineer")

    assert "Round 2 of your application at Acme Robotics" in people.text
    assert (
        "Kept from before, so not asked again: “About the company”, “Working conditions”,"
        " “Commute”, “About the position”." in people.text
    )
    assert "Question 3/8" in people.text
    assert "Last round:" in people.text
    assert "Ms Claire Martin" in people.text
    next_steps = await person.tap(people, "✅ Same as last round")
    assert "Question 4/8" in next_steps.text
    ending = await _answer(person, next_steps, ROUND_TWO)
    ending_messages = [ending, *await person.until(text("en", "debrief.finished").split(":")[0])]

    # The thank-you goes to the same people, about this round.
    drafts = [m for m in ending_messages if "<pre>" in m.html]
    assert any("Dear Ms Martin" in m.text and "retry logic" in m.text for m in drafts)
    # The company typed in a hurry takes the spelling of the round before.
    assert all("position at Acme Robotics" in m.text for m in drafts)
    offer = next(m for m in ending_messages if person.label("deeper.now_button") in m.labels)
    left = len(checklist().deeper) - len(KEPT)
    assert f"{left} questions" in offer.text or str(left) in offer.text

    # Going deeper asks only what the first round could not know.
    await user.press_button(offer, person.label("deeper.now_button"))
    deeper = [await person.next()]
    while not person.ended(deeper[-1]):
        if person.label("debrief.skip_button") in deeper[-1].labels:
            await user.press_button(deeper[-1], person.label("debrief.skip_button"))
        deeper.append(await person.next())
    asked = _deeper_prompts(deeper, "en")
    assert not set(asked) & set(KEPT)
    assert len(asked) == left
    assert f"Question 1/{left}" in deeper[1].text or f"Question 1/{left}" in deeper[0].text
    summary = "\n".join(m.text for m in deeper)
    assert "40 minutes by bike" in summary
    assert "A 40-person robotics SME" in summary

    first, second = stored_debriefs(db_path, user.user_id)
    assert second["previous_id"] == first["id"]
    assert set(str(second["kept"]).split()) == set(KEPT)
    answers = stored_answers(db_path, user.user_id)
    assert answers["interviewers"] == ROUND_ONE["interviewers"]
    assert answers["next_steps"] == ROUND_TWO["next_steps"]


@pytest.mark.usefixtures("bot")
async def test_new_people_typed_in_a_later_round_replace_the_earlier_ones(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(9102, language_code="fr"), "fr")
    user = person.user
    await _round_one(person)

    await user.send_text("/new")
    await person.question("company")
    position = await person.say("ACME robotics")
    assert "Si c'est le tour suivant" in position.text
    people = await person.tap(position, "🔁 Tour suivant\u00a0: Backend engineer")
    assert "Au tour précédent\u00a0:" in people.text
    # /back returns to the position, which the tap answered.
    back = await person.tap(people, person.label("debrief.back_button"))
    assert "Backend engineer" in back.text
    people = await person.tap(back, person.label("debrief.keep_button"))
    assert "Au tour précédent\u00a0:" in people.text

    next_steps = await person.say("M. Paul Durand, VP Engineering, paul.durand@acme.example")
    assert "Question 4/8" in next_steps.text
    await user.press_button(next_steps, person.label("debrief.finish_button"))
    ending = await person.until_end()

    drafts = [m for m in ending if "<pre>" in m.html]
    assert any("Monsieur" in m.text and "paul.durand@acme.example" in m.text for m in drafts)
    assert not any("Claire" in m.text for m in drafts)


@pytest.mark.usefixtures("bot")
async def test_the_next_round_can_be_debriefed_from_the_history_straight_to_what_is_new(
    telegram: FakeTelegram, db_path: Path
) -> None:
    person = Debriefer(telegram.user(9103, language_code="en"), "en")
    user = person.user
    await _round_one(person)

    await user.send_text("/history")
    listing = await user.next_message(timeout=10, predicate=lambda m: bool(m.buttons))
    view = await person.tap(listing, next(label for label in listing.labels if "Acme" in label))
    while "🔁 Debrief the next round" not in view.labels:
        view = await person.next()
    people = await person.tap(view, "🔁 Debrief the next round")

    # Straight to the people: the company and the position are the application's.
    assert "Round 2 of your application at Acme Robotics" in people.text
    assert "Question 3/8" in people.text
    first, second = stored_debriefs(db_path, user.user_id)
    assert second["previous_id"] == first["id"]
    rounds = {row["id"]: row for row in stored_debriefs(db_path, user.user_id)}
    assert len(rounds) == 2

    # The button did its work: it leaves, and a second tap (forged) starts nothing more.
    settled = await person.settled(view)
    assert not settled.buttons
    forged = await user.press(view, f"new::{first['id']}", force=True)
    await telegram.wait_for_callback_answer(forged, timeout=WAIT)
    assert len(stored_debriefs(db_path, user.user_id)) == 2
