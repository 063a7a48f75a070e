"""/export gives users everything they answered, and nothing of anyone else."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from conversations.checklist import Kind, checklist
from tests.e2e.driver import Debriefer
from tests.e2e.test_history import answer_rows, debrief
from tests.samples import long_text

pytestmark = pytest.mark.usefixtures("bot")

ALICE, BOB = 1001, 2002
HOSTILE = "Salary <b>& “bonus” </i> `code` # not a heading\n> not a quote"
LONG = long_text(4000, seed=1)


async def alice_and_bob(telegram: FakeTelegram) -> tuple[Debriefer, Debriefer]:
    """Give Alice two debriefs (hostile and long answers) and Bob one."""
    alice = Debriefer(telegram.user(ALICE, first_name="Alice", language_code="en"), "en")
    bob = Debriefer(telegram.user(BOB, first_name="Bob", language_code="fr"), "fr")
    await debrief(
        alice,
        "Acme <Robotics> & Co",
        {
            "position": HOSTILE,
            "interview_date": "yesterday",
            "interviewers": "Claire Dubois, Head of platform",
            "interviewer_decides": "[Yes]",
            "company_info": LONG,
        },
    )
    await debrief(alice, "Globex", {"position": "Data engineer"})
    await debrief(bob, "Bobcorp secret", {"position": "Poste secret de Bob"})
    return alice, bob


async def test_export_sends_markdown_json_and_eml_with_everything_and_nothing_else(
    telegram: FakeTelegram, db_path: Path
) -> None:
    alice, _ = await alice_and_bob(telegram)

    await alice.user.send_text("/export")
    sent = await alice.until("Export complete")

    documents = {m.document_name: m.document_bytes for m in sent if m.is_document}
    names = sorted(n for n in documents if n)
    assert sorted(n.rsplit(".", 1)[-1] for n in names) == ["eml", "eml", "json", "md"], names
    markdown = documents[next(n for n in names if n.endswith(".md"))]
    exported = documents[next(n for n in names if n.endswith(".json"))]
    assert markdown is not None
    assert exported is not None
    stored = answer_rows(db_path, ALICE)
    assert len(stored) == 8
    text_md = markdown.decode()
    as_json = json.loads(exported)
    dumped = json.dumps(as_json, ensure_ascii=False)
    for _, key, answer in stored:
        # Typed answers are verbatim in both; dates and choices read as words in the Markdown.
        if checklist().question(key).kind in (Kind.TEXT, Kind.PEOPLE):
            for line in answer.splitlines():
                assert line in text_md, line
        assert json.dumps(answer, ensure_ascii=False) in dumped
    assert as_json["schema_version"] >= 1
    assert len(as_json["debriefs"]) == 2
    everything = (
        text_md
        + dumped
        + "".join((body or b"").decode("utf-8", "replace") for body in documents.values())
    )
    assert "Bob" not in everything
    emails = [
        message_from_bytes(body, policy=default)
        for name, body in documents.items()
        if name and name.endswith(".eml") and body
    ]
    subjects = sorted(str(mail["Subject"]) for mail in emails)
    assert any("Acme <Robotics> & Co" in s or HOSTILE.splitlines()[0] in s for s in subjects)
    assert len(emails) == 2
    assert all(mail["X-Unsent"] == "1" for mail in emails)
    assert "Export complete: 2 debriefs, 8 answers" in sent[-1].text


async def test_export_with_nothing_stored_says_so(telegram: FakeTelegram) -> None:
    person = Debriefer(telegram.user(ALICE, language_code="fr"), "fr")

    reply = await person.say("/export")

    assert "Rien à exporter" in reply.text
    assert not any(m.is_document for m in telegram.messages(ALICE))
