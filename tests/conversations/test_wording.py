"""Grouping similar wordings: measured on a labelled set, in French and English."""

from __future__ import annotations

import itertools

from conversations.i18n import LANGUAGES
from conversations.wording import group_similar, items, normalise
from tests.conversations.wording_set import LABELLED

# Floors for the pairwise scores on the labelled set (measured: precision 1.0, recall 0.54).
# Precision matters most: a question shown as "keeps coming back" that does not is a false
# lesson, so at most one grouped pair in ten may be wrong. Recall is bounded by what lexical
# similarity can see: most missed pairs are paraphrases that share no word once stemmed
# ("Combien souhaitez-vous gagner ?" / "Vos prétentions salariales ?"), which only a semantic
# model would group; half of the pairs must still be found, the rewordings that share words
# (plurals, accents, word order, filler words). docs/insights.md has the figures.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.5


def _grouped_pairs() -> set[tuple[int, int]]:
    """Group the labelled set per language; return the pairs of indexes grouped together."""
    pairs: set[tuple[int, int]] = set()
    for language in LANGUAGES:
        indexes = [i for i, (lang, _, _) in enumerate(LABELLED) if lang == language]
        groups = group_similar(indexes, [LABELLED[i][2] for i in indexes], language=language)
        for group in groups:
            pairs |= set(itertools.combinations(sorted(group.members), 2))
    return pairs


def test_grouping_finds_rewordings_and_keeps_different_questions_apart() -> None:
    truth = {
        (i, j)
        for i, j in itertools.combinations(range(len(LABELLED)), 2)
        if LABELLED[i][1] == LABELLED[j][1]
    }
    found = _grouped_pairs()
    right = len(found & truth)
    precision = right / len(found) if found else 0.0
    recall = right / len(truth)

    # Shown with `pytest -s`.
    print(  # noqa: T201
        f"\ngrouping on {len(LABELLED)} wordings, {len(truth)} true pairs:"
        f" precision {precision:.2f}, recall {recall:.2f}"
    )
    assert precision >= PRECISION_FLOOR, sorted(found - truth)
    assert recall >= RECALL_FLOOR


def test_normalising_leaves_out_case_accents_punctuation_and_stop_words() -> None:
    assert normalise("Quelles sont VOS prétentions salariales ?", "fr") == normalise(
        "vos pretentions salariales", "fr"
    )
    assert normalise("What are your salary expectations?", "en") == "salari expect"


def test_a_note_is_cut_into_its_questions() -> None:
    note = "- Pourquoi quitter Acme\u00a0? Vos prétentions\u00a0?\n2) Et dans 5 ans ; RAS"

    assert items(note) == [
        "Pourquoi quitter Acme\u00a0?",
        "Vos prétentions\u00a0?",
        "Et dans 5 ans",
    ]
    assert items(None) == items("") == []


def test_a_wording_of_stop_words_only_is_grouped_with_nothing() -> None:
    groups = group_similar([1, 2, 3], ["Et vous ?", "Et vous ?", "Why?"], language="fr")

    assert [group.members for group in groups] == [(1,), (2,), (3,)]
