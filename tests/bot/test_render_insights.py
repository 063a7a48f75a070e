"""Rendering /insights: escaped, French typography, within Telegram's limits."""

from __future__ import annotations

from datetime import date, datetime

from bot import render
from conversations.insights import build_insights
from conversations.model import Debrief, Outcome, Status
from tests.bot.test_render import assert_valid_message

TODAY = date(2026, 12, 2)
HOSTILE = "<b>Acme</b> & Co"


def made(
    debrief_id: int,
    company: str,
    day: str,
    outcome: Outcome = Outcome.WAITING,
    outcome_at: str | None = None,
    **answers: str,
) -> Debrief:
    """Return a finished debrief."""
    return Debrief(
        debrief_id,
        1,
        Status.DONE,
        None,
        None,
        None,
        None,
        answers={"company": company, "interview_date": day, **answers},
        outcome=outcome,
        outcome_at=datetime.fromisoformat(outcome_at) if outcome_at else None,
    )


DEBRIEFS = [
    made(1, HOSTILE, "2026-09-03", Outcome.REJECTED, "2026-09-20T09:00:00Z", rating="2",
         awkward_questions="Pourquoi quitter <votre> poste ?", improve="Parler moins vite"),
    made(2, "Globex", "2026-10-01", Outcome.OFFER, "2026-10-05T09:00:00Z", rating="4",
         awkward_questions="Pourquoi quittez-vous <votre> poste ?", blunders="Parlé trop vite"),
]  # fmt: skip


def test_insights_are_escaped_and_fit_in_messages() -> None:
    messages = render.insights(build_insights(DEBRIEFS, language="fr"), language="fr", today=TODAY)

    shown = "\n".join(assert_valid_message(message) for message in messages)
    # Quoted in a French message, the question gets its non-breaking space.
    assert "Pourquoi quittez-vous <votre> poste\u00a0?" in shown
    assert f"Chez {HOSTILE}" not in shown
    assert f"{HOSTILE} (3 septembre)" in shown
    assert "Cette question revient souvent\u00a0: préparez-la." in shown
    assert (
        "Candidatures\u00a0: 2 → réponses\u00a0: 2 → tour suivant\u00a0: 1 → offres\u00a0: 1"
        in shown
    )
    assert "2,0/5" in shown
    assert "Ça progresse" in shown
    assert "revenu comme maladresse chez Globex (1er octobre)" in shown
    assert "Médiane\u00a0: 10 jours (2 réponses)." in shown


def test_english_insights_use_english_numbers_and_plurals() -> None:
    debriefs = [made(1, "Acme", "2026-09-03", Outcome.REJECTED, "2026-09-04T09:00:00Z", rating="3"),
                made(2, "Hooli", "2026-10-03", rating="3")]  # fmt: skip

    messages = render.insights(build_insights(debriefs, language="en"), language="en", today=TODAY)

    shown = "\n".join(assert_valid_message(message) for message in messages)
    assert "3.0/5 on average; the latest: 3.0/5. Steady." in shown
    assert "One answer: 1 day." in shown
    assert "Nothing comes back from one company to the next yet." in shown
