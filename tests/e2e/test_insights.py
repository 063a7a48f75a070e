"""/insights through the real `python -m bot` process: recurring questions, the chart, privacy."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.dates import short_date
from conversations.i18n import catalog
from tests.e2e.driver import WAIT, Debriefer, bot_process, text

AWKWARD = {
    "Acme": "Pourquoi voulez-vous quitter votre poste actuel ?",
    "Globex <b>&": "Et pourquoi quittez-vous votre poste actuel ?",
    "Initech": "Pourquoi quitter votre poste actuel ?\nParlez-moi de vos échecs.",
    "Hooli": "Pourquoi quitter votre poste actuel ?",
}


async def debrief(person: Debriefer, company: str, day: str, rating: str) -> list[BotMessage]:
    """Answer a whole debrief, skipping what this test does not need."""
    await person.user.send_text("/new")
    return await person.answer_everything(
        {
            "company": company,
            "interview_date": day,
            "rating": rating,
            "awkward_questions": AWKWARD[company],
            "improve": "Parler moins vite",
            "blunders": "J'ai parlé trop vite" if company == "Initech" else "Aucune",
        }
    )


def _photos(messages: list[BotMessage]) -> list[BotMessage]:
    """Return the photo messages among the bot's messages."""
    return [message for message in messages if message.is_photo]


async def test_three_debriefs_with_a_shared_awkward_question_give_insights_and_a_chart(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    alice = Debriefer(telegram.user(3001, language_code="fr"), "fr")
    bob = Debriefer(telegram.user(3002, language_code="fr"), "fr")

    async with bot_process(telegram, tmp_path):
        await alice.user.send_text("/insights")
        nothing_yet = await alice.user.next_message(timeout=WAIT * 2)
        assert "dès deux bilans" in nothing_yet.text

        # Recent interviews: no "no news" reminder falls due during the test.
        ending = await debrief(alice, "Acme", "avant-hier", "2")
        await debrief(alice, "Globex <b>&", "hier", "3")
        await debrief(alice, "Initech", "aujourd'hui", "4")
        # Bob's debrief has the same question: it must not show up in Alice's insights.
        await debrief(bob, "Hooli", "hier", "1")
        # Acme said no: the end of its debrief turns into the status choice, in place.
        end = alice.car_park_end(ending)[-1]
        await alice.user.press_button(end, text("fr", "end.status_button"))
        refusal = text("fr", "outcome.rejected_button")
        choice = await telegram.wait_for_message(
            alice.user.chat_id, after=end.index, predicate=lambda m: refusal in m.labels
        )
        await alice.user.press_button(choice, refusal)
        await telegram.wait_for_message(
            alice.user.chat_id, after=end.index, predicate=lambda m: "Désolé" in m.text
        )

        await alice.user.send_text("/insights")
        title = catalog().text("fr", "insights.title")
        first = await alice.user.next_message(timeout=WAIT * 2, predicate=lambda m: title in m.text)
        photo = await alice.user.next_message(timeout=WAIT * 2, predicate=lambda m: m.is_photo)
        await bob.user.send_text("/insights")
        only_one = await bob.user.next_message(timeout=WAIT * 2)

        # Nothing of the insights is kept apart from the debriefs: after /delete, nothing shows.
        erase = text("fr", "erase.yes")
        await alice.user.send_text("/delete")
        confirm = await alice.user.next_message(timeout=WAIT, predicate=lambda m: erase in m.labels)
        await alice.user.press_button(confirm, erase)
        await telegram.wait_for_message(
            alice.user.chat_id,
            after=confirm.index,
            predicate=lambda m: m.message_id == confirm.message_id and m.edit_count > 0,
        )
        await alice.user.send_text("/insights")
        after_delete = await alice.user.next_message(
            timeout=WAIT * 2, predicate=lambda m: "dès deux bilans" in m.text
        )

    shown = "\n".join(
        m.text for m in alice.user.messages[first.index : photo.index] if not m.is_photo
    )
    assert "Entretiens\u00a0: 3 · candidatures\u00a0: 3 · entreprises\u00a0: 3" in shown
    assert "Cette question revient souvent\u00a0: préparez-la." in shown
    assert "«\u00a0Pourquoi quitter votre poste actuel\u00a0?\u00a0» — Initech" in shown
    # The bot process runs on the real clock, in the default timezone.
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    days = [short_date(today - timedelta(days=n), "fr", today=today) for n in (1, 2)]
    assert f"Globex <b>& ({days[0]}), Acme ({days[1]})" in shown
    assert "Hooli" not in shown
    assert "Ça progresse" in shown
    assert "revenu comme maladresse chez Initech" in shown
    assert "refus 1" in shown

    assert photo.text == catalog().text("fr", "insights.chart_caption")
    png = telegram.file_bytes(photo.photo_file_id or "")
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (864, 1056)
    assert len(png) < 60_000

    assert "Un bilan pour l'instant" in only_one.text
    assert not after_delete.is_photo
    assert _photos(bob.user.messages) == []
    assert telegram.rejected == []


@pytest.mark.usefixtures("bot")
async def test_the_recall_of_a_next_round_opens_with_the_questions_that_keep_coming_back(
    telegram: FakeTelegram,
) -> None:
    person = Debriefer(telegram.user(3003, language_code="en"), "en")
    user = person.user
    for company, awkward in (
        ("Acme", "Why are you leaving your current job?"),
        ("Globex", "Why do you want to leave your current job?"),
    ):
        await user.send_text("/new")
        await person.answer_everything({"company": company, "awkward_questions": awkward})

    await user.send_text("/new")
    await person.question("company")
    offer = await person.say("acme")
    following = await person.tap(offer, text("en", "history.round_button_plain"))
    await user.press_button(following, person.label("debrief.finish_button"))
    ending = await person.until(text("en", "debrief.finished").split(":")[0])

    recall = next(m for m in ending if "Earlier rounds at" in m.text)
    assert "This question keeps coming back: prepare it" in recall.text
    assert "“Why do you want to leave your current job?”" in recall.text
    assert "At Globex (" in recall.text
    # The earlier round's own notes follow.
    assert recall.text.index("keeps coming back") < recall.text.index("Why are you leaving")
