"""Nobody can hog the bot: forged buttons and oversized input, against `python -m bot`."""

from __future__ import annotations

from pathlib import Path

from bot.fakeapi import BotMessage, FakeTelegram
from bot.render import utf16_len
from conversations.checklist import Kind, checklist
from conversations.summary import NOTE_KEY
from tests.e2e.driver import WAIT, Debriefer, bot_process, stored_answers, stored_debriefs, text
from tests.samples import long_text


def _db(folder: Path) -> Path:
    return folder / "data" / "debrief.sqlite3"


async def _start(person: Debriefer, company: str = "Acme", *, skips: int = 0) -> BotMessage:
    """Start a debrief, name the company and skip `skips` questions; return the last reply."""
    await person.user.send_text("/new")
    await person.question("company")
    message = await person.say(company)
    for _ in range(skips):
        message = await person.say("/skip")
    return message


async def _finished_debrief(person: Debriefer, company: str) -> BotMessage:
    """Answer the company, then finish now; return the position question (a round's offer)."""
    message = await _start(person, company)
    await person.user.press_button(message, person.label("debrief.finish_button"))
    await person.until(text(person.language, "debrief.finished").split(":")[0])
    return message


async def test_a_forged_addition_to_an_answer_other_than_the_previous_one_is_refused(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5001, language_code="en")
    person = Debriefer(user, "en")
    async with bot_process(telegram, tmp_path):
        position = await _start(person)
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
        offer = await _start(person, "Acme")
        following = await person.tap(offer, text("en", "history.round_button_plain"))
        await user.press_button(following, person.label("debrief.finish_button"))
        await person.until(text(person.language, "debrief.finished").split(":")[0])
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


async def test_an_email_address_of_4000_characters_is_refused_and_asked_again(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5003, language_code="fr")
    person = Debriefer(user, "fr")
    total = len(checklist().express)
    async with bot_process(telegram, tmp_path):
        people_question = await _start(person, skips=1)
        assert f"Question 3/{total}" in people_question.text

        refused = await person.say("Claire, " + "claire." * 570 + "@acme.example")

        assert "Trop long" in refused.text
        assert "2\u202f000 caractères" in refused.text
        assert f"Question 3/{total}" in refused.text
        assert "interviewers" not in stored_answers(_db(tmp_path), user.user_id)
        too_long_address = await person.say("Claire, " + "claire." * 40 + "@acme.example")
        assert "adresse e-mail" in too_long_address.text
        assert f"Question 4/{total}" in (await person.say("Claire, claire@acme.example")).text
    assert (
        stored_answers(_db(tmp_path), user.user_id)["interviewers"] == "Claire, claire@acme.example"
    )


async def test_a_debrief_of_the_longest_answers_everywhere_finishes(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5004, first_name="J" * 64, language_code="en")
    person = Debriefer(user, "en")
    longest = "a" * 241 + "@acme.example"
    async with bot_process(telegram, tmp_path):
        await user.send_text("/new")
        ending: list[BotMessage] = []
        for part in (checklist().express, checklist().deeper):
            if ending:  # the car-park part is behind: go deeper now
                offer = next(m for m in ending if person.label("deeper.now_button") in m.labels)
                await user.press_button(offer, person.label("deeper.now_button"))
            for key in part:
                question = checklist().question(key)
                message = await person.question(question.key)
                if question.kind is Kind.PEOPLE:
                    refused = await person.say("Claire, " + "x" * 4000 + "@acme.example")
                    assert "Too long: 2,000 characters at most" in refused.text
                    await user.send_text(f"Claire, {longest}")
                elif question.kind is not Kind.TEXT:
                    await user.press_button(message, message.labels[0])
                elif question.max_length is not None:
                    refused = await person.say(long_text(4096, seed=1))
                    assert "Too long: 200 characters at most" in refused.text
                    assert f"Question {part.index(key) + 1}/{len(part)}" in refused.text
                    await user.send_text(long_text(question.limit))
                else:
                    await user.send_text(long_text(4096))
            ending += await person.until_end()
    assert telegram.rejected == []
    total = len(checklist())
    assert f"({total} of {total}" in ending[-1].text
    assert any(m.html.startswith("✉️") and "<pre>" in m.html for m in ending)
    for message in ending:
        assert utf16_len(message.text) <= 4096
    stored = stored_answers(_db(tmp_path), user.user_id)
    assert len(stored) == total
    assert max(len(answer) for answer in stored.values()) == 4096


async def test_additions_stop_at_20000_characters_and_the_question_comes_again(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    user = telegram.user(5005, language_code="en")
    person = Debriefer(user, "en")
    part = long_text(4096)
    async with bot_process(telegram, tmp_path):
        deeper = checklist().deeper
        after = deeper.index("company_info") + 2  # the number of the question after it
        await person.skip_to("company_info", await _start(person))
        question = await person.say(part)  # company_info, then the question after it
        assert f"Question {after}/{len(deeper)}" in question.text
        for _ in range(3):
            prompt = await person.tap(question, person.label("debrief.add_button"))
            assert "Company" not in prompt.text
            question = await person.say(part)
            assert "Added" in question.text
        prompt = await person.tap(question, person.label("debrief.add_button"))

        refused = await person.say(part)

        assert "Too long: with that, your answer to “About the company”" in refused.text
        assert "20,000 characters" in refused.text
        assert f"Question {after}/{len(deeper)}" in refused.text
        assert f"Question {after + 1}/{len(deeper)}" in (await person.say("Relaxed")).text
    stored = stored_answers(_db(tmp_path), user.user_id)
    assert stored["company_info"] == "\n".join([part.strip()] * 4)


async def test_notes_stop_at_20000_characters(telegram: FakeTelegram, tmp_path: Path) -> None:
    user = telegram.user(5006, language_code="en")
    person = Debriefer(user, "en")
    part = long_text(4000)
    async with bot_process(telegram, tmp_path):
        await _start(person)
        for _ in range(4):
            assert "Noted" in (await person.say(f"/note {part}")).text

        refused = await person.say(f"/note {part}")

        assert "Too long: with that, your answer to “Note” would go over 20,000" in refused.text
    stored = stored_answers(_db(tmp_path), user.user_id)
    assert stored[NOTE_KEY] == "\n".join([part] * 4)
