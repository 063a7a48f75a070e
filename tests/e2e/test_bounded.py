"""Nobody can hog the bot: forged buttons and oversized input, against `python -m bot`."""

from __future__ import annotations

from pathlib import Path

from bot.fakeapi import BotMessage, FakeTelegram
from tests.e2e.driver import WAIT, Debriefer, stored_debriefs, text
from tests.e2e.test_restart import bot_process


def _db(folder: Path) -> Path:
    return folder / "data" / "debrief.sqlite3"


async def _finished_debrief(person: Debriefer, company: str) -> BotMessage:
    """Answer the company, then finish now; return the message with the link offer, if any."""
    await person.user.send_text("/new")
    await person.question("company")
    message = await person.say(company)
    offer = message
    if "🔗" in message.text:
        message = await person.question("position")
    await person.user.press_button(message, person.label("debrief.finish_button"))
    await person.until(text(person.language, "debrief.finished").split(":")[0])
    return offer


async def test_a_forged_addition_to_an_answer_other_than_the_previous_one_is_refused(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5001, language_code="en")
    person = Debriefer(user, "en")
    async with bot_process(telegram, tmp_path):
        await user.send_text("/new")
        await person.question("company")
        position = await person.say("Acme")
        debrief_id = stored_debriefs(_db(tmp_path), user.user_id)[0]["id"]

        forged = await user.press(position, f"add:{debrief_id}:next_steps", force=True)
        answer = await telegram.wait_for_callback_answer(forged, timeout=WAIT * 2)

        assert answer.text is not None
        assert "behind us" in answer.text
        assert stored_debriefs(_db(tmp_path), user.user_id)[0]["append_key"] is None
        # The addition the button offers is still taken.
        prompt = await person.tap(position, person.label("debrief.add_button"))
        assert "Company" in prompt.text
        assert stored_debriefs(_db(tmp_path), user.user_id)[0]["append_key"] == "company"


async def test_a_forged_link_that_would_close_a_loop_of_rounds_is_refused(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5002, language_code="en")
    person = Debriefer(user, "en")
    async with bot_process(telegram, tmp_path):
        await _finished_debrief(person, "Acme")
        offer = await _finished_debrief(person, "Acme")
        await user.press_button(offer, "🔗 Yes, next round")
        await telegram.wait_for_edit(user.chat_id, offer.message_id, timeout=WAIT)
        first, second = (row["id"] for row in stored_debriefs(_db(tmp_path), user.user_id))
        assert stored_debriefs(_db(tmp_path), user.user_id)[1]["previous_id"] == first

        # The same button, rewritten to make the first round follow the second.
        forged = await user.press(offer, f"lnk:{first}:{second}:y", force=True)
        answer = await telegram.wait_for_callback_answer(forged, timeout=WAIT)

        assert answer.text is not None
        assert "already linked" in answer.text
        rows = stored_debriefs(_db(tmp_path), user.user_id)
        assert [row["previous_id"] for row in rows] == [None, first]
        listing = await person.say("/history")
        assert "Your debriefs · 2" in listing.text
        assert "Round 2" in listing.text
