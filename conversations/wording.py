"""Similar wordings grouped: notes cut into items, normalised, and clustered with rapidfuzz.

Two notes name the same question when, once case, accents, punctuation and stop words are left
out and each word is reduced to its stem (Snowball, through PyStemmer, in the note's language),
rapidfuzz's `token_sort_ratio` scores them at least `THRESHOLD`. Groups are the connected
components of that relation (single linkage). The threshold was chosen on the labelled set of
tests/conversations/test_wording.py, which prints the pairwise precision and recall.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Generic, TypeVar

import Stemmer
from rapidfuzz import fuzz, process

from conversations.i18n import Language

__all__ = ["THRESHOLD", "Grouped", "group_similar", "items", "normalise", "similar_pairs"]

# On the labelled set (pairwise): precision 1.0 and recall 0.54 at 65; at 60 "Avez-vous déjà
# managé une équipe ?" joined "Manque d'expérience sur Kafka" through a chain (precision 0.73), at
# 70 recall fell to 0.44. token_set_ratio and WRatio score a short wording contained in a long
# one as a match, which grouped "Tell me about yourself" with "Where do you see yourself…".
THRESHOLD = 65
# Pieces of a note: lines, bullets, and sentences (a French "?" may follow a non-breaking space).
_SPLIT = re.compile(r"\n+|(?<=[?!.;])\s+|\s*;\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s*")
_NOT_WORD = re.compile(r"[\W_]+")
_LATIN_MARKS = re.compile("[\u0300-\u036f]")
# A piece with fewer than four letters says nothing comparable ("Non.", "RAS").
_ENOUGH_LETTERS = re.compile(r"(?:[^\W\d_][\W\d_]*){4}")
_STEMMERS: dict[Language, str] = {"en": "english", "fr": "french"}
_T = TypeVar("_T")


def items(note: str | None) -> list[str]:
    """Cut a note into its questions or points: one per line, bullet or sentence."""
    if not note:
        return []
    found = []
    for piece in _SPLIT.split(note.strip()):
        piece = _BULLET.sub("", piece).strip(" \t\u00a0\u202f")
        if _ENOUGH_LETTERS.search(piece):
            found.append(piece)
    return found


def _folded(text: str) -> str:
    """Lower-case and strip Latin accents, like i18n.fold, in a few C-level passes."""
    # i18n.fold tests every character in Python: half the time of /insights for 200 debriefs.
    # Only the Latin combining marks are dropped here, which is all French and English need.
    return _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text.casefold().replace("’", "'")))


@cache
def _stop_words() -> frozenset[str]:
    """Return the words left out of every wording (conversations/stopwords.toml)."""
    table = tomllib.loads((resources.files("conversations") / "stopwords.toml").read_text("utf-8"))
    return frozenset(word for words in table.values() for word in words.split())


@cache
def _stemmer(language: Language) -> Stemmer.Stemmer:
    """Return the Snowball stemmer of a language (made once; it caches the words it saw)."""
    return Stemmer.Stemmer(_STEMMERS[language])


def normalise(text: str, language: Language) -> str:
    """Reduce a wording to its stems: 'Vos prétentions salariales ?' → 'pretent salarial'."""
    stop = _stop_words()
    words = [word for word in _NOT_WORD.sub(" ", _folded(text)).split() if word not in stop]
    return " ".join(_stemmer(language).stemWords(words))


@dataclass(frozen=True, slots=True)
class Grouped(Generic[_T]):
    """Items whose wordings were found similar, in the order they were given."""

    members: tuple[_T, ...]


def similar_pairs(
    first: Sequence[str], second: Sequence[str], *, threshold: int = THRESHOLD
) -> list[tuple[str, str]]:
    """Return the pairs of distinct normalised wordings that score at least `threshold`."""
    # Identical wordings are compared once: notes repeat, and pairs grow with their square.
    left, right = list(dict.fromkeys(first)), list(dict.fromkeys(second))
    if not left or not right:
        return []
    scores = process.cdist(
        left, right, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, dtype="uint8"
    )
    return [(left[i], right[j]) for i, j in zip(*scores.nonzero(), strict=True)]


def group_similar(
    entries: Sequence[_T],
    wordings: Sequence[str],
    *,
    language: Language,
    threshold: int = THRESHOLD,
) -> list[Grouped[_T]]:
    """Group entries whose wordings are similar; every entry lands in exactly one group."""
    if len(entries) != len(wordings):
        raise ValueError("one wording per entry")
    keys = [normalise(wording, language) for wording in wordings]
    # An empty key (only stop words) matches nothing, not every other empty key.
    compared = [key for key in dict.fromkeys(keys) if key]
    parent = {key: key for key in compared}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for first, second in similar_pairs(compared, compared, threshold=threshold):
        if first != second:
            parent[root(first)] = root(second)
    groups: dict[object, list[_T]] = {}
    for index, (entry, key) in enumerate(zip(entries, keys, strict=True)):
        groups.setdefault(root(key) if key else index, []).append(entry)
    return [Grouped(tuple(members)) for members in groups.values()]
