"""The end-of-debrief summary: every answer, verbatim, grouped by section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.answers import display
from conversations.checklist import Checklist, Key
from conversations.i18n import Language, catalog

__all__ = ["NOTE_KEY", "Summary", "SummaryItem", "SummarySection", "build_summary"]

# The free note ("en vrac"): stored as an answer, asked by no question, shown last.
NOTE_KEY = "note"


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """One answered question: its short label and the answer as the user gave it."""

    label: str
    answer: str


@dataclass(frozen=True, slots=True)
class SummarySection:
    """A section title and its answered questions."""

    title: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """A whole summary, ready to be rendered."""

    title: str
    sections: tuple[SummarySection, ...]
    answered: int
    total: int


# What to re-read before the next round, first: the answers that prepare it.
REMEMBER_KEYS = (
    Key.OBSTACLES,
    Key.AWKWARD_QUESTIONS,
    Key.FORGOTTEN_QUESTIONS,
    Key.IMPROVE,
    Key.NOT_CONVINCED,
)
# Named by the summary's title already.
_IN_TITLE = (Key.COMPANY, Key.POSITION)


def _to_remember(
    answers: Mapping[str, str], checklist: Checklist, language: Language
) -> tuple[SummaryItem, ...]:
    """Return the answers to re-read first, an obstacle followed by the answer to it."""
    items = []
    for key in REMEMBER_KEYS:
        if not (answer := answers.get(key)) or key not in checklist:
            continue
        if key is Key.OBSTACLES and (counter := answers.get(Key.COUNTER_ARGUMENTS)):
            answer = f"{answer}\n{catalog().text(language, 'summary.your_answer', answer=counter)}"
        items.append(SummaryItem(checklist.question(key).label(language), answer))
    return tuple(items)


def build_summary(
    answers: Mapping[str, str], *, language: Language, checklist: Checklist
) -> Summary:
    """Open with what to remember, then the other answers by section, skipped ones left out."""
    remember = _to_remember(answers, checklist, language)
    shown = {*_IN_TITLE, *(REMEMBER_KEYS if remember else ())}
    if remember and answers.get(Key.OBSTACLES):
        shown.add(Key.COUNTER_ARGUMENTS)
    sections = []
    if remember:
        sections.append(SummarySection(catalog().text(language, "summary.remember"), remember))
    for section in checklist.sections:
        items = tuple(
            SummaryItem(
                question.label(language), display(question, answers[question.key], language)
            )
            for question in section.questions
            if answers.get(question.key) and question.key not in shown
        )
        if items:
            sections.append(SummarySection(section.title(language), items))
    if note := answers.get(NOTE_KEY):
        item = SummaryItem(catalog().text(language, "note.label"), note)
        sections.append(SummarySection(catalog().text(language, "note.title"), (item,)))
    company = answers.get(Key.COMPANY) or "?"
    position = answers.get(Key.POSITION)
    key = "summary.title_with_position" if position else "summary.title"
    title = catalog().text(language, key, company=company, position=position)
    answered = sum(1 for question in checklist if answers.get(question.key))
    return Summary(title, tuple(sections), answered=answered, total=len(checklist))
