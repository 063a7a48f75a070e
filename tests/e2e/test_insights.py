"""/insights through the real `python -m bot` process: recurring questions, the chart, privacy."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.dates import short_date
from conversations.i18n import catalog
from tests.e2e.driver import WAIT, Debriefer, text
from tests.e2e.test_restart import bot_process

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
        end = ending[-1]
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
    assert _photos(bob.user.messages) == []
    assert telegram.rejected == []
