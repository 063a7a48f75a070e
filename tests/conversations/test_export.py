"""The export files: every answer verbatim in Markdown and JSON, thank-you drafts as .eml."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt

from conversations.checklist import Kind, checklist
from conversations.email import build_thank_you
from conversations.export import (
    eml_filename,
    export_filename,
    export_json,
    export_markdown,
    thank_you_eml,
)
from conversations.history import group_rounds
from conversations.i18n import LANGUAGES, Language, catalog
from conversations.model import (
    Debrief,
    Outcome,
    Profile,
    Reminder,
    ReminderKind,
    ReminderState,
    Status,
    TimezonePrompt,
)
from tests.samples import FULL_ANSWERS, long_answers, long_text

USER = 4242
# 15:30 in Paris is 14:30 UTC.
NOW = datetime(2026, 11, 26, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))
PROFILE = Profile(USER, "fr", "fr-FR", "Jeanne Dupré 🙂", "Europe/Paris", TimezonePrompt())
SENDER = "Jeanne Dupré 🙂"
SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "export.schema.json"
HOSTILE = (
    "<b>bold?</b> &amp; &lt;script&gt;alert(1)</script> *stars* _under_ [link](javascript:x)\n"
    "# not a heading\n"
    "```\n"
    "a fence line, then a longer one:\n"
    "``````\n"
    "    indented code?\n"
    "> not a quote\n"
    "- not a list 🙂 é ß 漢字 \u202eevil\u202c\n"
    "\n"
    "  trailing spaces   \n"
    "~~~\n"
    "<!-- comment -->\n"
)
# Headings' `**Label:**` lines are ours; everything between fences is the user's.
TEXT_KINDS = (Kind.TEXT, Kind.PEOPLE)


def _debrief(
    debrief_id: int,
    answers: dict[str, str],
    *,
    created_at: str = "2026-11-25T17:02:03.123Z",
    previous_id: int | None = None,
    user_id: int = USER,
    **fields: Any,
) -> Debrief:
    return Debrief(
        id=debrief_id,
        user_id=user_id,
        status=fields.pop("status", Status.DONE),
        current_key=None,
        asked_key=None,
        asked_message_id=None,
        append_key=None,
        answers=answers,
        created_at=datetime.fromisoformat(created_at) if created_at else None,
        previous_id=previous_id,
        **{
            name: _typed(name, value) if name in _TIMES and isinstance(value, str) else value
            for name, value in fields.items()
        },
    )


_TIMES = ("finished_at", "next_round_date", "outcome_at")


def _typed(name: str, value: str) -> Any:
    """Read a date or a moment written as text, as the repository would."""
    return date.fromisoformat(value) if name.endswith("_date") else datetime.fromisoformat(value)


def _markdown(debriefs: list[Debrief], language: Language = "en") -> str:
    return export_markdown(debriefs, checklist=checklist(), language=language, exported_at=NOW)


def _json(debriefs: list[Debrief], reminders: list[Reminder] | None = None) -> Any:
    text = export_json(
        debriefs, checklist=checklist(), profile=PROFILE, reminders=reminders or [], exported_at=NOW
    )
    return json.loads(text)


def _fenced(markdown: str) -> list[str]:
    """Read back the fenced blocks as a CommonMark viewer does (without their last line break)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [token.content.removesuffix("\n") for token in tokens if token.type == "fence"]


def _text_answers(answers: dict[str, str]) -> list[str]:
    """Return the free-text and email answers in checklist order, as the Markdown fences them."""
    return [
        answers[question.key]
        for question in checklist()
        if question.kind in TEXT_KINDS and answers.get(question.key)
    ]


def _headings(markdown: str) -> list[str]:
    return re.findall(r"^#{1,3} .*$", markdown, flags=re.MULTILINE)


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return schema


