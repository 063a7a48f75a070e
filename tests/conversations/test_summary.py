"""The summary: every answer verbatim, grouped by section in checklist order."""

from __future__ import annotations

from conversations.checklist import checklist
from conversations.summary import SummaryItem, build_summary
from tests.samples import FULL_ANSWERS


def test_answers_are_grouped_by_section_in_checklist_order() -> None:
    result = build_summary(FULL_ANSWERS, language="en", checklist=checklist())

    assert [section.title for section in result.sections] == [
        section.title("en") for section in checklist().sections
    ]
    for shown, declared in zip(result.sections, checklist().sections, strict=True):
        assert [item.label for item in shown.items] == [q.label("en") for q in declared.questions]


def test_answers_arriving_in_any_order_come_out_in_checklist_order() -> None:
    shuffled = dict(reversed(list(FULL_ANSWERS.items())))

    result = build_summary(shuffled, language="fr", checklist=checklist())

    labels = [item.label for section in result.sections for item in section.items]
    assert labels == [question.label("fr") for question in checklist()]


def test_skipped_questions_and_empty_sections_are_left_out() -> None:
    answers = {"company": "Acme", "rating": "3", "commute": ""}

    result = build_summary(answers, language="en", checklist=checklist())

    assert [section.title for section in result.sections] == [
        "The context",
        "How the interview went",
    ]
    assert result.sections[0].items == (SummaryItem("Company", "Acme"),)
    assert result.sections[1].items == (SummaryItem("Rating", "★★★☆☆ 3/5"),)
    assert result.answered == 2
    assert result.total == len(checklist())


def test_answers_are_kept_verbatim_including_markup_and_emoji() -> None:
    odd = "Acme <b>&</i> 🚀\nsecond line with &amp; and <script>"
    answers = {**FULL_ANSWERS, "company": odd, "impressions": odd}

    result = build_summary(answers, language="en", checklist=checklist())

    items = {item.label: item.answer for section in result.sections for item in section.items}
    assert items["Company"] == odd
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
