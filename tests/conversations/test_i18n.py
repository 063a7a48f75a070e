"""The French and English catalogues say the same things, in Telegram-safe HTML."""

from __future__ import annotations

import string
from html.parser import HTMLParser

import pytest

from conversations.i18n import LANGUAGES, Language, catalog, fold, language_from_code, placeholders

ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})


class _TagChecker(HTMLParser):
    """Collect the problems of an HTML fragment: unknown tags and unbalanced ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed by Telegram")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def check(self, fragment: str) -> list[str]:
        self.feed(fragment)
        self.close()
        return [*self.problems, *(f"<{tag}> is never closed" for tag in self.stack)]


def test_both_languages_define_exactly_the_same_keys() -> None:
    texts = catalog()

    assert texts.keys("fr") == texts.keys("en")
    assert len(texts.keys("en")) > 50


def test_each_key_has_the_same_placeholders_in_both_languages() -> None:
    texts = catalog()
    different = {
        key: (placeholders(texts.template("fr", key)), placeholders(texts.template("en", key)))
        for key in texts.keys("en")
        if placeholders(texts.template("fr", key)) != placeholders(texts.template("en", key))
    }

    assert different == {}


def test_placeholders_lists_the_names_of_a_template() -> None:
    assert placeholders("Hi {name}, {count} of {total}") == {"name", "count", "total"}
    assert placeholders("no placeholder here") == frozenset()
    assert placeholders("{{literal braces}}") == frozenset()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_uses_only_balanced_telegram_tags(language: Language) -> None:
    texts = catalog()
    problems = {
        key: found
        for key in sorted(texts.keys(language))
        if "<" in (template := texts.template(language, key))
        and (found := _TagChecker().check(template))
    }

    assert problems == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_can_be_filled_with_its_own_placeholders(language: Language) -> None:
    texts = catalog()
    for key in texts.keys(language):
        template = texts.template(language, key)
        counted = {
            name for _, name, spec, _ in string.Formatter().parse(template) if spec and "|" in spec
        }
        values: dict[str, object] = {
            name: 7 if name in counted else f"<{name}>" for name in placeholders(template)
        }
        filled = texts.text(language, key, **values)
        for value in values.values():
            assert str(value) in filled


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("fr", 0, "aucune réponse sur 25"),
        ("fr", 1, "1 réponse sur 25"),
        ("fr", 2, "2 réponses sur 25"),
        ("en", 1, "1 of 25 questions answered"),
    ],
)
def test_counts_are_written_with_real_plurals(
    language: Language, count: int, expected: str
) -> None:
    assert expected in catalog().text(language, "summary.answered", answered=count, total=25)


@pytest.mark.parametrize(
    ("language", "key", "values", "expected"),
    [
        ("fr", "deeper.offer", {"count": 1}, "il reste 1 question\u00a0:"),
        ("fr", "deeper.offer", {"count": 18}, "il reste 18 questions\u00a0:"),
        ("en", "deeper.offer", {"count": 1}, "takes 1 more question:"),
        ("en", "deeper.offer", {"count": 18}, "takes 18 more questions:"),
        ("fr", "deeper.started", {"count": 1}, "1 question restante."),
        ("fr", "deeper.started", {"count": 18}, "18 questions restantes."),
        ("en", "deeper.started", {"count": 1}, "1 question left."),
        ("en", "deeper.started", {"count": 18}, "18 questions left."),
        (
            "fr",
            "end.saved",
            {"answered": 1, "left": 1},
            "1 réponse pour l'instant, et 1 autre question pour",
        ),
        (
            "fr",
            "end.saved",
            {"answered": 8, "left": 18},
            "8 réponses pour l'instant, et 18 autres questions pour",
        ),
        (
            "en",
            "end.saved",
            {"answered": 1, "left": 1},
            "1 answer so far, and 1 more question when",
        ),
        (
            "en",
            "end.saved",
            {"answered": 8, "left": 18},
            "8 answers so far, and 18 more questions when",
        ),
        ("fr", "deeper.done", {"answered": 1, "total": 26}, "(1 réponse sur 26 questions)"),
        ("fr", "deeper.done", {"answered": 10, "total": 26}, "(10 réponses sur 26 questions)"),
        ("en", "deeper.done", {"answered": 1, "total": 26}, "(1 of 26 questions answered)"),
        ("en", "deeper.done", {"answered": 10, "total": 26}, "(10 of 26 questions answered)"),
    ],
)
def test_the_express_and_deeper_counts_read_in_the_singular_and_the_plural(
    language: Language, key: str, values: dict[str, int], expected: str
) -> None:
    assert expected in catalog().text(language, key, **values)


def test_a_stray_tag_is_reported_by_the_checker() -> None:
    assert _TagChecker().check("<b>bold</b> and <i>italic</i>") == []
    assert _TagChecker().check("<b>never closed") != []
    assert _TagChecker().check("<b><i>crossed</b></i>") != []
    assert _TagChecker().check("<div>not allowed</div>") != []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("FR", "fr"),
        ("fr-fr", "fr"),
        ("en", "en"),
        ("en-GB", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_from_code_picks_french_for_fr_codes_and_english_otherwise(
    code: str | None, expected: Language
) -> None:
    assert language_from_code(code) == expected


def test_fold_ignores_case_accents_curly_quotes_and_extra_spaces() -> None:
    assert fold("  Février ") == "fevrier"
    assert fold("AUJOURD’HUI") == "aujourd'hui"
    assert fold("Je   ne sais\tpas") == "je ne sais pas"