def _closed(schema: Any) -> Any:
    """Copy a schema with every object closed, so that an undeclared property fails validation."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if "properties" in schema:
        closed["additionalProperties"] = False
    return closed


def _validate(document: Any) -> None:
    """Validate against the schema, and against a closed copy: every field must be documented."""
    for schema in (_schema(), _closed(_schema())):
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        validator.validate(document)


def _parse_eml(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _eml_body(message: EmailMessage) -> str:
    # The file has CRLF line ends (RFC 5322); the draft has plain line feeds.
    content = message.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


# Markdown.


@pytest.mark.parametrize("language", LANGUAGES)
def test_markdown_fences_every_free_text_answer_exactly_as_given(language: Language) -> None:
    markdown = _markdown([_debrief(1, dict(FULL_ANSWERS))], language)

    assert _fenced(markdown) == _text_answers(FULL_ANSWERS)
    for text in _text_answers(FULL_ANSWERS):
        assert f"```\n{text}\n```\n" in markdown


def test_markdown_spells_out_choices_ratings_and_dates() -> None:
    english = _markdown([_debrief(1, dict(FULL_ANSWERS))], "en")
    french = _markdown([_debrief(1, dict(FULL_ANSWERS))], "fr")

    assert "\n**Makes the hiring decision:** Yes\n" in english
    assert "\n**Rating:** ★★★★☆ 4/5\n" in english
    assert "\n**Interview date:** Wednesday 25 November 2026\n" in english
    assert "\n**Décide du recrutement\u00a0:** Oui\n" in french
    assert "\n**Date de l'entretien\u00a0:** mercredi 25 novembre 2026\n" in french


def test_a_malformed_rating_or_date_is_quoted_verbatim_instead() -> None:
    answers = {"company": "Acme", "rating": "9 out of 10", "interview_date": "last Tuesday"}

    markdown = _markdown([_debrief(1, answers)])

    assert _fenced(markdown) == ["Acme", "last Tuesday", "9 out of 10"]
    assert "- **Rating:** not given\n" in markdown


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_text_survives_byte_for_byte_and_reads_back_unchanged(language: Language) -> None:
    answers = {**FULL_ANSWERS, "company": HOSTILE, "obstacles": HOSTILE, "blunders": "`x` ``y``"}

    markdown = _markdown([_debrief(1, answers)], language)

    assert _fenced(markdown) == _text_answers(answers)
    # Longer than the longest run of backticks (six) in the answer.
    assert f"\n```````\n{HOSTILE}\n```````\n" in markdown
    assert "\n```\n`x` ``y``\n```\n" in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<script>" not in html
    assert "<b>bold?</b>" not in html


def test_carriage_returns_and_control_characters_stay_in_the_file() -> None:
    odd = "line one\r\nline two\rthree\x00\x1b[31m\u2028end"

    markdown = _markdown([_debrief(1, {"company": "Acme", "impressions": odd})])

    assert f"\n```\n{odd}\n```\n" in markdown


def test_4000_character_answers_are_exported_whole() -> None:
    answers = long_answers(4000)

    markdown = _markdown([_debrief(1, answers)])

    assert _fenced(markdown) == _text_answers(answers)
    free_text = [question for question in checklist() if question.kind is Kind.TEXT]
    assert sum(len(text) == 4000 for text in _fenced(markdown)) == len(free_text)


def test_titles_show_markup_as_typed_on_one_line_and_are_shortened() -> None:
    answers = {"company": "<b>Acme</b> *Corp*\n# [x](y) & co", "position": "Dev_ops"}

    markdown = _markdown([_debrief(1, answers)])

    assert "## \\<b\\>Acme\\</b\\> \\*Corp\\* \\# \\[x\\](y) \\& co — Dev\\_ops\n" in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<h2>&lt;b&gt;Acme&lt;/b&gt; *Corp* # [x](y) &amp; co — Dev_ops</h2>" in html
    long_company = _markdown([_debrief(1, {"company": long_text(4000)})])
    title = _headings(long_company)[2]
    assert len(title) < 120
    assert title.endswith("…")


def test_applications_come_newest_first_with_their_rounds_in_order() -> None:
    first_round = _debrief(
        1,
        {"company": "Acme", "position": "Engineer", "interview_date": "2026-11-02"},
        created_at="2026-11-02T10:00:00Z",
    )
    other = _debrief(2, {"company": "Globex"}, created_at="2026-11-10T10:00:00Z")
    second_round = _debrief(
        3,
        {"company": "Acme", "interview_date": "2026-11-20"},
        created_at="2026-11-20T10:00:00Z",
        previous_id=1,
    )

    markdown = _markdown([other, first_round, second_round])

    assert _headings(markdown) == [
        "# Debrief — your interview notes",
        "## Contents",
        "## Acme — Engineer",
        "### Round 1 · Monday 2 November 2026",
        "### Round 2 · Friday 20 November 2026",
        "## Globex",
        "### Interview",
        "## What keeps coming back, and whether it gets better",
        "### Your applications",
        "### Your rating",
        "### What you meant to improve",
        "### How long companies took to answer",
    ]
    assert (
        "- **Acme — Engineer**\n"
        "  - [Round 1 · Monday 2 November 2026](#debrief-1)\n"
        "  - [Round 2 · Friday 20 November 2026](#debrief-3)\n"
        "- **Globex**\n"
        "  - [Interview](#debrief-2)\n"
    ) in markdown
    for debrief_id in (1, 2, 3):
        assert f'<a id="debrief-{debrief_id}"></a>\n\n### ' in markdown
    assert "Debriefs: 3 · Applications: 2" in markdown


def test_rounds_are_chained_whatever_the_input_order() -> None:
    one = _debrief(1, {"company": "A"}, created_at="2026-01-01T00:00:00Z")
    two = _debrief(2, {"company": "A"}, created_at="2026-02-01T00:00:00Z", previous_id=1)
    three = _debrief(3, {"company": "A"}, created_at="2026-03-01T00:00:00Z", previous_id=2)
    alone = _debrief(4, {"company": "B"}, created_at="2026-02-15T00:00:00Z")
    orphan = _debrief(5, {"company": "C"}, created_at="2026-01-15T00:00:00Z", previous_id=99)

    grouped = group_rounds([alone, three, orphan, one, two])

    assert [[debrief.id for debrief in a.rounds] for a in grouped] == [[1, 2, 3], [4], [5]]


def test_a_loop_of_previous_ids_still_exports_every_debrief() -> None:
    one = _debrief(1, {"company": "A"}, previous_id=2)
    two = _debrief(2, {"company": "A"}, previous_id=1)

    grouped = group_rounds([one, two])

    assert sorted(debrief.id for a in grouped for debrief in a.rounds) == [1, 2]


def test_answers_to_questions_the_checklist_no_longer_has_come_last_under_other() -> None:
    answers = {"zz_salary": "55k <€>", "company": "Acme", "a_old_question": "kept"}

    markdown = _markdown([_debrief(1, answers)])

    other = markdown.index("#### Other\n\nAnswers to questions that the checklist no longer asks.")
    assert markdown.index("#### The context") < other
    assert markdown.index("**a\\_old\\_question**") > other
    assert _fenced(markdown) == ["Acme", "kept", "55k <€>"]


def test_skipped_questions_and_empty_sections_are_left_out() -> None:
    markdown = _markdown([_debrief(1, {"company": "Acme", "commute": "", "rating": "3"})])

    assert "#### The context" in markdown
    assert "#### How the interview went" in markdown
    assert "What I learned" not in markdown
    assert "Commute" not in markdown
    assert f"- 2 of {len(checklist())} questions answered.\n" in markdown


def test_details_give_status_outcome_thank_you_and_local_times() -> None:
    debrief = _debrief(
        1,
        {"company": "Acme", "rating": "5"},
        outcome=Outcome.NEXT_ROUND,
        next_round_date="2026-12-03",
        thank_you_sent=True,
        finished_at="2026-11-25T17:40:00.000Z",
    )

    markdown = _markdown([debrief])

    assert (
        "- **Status:** finished\n"
        "- **Outcome:** next round on Thursday 3 December 2026\n"
        "- **Rating:** ★★★★★ 5/5\n"
        "- **Thank-you email:** sent\n"
        "- **Started:** Wednesday 25 November 2026 at 18:02\n"
        "- **Finished:** Wednesday 25 November 2026 at 18:40\n"
        f"- 2 of {len(checklist())} questions answered.\n"
    ) in markdown
    assert "Exported on Thursday 26 November 2026 at 15:30 (CET)." in markdown


def test_an_unfinished_debrief_is_exported_too() -> None:
    paused = _debrief(1, {"company": "Acme", "position": "Dev"}, status=Status.PAUSED)

    markdown = _markdown([paused], "fr")

    assert "- **État\u00a0:** en pause\n" in markdown
    assert "- **Suite\u00a0:** en attente de réponse\n" in markdown
    assert "- **E-mail de remerciement\u00a0:** pas envoyé\n" in markdown
    assert _fenced(markdown) == ["Acme", "Dev"]


def test_an_export_without_debriefs_says_so() -> None:
    markdown = _markdown([], "fr")

    assert "Bilans\u00a0: 0 · Candidatures\u00a0: 0" in markdown
    assert markdown.endswith("Aucun bilan pour l'instant.\n")
    assert _json([])["debriefs"] == []


def test_french_export_texts_use_french_typography() -> None:
    texts = catalog()
    templates = {
        key: texts.template("fr", key) for key in texts.keys("fr") if key.startswith("export.")
    }

    assert len(templates) > 30
    assert {key for key, text in templates.items() if re.search(r"[^\u00a0][?:!;]", text)} == set()


def test_another_users_debriefs_are_refused() -> None:
    mine = _debrief(1, {"company": "Mine"})
    theirs = _debrief(2, {"company": "Theirs"}, user_id=USER + 1)

    with pytest.raises(ValueError, match="one user"):
        _markdown([mine, theirs])
    with pytest.raises(ValueError, match="one user"):
        _json([theirs])
    with pytest.raises(ValueError, match="one user"):
        _json(
            [mine], [Reminder(1, USER + 1, 1, ReminderKind.THANK_YOU, 0, ReminderState.PENDING, 1)]
        )


def test_a_naive_export_time_is_refused() -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001

    with pytest.raises(ValueError, match="timezone-aware"):
        export_markdown([], checklist=checklist(), language="en", exported_at=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        thank_you_eml(
            _debrief(1, {"company": "A"}), language="en", sender_name="A", exported_at=naive
        )


# JSON.


def test_json_gives_back_every_answer_character_for_character() -> None:
    answers = {
        **long_answers(4000),
        "company": HOSTILE,
        "impressions": "line one\r\nline two\x00 \u2028 🙂",
        "old_key": "from an older checklist",
    }

    document = _json([_debrief(1, answers)])

    (debrief,) = document["debriefs"]
    assert {answer["key"]: answer["text"] for answer in debrief["answers"]} == answers
    assert [answer["key"] for answer in debrief["answers"]] == [
        *(question.key for question in checklist() if question.key in answers),
        "old_key",
    ]
    _validate(document)


def test_json_describes_each_answer_in_both_languages() -> None:
    document = _json([_debrief(1, dict(FULL_ANSWERS) | {"old_key": "x"})])

    answers = {answer["key"]: answer for answer in document["debriefs"][0]["answers"]}
    assert answers["obstacles"] == {
        "key": "obstacles",
        "section": "interview",
        "kind": "text",
        "label": {"en": "Obstacles to hiring me", "fr": "Freins à mon recrutement"},
        "text": "my lack of Kafka experience",
        "display": None,
    }
    assert answers["interviewer_decides"]["text"] == "yes"
    assert answers["interviewer_decides"]["display"] == {"en": "Yes", "fr": "Oui"}
    assert answers["rating"]["display"] == {"en": "★★★★☆ 4/5", "fr": "★★★★☆ 4/5"}
    assert answers["interview_date"]["display"]["fr"] == "mercredi 25 novembre 2026"
    assert answers["old_key"] == {
        "key": "old_key",
        "section": None,
        "kind": None,
        "label": None,
        "text": "x",
        "display": None,
    }


def test_json_header_names_the_schema_and_the_users_settings_only() -> None:
    document = _json([])

    assert document["schema"] == "debrief-export"
    assert document["schema_version"] == 2
    assert document["exported_at"] == "2026-11-26T14:30:00Z"
    # What the bot waits for next is a conversation state, not the user's data.
    assert document["user"] == {
        "telegram_user_id": USER,
        "name": "Jeanne Dupré 🙂",
        "language": "fr",
        "telegram_language": "fr-FR",
        "timezone": "Europe/Paris",
    }
    _validate(document)


def test_json_links_rounds_and_attaches_each_debriefs_reminders() -> None:
    first = _debrief(1, {"company": "Acme"}, created_at="2026-11-02T10:00:00Z")
    second = _debrief(
        7,
        {"company": "Acme"},
        created_at="2026-11-20T10:00:00Z",
        previous_id=1,
        status=Status.ACTIVE,
    )
    orphan = _debrief(5, {"company": "Globex"}, created_at="2026-11-10T10:00:00Z", previous_id=3)
    due = int(datetime(2026, 11, 27, 8, tzinfo=ZoneInfo("UTC")).timestamp())
    reminders = [
        Reminder(11, USER, 1, ReminderKind.NO_NEWS, due + 86400, ReminderState.PENDING, 2),
        Reminder(10, USER, 1, ReminderKind.THANK_YOU, due, ReminderState.DONE, 1),
        Reminder(12, USER, 99, ReminderKind.QUESTIONS, due, ReminderState.PENDING, 1),
    ]

    document = _json([first, second, orphan], reminders)

    rows = [
        (d["id"], d["application_id"], d["round"], d["previous_id"], d["status"])
        for d in document["debriefs"]
    ]
    assert rows == [(1, 1, 1, None, "done"), (7, 1, 2, 1, "active"), (5, 5, 1, None, "done")]
    assert document["debriefs"][0]["reminders"] == [
        {"kind": "thank_you", "due_at": "2026-11-27T08:00:00Z", "state": "done", "attempt": 1},
        {"kind": "no_news", "due_at": "2026-11-28T08:00:00Z", "state": "pending", "attempt": 2},
    ]
    assert [d["reminders"] for d in document["debriefs"][1:]] == [[], []]
    _validate(document)


def test_json_keeps_every_debrief_field() -> None:
    debrief = _debrief(
        3,
        {"company": "Acme"},
        outcome=Outcome.NEXT_ROUND,
        next_round_date="2026-12-03",
        thank_you_sent=True,
        finished_at="2026-11-25T17:40:00.000Z",
    )

    (exported,) = _json([debrief])["debriefs"]

    assert {key: value for key, value in exported.items() if key != "answers"} == {
        "id": 3,
        "application_id": 3,
        "round": 1,
        "previous_id": None,
        "status": "done",
        "created_at": "2026-11-25T17:02:03.123Z",
        "finished_at": "2026-11-25T17:40:00.000Z",
        "outcome": "next_round",
        "outcome_at": None,
        "next_round_date": "2026-12-03",
        "thank_you_sent": True,
        "reminders": [],
    }


def test_the_schema_is_valid_and_rejects_what_it_should() -> None:
    Draft202012Validator.check_schema(_schema())
    document = _json([_debrief(1, dict(FULL_ANSWERS))])
    validator = Draft202012Validator(_schema())

    assert validator.is_valid(document)
    assert not validator.is_valid(document | {"schema_version": 1})
    assert not validator.is_valid({k: v for k, v in document.items() if k != "insights"})
    broken = json.loads(json.dumps(document))
    broken["debriefs"][0]["status"] = "archived"
    assert not validator.is_valid(broken)
    # Open objects: a field added within version 2 does not break older readers' validation.
    assert validator.is_valid(document | {"added_later": True})
    assert not Draft202012Validator(_closed(_schema())).is_valid(document | {"added_later": True})


def test_the_example_in_the_documentation_is_a_valid_export() -> None:
    text = (SCHEMA_PATH.parent / "export.md").read_text("utf-8")
    example = re.search(r"```json\n(.*?)\n```", text, flags=re.DOTALL)

    assert example is not None
    _validate(json.loads(example[1]))


# Thank-you drafts.


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_eml_file_parses_back_to_the_thank_you_draft(language: Language) -> None:
    answers = {
        **FULL_ANSWERS,
        "company": "Société Générale 🚀",
        "interviewers": "Zoë Ångström, claire.dubois@acme.example",
    }
    [draft] = build_thank_you(answers, language=language, sender=SENDER, today=NOW.date())

    raw = thank_you_eml(
        _debrief(1, answers), language=language, sender_name=SENDER, exported_at=NOW
    )

    message = _parse_eml(raw)
    assert message["To"] == "claire.dubois@acme.example"
    assert message["Subject"] == draft.subject
    assert _eml_body(message) == draft.body + "\n"
    assert SENDER in _eml_body(message)
    assert "Zoë Ångström" in _eml_body(message)
    assert message["X-Unsent"] == "1"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message.defects == []
    assert message["From"] is None


def test_hostile_text_cannot_add_headers_to_the_eml_file() -> None:
    answers = {
        **FULL_ANSWERS,
        "company": "Acme\r\nBcc: everyone@example.com\r\n\r\n<b>&",
        "position": "Dev\nX-Unsent: 0",
        "best_arguments": "\n.\nFrom me\r\n--boundary\n" + HOSTILE,
    }
    [draft] = build_thank_you(answers, language="en", sender=SENDER, today=NOW.date())

    message = _parse_eml(
        thank_you_eml(_debrief(1, answers), language="en", sender_name=SENDER, exported_at=NOW)
    )

    assert sorted(message.keys()) == [
        "Content-Transfer-Encoding",
        "Content-Type",
        "Date",
        "MIME-Version",
        "Subject",
        "To",
        "X-Unsent",
    ]
    assert message["Subject"] == draft.subject
    assert _eml_body(message) == draft.body + "\n"


def test_an_eml_file_with_4000_character_notes_keeps_lines_short() -> None:
    answers = long_answers(4000)
    [draft] = build_thank_you(answers, language="fr", sender=SENDER, today=NOW.date())

    raw = thank_you_eml(_debrief(1, answers), language="fr", sender_name=SENDER, exported_at=NOW)

    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert _eml_body(_parse_eml(raw)) == draft.body + "\n"


@pytest.mark.parametrize(
    ("address", "to"),
    [
        (None, None),
        ("", None),
        ("claire@acme.example", "claire@acme.example"),
        ("zoe@société.example", "zoe@xn--socit-esab.example"),
        ("a,b@acme.example", "b@acme.example"),
        (
            "Claire, claire@acme.example\nJulien, julien@acme.example",
            "claire@acme.example, julien@acme.example",
        ),
        ("a(comment)@acme.example", None),
    ],
)
def test_the_eml_file_is_addressed_only_to_the_address_given(
    address: str | None, to: str | None
) -> None:
    answers = {"company": "Acme"} | ({"interviewers": address} if address is not None else {})

    message = _parse_eml(
        thank_you_eml(_debrief(1, answers), language="en", sender_name=SENDER, exported_at=NOW)
    )

    assert message["To"] == to


def test_the_eml_draft_is_dated_as_of_the_export() -> None:
    answers = {**FULL_ANSWERS, "interview_date": (NOW.date() - timedelta(days=1)).isoformat()}

    body = _eml_body(
        _parse_eml(
            thank_you_eml(_debrief(1, answers), language="en", sender_name=SENDER, exported_at=NOW)
        )
    )

    assert "to meet me yesterday" in body


# File names.


def test_export_files_are_named_after_the_day() -> None:
    assert export_filename(NOW, "md") == "debrief-export-2026-11-26.md"
    assert export_filename(NOW, "json") == "debrief-export-2026-11-26.json"


@pytest.mark.parametrize(
    ("answers", "created_at", "name"),
    [
        (FULL_ANSWERS, "2026-11-25T17:02:03Z", "thank-you-acme-robotics-2026-11-25.eml"),
        (
            {"company": "Société Générale"},
            "2026-11-20T09:00:00Z",
            "thank-you-societe-generale-2026-11-20.eml",
        ),
        ({"company": "../../etc/passwd\x00\r\n\\C:"}, "", "thank-you-etc-passwd-c.eml"),
        ({"company": "🚀 ✨"}, "2026-11-20T09:00:00Z", "thank-you-interview-2026-11-20.eml"),
        ({}, "2026-11-20T09:00:00Z", "thank-you-interview-2026-11-20.eml"),
        ({"company": "Яндекс"}, "2026-11-20T09:00:00Z", "thank-you-яндекс-2026-11-20.eml"),
    ],
)
def test_eml_files_have_safe_readable_names(
    answers: dict[str, str], created_at: str, name: str
) -> None:
    assert eml_filename(_debrief(1, dict(answers), created_at=created_at)) == name


def test_a_long_or_hostile_company_gives_a_short_name_without_separators() -> None:
    name = eml_filename(_debrief(1, {"company": HOSTILE * 20}))

    assert re.fullmatch(r"thank-you-[\w-]{1,40}-2026-11-25\.eml", name)
    assert not set(name) & set('/\\:*?"<>|\x00\r\n')


# Insights.


def test_the_export_carries_the_insights_figures_with_user_text_escaped_in_markdown() -> None:
    awkward = "Why leave your <b>current</b> job?"
    debriefs = [
        _debrief(1, {"company": "Acme & <Co>", "interview_date": "2026-09-03",
                     "awkward_questions": awkward, "rating": "2"}),
        _debrief(2, {"company": "Globex", "interview_date": "2026-10-01",
                     "awkward_questions": "Why are you leaving your current job?", "rating": "4"},
                 outcome="rejected", outcome_at="2026-10-08T09:00:00.000Z"),
    ]  # fmt: skip

    document = _json(debriefs)
    markdown = _markdown(debriefs)

    _validate(document)
    insights = document["insights"]
    assert insights["interviews"] == 2
    assert insights["rating_trend"] == "up"
    assert [o["company"] for o in insights["recurring_awkward_questions"][0]["occurrences"]] == [
        "Acme & <Co>",
        "Globex",
    ]
    assert insights["answer_days"] == [
        {"debrief_id": 2, "company": "Globex", "days": 7, "outcome": "rejected"}
    ]
    assert document["debriefs"][0]["outcome_at"] == "2026-10-08T09:00:00.000Z"
    assert "### Awkward questions that keep coming back" in markdown
    assert "Acme \\& \\<Co\\> (3 September)" in markdown
    assert "<b>" not in markdown.split("## What keeps coming back")[1]
