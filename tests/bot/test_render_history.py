"""Rendering the history, edit prompts and round offers: escaped, within Telegram's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from bot import render
from bot.callbacks import CANCEL, MAX_BYTES, Action, Button
from conversations.checklist import checklist
from conversations.history import group_rounds, paginate
from conversations.i18n import LANGUAGES, Language
from conversations.model import Debrief, Outcome, Status
from tests.bot.test_render import assert_valid_message
from tests.samples import FULL_ANSWERS, long_text

HOSTILE = "<b>Acme</b> & “Co” </i>"


def done(debrief_id: int, answers: dict[str, str], previous: int | None = None) -> Debrief:
    """Return a finished debrief."""
    return Debrief(
        debrief_id,
        1,
        Status.DONE,
        None,
        None,
        None,
        None,
        answers,
        outcome=Outcome.NEXT_ROUND,
        created_at=datetime.fromisoformat(f"2026-11-{debrief_id:02d}T10:00:00.000Z"),
        previous_id=previous,
    )


def callback_data(reply: render.Reply) -> list[str]:
    """Return every button's callback data."""
    assert reply.markup is not None
    return [str(button.callback_data) for row in reply.markup.inline_keyboard for button in row]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_history_page_escapes_names_and_fits_one_message(language: Language) -> None:
    long_name = long_text(2000)
    debriefs = [
        done(9, {"company": long_name, "position": long_name, "rating": "4"}),
        done(8, {"company": HOSTILE, "position": HOSTILE, "interview_date": "2026-11-20"}, 7),
        done(7, {"company": HOSTILE}),
        *[done(n, {"company": f"Company {n}"}) for n in range(6, 0, -1)],
    ]

    reply = render.history_page(paginate(group_rounds(debriefs), 1), language=language)

    assert_valid_message(reply.text)
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp;" in reply.text
    assert "★★★★☆" in reply.text
    assert all(len(data.encode()) <= MAX_BYTES for data in callback_data(reply))
    assert Button(Action.OPEN, 7).encode() in callback_data(reply)
    assert Button(Action.HISTORY, None, "2").encode() in callback_data(reply)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_debrief_view_carries_its_actions_under_the_last_part(language: Language) -> None:
    answers = {**FULL_ANSWERS, "company_info": long_text(4000), "atmosphere": long_text(4000)}
    replies = render.debrief_view(checklist(), done(3, answers), language=language)

    assert len(replies) > 1
    for reply in replies:
        assert_valid_message(reply.text)
    assert all(reply.markup is None for reply in replies[:-1])
    assert {Button.decode(d).action for d in callback_data(replies[-1])} == {  # type: ignore[union-attr]
        Action.NEW,
        Action.DRAFT,
        Action.EDIT,
        Action.STATUS,
        Action.DELETE,
        Action.HISTORY,
    }
    # "Debrief the next round" names the debrief it follows.
    assert Button(Action.NEW, None, "3").encode() in callback_data(replies[-1])


@pytest.mark.parametrize("outcome", [Outcome.OFFER, Outcome.REJECTED, Outcome.WITHDRAWN])
def test_an_application_that_ended_offers_no_next_round(outcome: Outcome) -> None:
    ended = replace(done(3, FULL_ANSWERS), outcome=outcome)

    replies = render.debrief_view(checklist(), ended, language="en")

    assert Action.NEW not in {Button.decode(d).action for d in callback_data(replies[-1])}  # type: ignore[union-attr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_edit_prompt_shows_the_current_answer_escaped_with_the_right_buttons(
    language: Language,
) -> None:
    debrief = done(3, {"company": HOSTILE, "rating": "4"})

    text_prompt = render.edit_prompt(
        checklist(), debrief, "company", language=language, today=date(2026, 11, 26)
    )
    rating_prompt = render.edit_prompt(
        checklist(), debrief, "rating", language=language, today=date(2026, 11, 26)
    )

    assert_valid_message(text_prompt.text)
    assert "&lt;b&gt;Acme" in text_prompt.text
    assert callback_data(text_prompt) == [Button(Action.OPEN, 3, CANCEL).encode()]
    assert [Button.decode(d) for d in callback_data(rating_prompt)][:5] == [
        Button(Action.EDIT_VALUE, 3, "rating", str(n)) for n in range(1, 6)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_round_offer_names_the_earlier_debrief_escaped(language: Language) -> None:
    previous = done(
        4, {"company": HOSTILE, "position": "Dev & <ops>", "interview_date": "2026-11-20"}
    )
    asking = Debrief(12, 1, Status.ACTIVE, "position", None, None, None, {"company": HOSTILE})

    offer = render.question(
        checklist(), asking, language=language, today=date(2026, 12, 2), earlier_round=previous
    )

    assert_valid_message(offer.text)
    assert "Dev &amp; &lt;ops&gt;" in offer.text
    assert "&lt;b&gt;Acme&lt;/b&gt;" in offer.text
    assert callback_data(offer)[0] == "nxr:12:4"
    assert offer.markup is not None
    assert "Dev & <ops>" in offer.markup.inline_keyboard[0][0].text


def test_the_earlier_answer_is_offered_to_keep_and_escaped() -> None:
    asking = Debrief(
        12, 1, Status.ACTIVE, "interviewers", None, None, None, {"company": "Acme"}, previous_id=4
    )

    offer = render.question(
        checklist(),
        asking,
        language="en",
        today=date(2026, 12, 2),
        earlier_answer="Ms <Claire> Martin, HR",
    )

    assert_valid_message(offer.text)
    assert "Last round:" in offer.text
    assert "&lt;Claire&gt;" in offer.text
    assert callback_data(offer)[0] == Button(Action.KEEP, 12, "interviewers").encode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_linked_round_names_what_it_kept_in_the_checklist_order(language: Language) -> None:
    said = render.linked(
        checklist(), {"commute", "company_info"}, number=2, company=HOSTILE, language=language
    )

    assert_valid_message(said)
    about = checklist().question("company_info").label(language)
    commute = checklist().question("commute").label(language)
    assert said.index(render.escape(about)) < said.index(render.escape(commute))
    assert "&lt;b&gt;Acme" in said
