"""Rendering the history, edit prompts and round offers: escaped, within Telegram's limits."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot import render
from bot.callbacks import MAX_BYTES, Action, Button
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
        Action.DRAFT,
        Action.EDIT,
        Action.STATUS,
        Action.DELETE,
        Action.HISTORY,
    }


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
    assert callback_data(text_prompt) == [Button(Action.OPEN, 3).encode()]
    assert [Button.decode(d) for d in callback_data(rating_prompt)][:5] == [
        Button(Action.EDIT_VALUE, 3, "rating", str(n)) for n in range(1, 6)
    ]


def test_the_round_offer_names_the_earlier_debrief_escaped() -> None:
    previous = done(
        4, {"company": HOSTILE, "position": "Dev & <ops>", "interview_date": "2026-11-20"}
    )

    offer = render.link_offer(12, previous, language="en")

    assert_valid_message(offer.text)
    assert "Dev &amp; &lt;ops&gt;" in offer.text
    assert callback_data(offer) == ["lnk:12:4:y", "lnk:12:4:n"]
