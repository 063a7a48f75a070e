"""A debrief of the email corpus through the real `python -m bot`: its drafts are sendable."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

from bot.fakeapi import BotMessage, FakeTelegram
from conversations.email import EmailDraft
from tests.conversations.emails_corpus import CORPUS, Debrief
from tests.conversations.test_email import check_rules
from tests.e2e.driver import Debriefer, bot_process

_PRE = re.compile(r"<pre>(.*?)</pre>", re.DOTALL)
_HEAD = re.compile(r"^(?:À\u00a0: (?P<to>[^\n]+)\n)?Objet\u00a0: (?P<subject>[^\n]+)\n\n", re.M)


def _draft(message: BotMessage) -> EmailDraft:
    """Read the draft a message carries in its copyable block."""
    [block] = _PRE.findall(message.html)
    text = html.unescape(block)
    head = _HEAD.match(text)
    assert head is not None, text
    to = tuple(head["to"].split(", ")) if head["to"] else ()
    return EmailDraft(to, head["subject"], text[head.end() :])


def _reminders(db_path: Path) -> dict[str, str]:
    """Return each reminder kind's state, straight from the database file."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT kind, state FROM reminders").fetchall())


async def test_a_two_interviewer_debrief_gets_sendable_drafts_from_the_real_bot(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    [corpus] = (debrief for debrief in CORPUS if debrief.name == "issue-pm-paie")
    typed = {**corpus.answers, "interview_date": "[Aujourd'hui]", "interviewer_decides": "[Oui]"}
    user = telegram.user(5001, first_name="Jean", language_code="fr")
    person = Debriefer(user, "fr")

    async with bot_process(telegram, tmp_path):
        await user.send_text("/new")
        ending = await person.answer_everything(typed)
        # The drafts of the car-park end (the deeper end sends them again if they changed).
        drafts = [m for m in person.car_park_end(ending) if "<pre>" in m.html]
        assert len(drafts) == 2
        claire, julien = (_draft(message) for message in drafts)
        assert claire.recipients == ("claire.martin@payfit.fr",)
        assert claire.body.startswith("Bonjour Madame Martin,\n\n")
        assert julien.recipients == ("julien.roche@payfit.fr",)
        assert julien.body.startswith("Bonjour Monsieur Roche,\n\n")
        for message, draft in zip(drafts, (claire, julien), strict=True):
            check_rules(draft, Debrief(corpus.name, "fr", corpus.answers), sender="Jean")
            assert any(link.startswith(f"mailto:{draft.recipients[0]}?") for link in message.links)
            assert "Comment est organisée la squad\u00a0?" in draft.body

        joint_message = await person.tap(drafts[-1], person.label("email.joint_button"))
        joint = _draft(joint_message)
        assert joint.recipients == ("claire.martin@payfit.fr", "julien.roche@payfit.fr")
        assert joint.body.startswith("Bonjour Madame Martin et Monsieur Roche,\n\n")
        check_rules(joint, Debrief(corpus.name, "fr", corpus.answers), sender="Jean")

        assert _reminders(tmp_path / "data" / "debrief.sqlite3")["questions"] == "pending"
        settled = await person.tap_in_place(joint_message, person.label("reminders.sent_button"))
        assert "je ne vous les rappellerai pas" in settled.text
        # The thank-you asked both forgotten questions: no questions email will ask them again.
        assert _reminders(tmp_path / "data" / "debrief.sqlite3")["questions"] == "cancelled"
    assert telegram.rejected == []
