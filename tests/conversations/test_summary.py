"""The summary: what to remember first, then every other answer verbatim, by section."""

from __future__ import annotations

from conversations.checklist import checklist
from conversations.summary import REMEMBER_KEYS, SummaryItem, build_summary
from tests.samples import FULL_ANSWERS

_FIRST = (*REMEMBER_KEYS, "counter_arguments", "company", "position")


def test_it_opens_with_what_to_remember_then_the_sections_in_checklist_order() -> None:
    result = build_summary(FULL_ANSWERS, language="en", checklist=checklist())

    remember, *details = result.sections
    assert remember.title == "To remember for next time"
    assert [item.label for item in remember.items] == [
        "Obstacles to hiring me",
        "Awkward questions",
        "Questions I forgot to ask",
        "To improve",
        "Whom I did not convince, and why",
    ]
    assert remember.items[0].answer == (
        f"{FULL_ANSWERS['obstacles']}\nYour answer: {FULL_ANSWERS['counter_arguments']}"
    )
    assert [section.title for section in details] == [
        section.title("en") for section in checklist().sections
    ]
    for shown, declared in zip(details, checklist().sections, strict=True):
        assert [item.label for item in shown.items] == [
            q.label("en") for q in declared.questions if q.key not in _FIRST
        ]


def test_answers_arriving_in_any_order_come_out_in_checklist_order() -> None:
    shuffled = dict(reversed(list(FULL_ANSWERS.items())))

    result = build_summary(shuffled, language="fr", checklist=checklist())

    labels = [item.label for section in result.sections[1:] for item in section.items]
    assert labels == [q.label("fr") for q in checklist() if q.key not in _FIRST]


def test_skipped_questions_and_empty_sections_are_left_out() -> None:
    answers = {"company": "Acme", "rating": "3", "commute": ""}

    result = build_summary(answers, language="en", checklist=checklist())

    # The company is the title's; nothing to remember was noted.
    assert [section.title for section in result.sections] == ["How the interview went"]
    assert result.sections[0].items == (SummaryItem("Rating", "★★★☆☆ 3/5"),)
    assert result.answered == 2
    assert result.total == len(checklist())


def test_answers_are_kept_verbatim_including_markup_and_emoji() -> None:
    odd = "Acme <b>&</i> 🚀\nsecond line with &amp; and <script>"
    answers = {**FULL_ANSWERS, "company": odd, "impressions": odd}

    result = build_summary(answers, language="en", checklist=checklist())

    items = {item.label: item.answer for section in result.sections for item in section.items}
    assert "Company" not in items
    assert items["General impressions"] == odd
    assert odd in result.title


def test_choice_rating_and_date_answers_are_displayed_readably() -> None:
    result = build_summary(FULL_ANSWERS, language="fr", checklist=checklist())

    items = {item.label: item.answer for section in result.sections for item in section.items}
    assert items["Décide du recrutement"] == "Oui"
    assert items["Note"] == "★★★★☆ 4/5"
    assert items["Date de l'entretien"] == "mercredi 25 novembre 2026"


def test_a_full_debrief_counts_every_question_answered() -> None:
    result = build_summary(FULL_ANSWERS, language="en", checklist=checklist())

    assert result.answered == result.total == len(checklist()) == len(FULL_ANSWERS)


def test_title_names_the_company_and_the_position_when_given() -> None:
    with_position = build_summary(FULL_ANSWERS, language="en", checklist=checklist())
    company_only = build_summary({"company": "Acme"}, language="fr", checklist=checklist())
    nothing = build_summary({}, language="en", checklist=checklist())

    assert with_position.title == "📋 Debrief: Acme Robotics — Senior Backend Engineer"
    assert company_only.title == "📋 Bilan\u00a0: Acme"
    assert nothing.title == "📋 Debrief: ?"
    assert nothing.sections == ()
    assert nothing.answered == 0
