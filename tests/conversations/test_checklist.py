"""The checklist is data: the shipped file loads, and malformed checklists are refused."""

from __future__ import annotations

from importlib import resources

import pytest
from pydantic import ValidationError

from conversations.checklist import (
    Checklist,
    ChecklistError,
    Key,
    Kind,
    checklist,
    load_checklist,
    require_keys,
)
from conversations.i18n import LANGUAGES, Language

_VALID = """
[[sections]]
key = "context"
title = { fr = "Le contexte", en = "The context" }

[[sections.questions]]
key = "company"
kind = "text"
optional = false
label = { fr = "Entreprise", en = "Company" }
prompt = { fr = "Quelle entreprise ?", en = "Which company?" }

[[sections.questions]]
key = "decides"
kind = "choice"
label = { fr = "Décide", en = "Decides" }
prompt = { fr = "Décide-t-il ?", en = "Do they decide?" }
options = [
    { key = "yes", label = { fr = "Oui", en = "Yes" } },
    { key = "no", label = { fr = "Non", en = "No" } },
]
"""


def test_shipped_checklist_loads_with_26_questions_in_5_sections() -> None:
    shipped = checklist()

    assert isinstance(shipped, Checklist)
    assert len(shipped) == 26
    assert [section.key for section in shipped.sections] == [
        "context",
        "learned",
        "interview",
        "next",
        "email",
    ]
    assert shipped.first.key == "company"


def test_shipped_checklist_is_loaded_once() -> None:
    assert checklist() is checklist()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_and_section_has_prompt_label_and_title_in_each_language(
    language: Language,
) -> None:
    shipped = checklist()
    for section in shipped.sections:
        assert section.title(language).strip()
    for question in shipped:
        assert question.prompt(language).strip(), question.key
        assert question.label(language).strip(), question.key
        for option in question.options:
            assert option.label(language).strip(), (question.key, option.key)


def test_only_the_company_is_required() -> None:
    assert [question.key for question in checklist().required] == ["company"]


def test_question_keys_are_unique() -> None:
    keys = [question.key for question in checklist()]

    assert len(keys) == len(set(keys))


def test_choice_questions_and_only_they_have_options() -> None:
    for question in checklist():
        assert (question.kind is Kind.CHOICE) == bool(question.options), question.key


def test_navigation_asks_the_express_part_first_then_the_rest_in_file_order() -> None:
    shipped = checklist()
    keys = list(shipped.order)

    assert keys[: len(shipped.express)] == list(shipped.express)
    assert sorted(keys) == sorted(question.key for question in shipped)

    assert shipped.before(keys[0]) is None
    assert shipped.after(keys[-1]) is None
    for index, key in enumerate(keys):
        assert shipped.number(key) == index + 1
        assert key in shipped
        if index > 0:
            previous = shipped.before(key)
            assert previous is not None
            assert previous.key == keys[index - 1]
    assert "not_a_question" not in shipped


def test_a_minimal_valid_checklist_loads() -> None:
    loaded = load_checklist(_VALID)

    assert [question.key for question in loaded] == ["company", "decides"]
    decides = loaded.question("decides")
    assert decides.kind is Kind.CHOICE
    assert decides.optional
    yes = decides.option("yes")
    assert yes is not None
    assert yes.label("fr") == "Oui"
    assert decides.option("maybe") is None


def test_duplicate_question_keys_are_rejected() -> None:
    duplicated = _VALID.replace('key = "decides"', 'key = "company"')

    with pytest.raises(ValidationError, match="unique"):
        load_checklist(duplicated)


def test_duplicate_keys_across_sections_are_rejected() -> None:
    second_section = """
[[sections]]
key = "more"
title = { fr = "Encore", en = "More" }

[[sections.questions]]
key = "company"
kind = "text"
label = { fr = "Entreprise", en = "Company" }
prompt = { fr = "Encore ?", en = "Again?" }
"""
    with pytest.raises(ValidationError, match="unique"):
        load_checklist(_VALID + second_section)


def test_choice_question_without_options_is_rejected() -> None:
    without_options = _VALID.split("options = [")[0]

    with pytest.raises(ValidationError, match="options"):
        load_checklist(without_options)


def test_options_on_a_text_question_are_rejected() -> None:
    text_with_options = _VALID.replace('kind = "choice"', 'kind = "text"')

    with pytest.raises(ValidationError, match="options"):
        load_checklist(text_with_options)


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        (
            'prompt = { fr = "Quelle entreprise ?", en = "Which company?" }',
            'prompt = { fr = "Quelle entreprise ?" }',
        ),
        ('label = { fr = "Entreprise", en = "Company" }', 'label = { en = "Company" }'),
        ('title = { fr = "Le contexte", en = "The context" }', 'title = { fr = "Le contexte" }'),
        (
            '{ key = "yes", label = { fr = "Oui", en = "Yes" } }',
            '{ key = "yes", label = { fr = "Oui" } }',
        ),
        (
            'prompt = { fr = "Quelle entreprise ?", en = "Which company?" }',
            'prompt = { fr = "", en = "Which company?" }',
        ),
    ],
)
def test_a_text_missing_in_one_language_is_rejected(original: str, broken: str) -> None:
    assert original in _VALID

    with pytest.raises(ValidationError):
        load_checklist(_VALID.replace(original, broken, 1))


def test_unknown_kind_and_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        load_checklist(_VALID.replace('kind = "text"', 'kind = "essay"'))
    with pytest.raises(ValidationError):
        load_checklist(_VALID.replace("optional = false", "optional = false\nrequired = true"))


def test_a_section_without_questions_is_rejected() -> None:
    empty_section = '\n[[sections]]\nkey = "empty"\ntitle = { fr = "Vide", en = "Empty" }\n'

    with pytest.raises(ValidationError):
        load_checklist(_VALID + empty_section)


def test_a_checklist_without_sections_is_rejected() -> None:
    with pytest.raises(ValidationError):
        load_checklist("")


def _shipped_text() -> str:
    return (resources.files("conversations") / "checklist.toml").read_text("utf-8")


def test_every_key_the_code_reads_answers_by_is_in_the_shipped_checklist() -> None:
    assert [key for key in Key if key not in checklist()] == []


@pytest.mark.parametrize("key", [Key.COMPANY, Key.INTERVIEW_DATE, Key.FORGOTTEN_QUESTIONS])
def test_a_renamed_question_key_is_refused_with_its_name(key: Key) -> None:
    renamed = _shipped_text().replace(f'"{key}"', f'"{key}_v2"')
    loaded = load_checklist(renamed)

    with pytest.raises(ChecklistError, match=f"lacks the question\\(s\\) {key.value},"):
        require_keys(loaded)


@pytest.mark.parametrize(
    ("later_rounds", "error"),
    [
        ('keep = ["commute"]', "unknown questions"),
        ('keep = ["company"]', "required"),
        ('same = ["decides"]\noffer = ["decides"]', "once"),
    ],
)
def test_later_rounds_must_name_known_optional_questions_once(
    later_rounds: str, error: str
) -> None:
    with pytest.raises(ValidationError, match=error):
        load_checklist(f"[later_rounds]\n{later_rounds}\n{_VALID}")


def test_the_shipped_later_rounds_keep_the_lasting_facts_and_offer_the_people() -> None:
    rounds = checklist().later_rounds

    assert set(rounds.keep) == {"company_info", "working_conditions", "commute", "position_info"}
    assert rounds.same == ("position",)
    assert rounds.offer == ("interviewers",)
