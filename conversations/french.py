"""French that reads as French: elision, contractions, spacing before punctuation, plurals."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

__all__ = [
    "APOSTROPHE",
    "NBSP",
    "elides",
    "fill",
    "plural",
    "typeset",
]

NBSP = "\u00a0"
# One apostrophe style in everything Debrief writes in French: the straight one of its texts.
APOSTROPHE = "'"

_VOWELS = frozenset("aeiouy")
# Words whose h is aspirated: "le héros", "de Hachette", never "l'héros".
_ASPIRATED_H = frozenset(
    [
        "hache",
        "hachette",
        "haie",
        "haine",
        "hall",
        "halle",
        "halte",
        "hamac",
        "hameau",
        "hamburger",
        "hanche",
        "handball",
        "handicap",
        "hangar",
        "hanter",
        "harceler",
        "hardi",
        "hareng",
        "haricot",
        "harpe",
        "hasard",
        "hate",
        "hausse",
        "haut",
        "haute",
        "hauteur",
        "havre",
        "heros",
        "herisson",
        "hetre",
        "hibou",
        "hierarchie",
        "hisser",
        "hockey",
        "hollande",
        "homard",
        "hongrie",
        "honte",
        "hors",
        "hotte",
        "houblon",
        "housse",
        "huit",
        "huitieme",
        "hurler",
        "hutte",
        "huawei",
        "hyundai",
        "honda",
        "hewlett",
        "hp",
        "hsbc",
    ]
)
_ELIDED = {"de": "d", "le": "l", "la": "l", "que": "qu", "jusque": "jusqu", "je": "j", "ne": "n"}
_BEFORE_VALUE = re.compile(r"(?<![\w'’])(de|le|la|que|jusque|je|ne) $", re.IGNORECASE)
_CONTRACTED = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
_BEFORE_ARTICLE = re.compile(r"(?<![\w'’])(de|à) $")
_ARTICLE = re.compile(r"^(le|les) (?=\w)")

_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]*([?!;:»])")
_SPACE_AFTER = re.compile(r"«[ \u00a0\u202f]*")


def _plain(word: str) -> str:
    """Lower-case a word and strip its accents."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def elides(value: str) -> bool:
    """Tell whether 'de', 'le' or 'que' elide before this text: a vowel or a mute h."""
    word = re.split(r"[\s,.;:!?()/'’-]", value.strip(), maxsplit=1)[0]
    if not word or not word[0].isalpha():
        return False
    plain = _plain(word)
    if word.isupper() and len(word) > 1:
        # An acronym is read letter by letter: "d'IBM", "de SNCF".
        return plain[0] in _VOWELS - {"y"}
    if plain[0] == "h":
        return plain not in _ASPIRATED_H and len(plain) > 1 and plain[1] in _VOWELS
    if plain[0] == "y":
        # "d'Yves", but "de yaourt".
        return len(plain) > 1 and plain[1] not in _VOWELS
    return plain[0] in _VOWELS


def _join(before: str, value: str) -> tuple[str, str]:
    """Elide or contract the end of `before` for the `value` that follows it."""
    if (article := _ARTICLE.match(value)) and (found := _BEFORE_ARTICLE.search(before)):
        contracted = _CONTRACTED[(found[1], article[1])]
        return before[: found.start()] + contracted + " ", value[article.end() :]
    if (found := _BEFORE_VALUE.search(before)) and elides(value):
        word = found[1]
        elided = _ELIDED[word.lower()]
        if word[0].isupper():
            elided = elided.capitalize()
        return before[: found.start()] + elided + APOSTROPHE, value
    return before, value


def plural(count: int, forms: str, *, french: bool = True) -> str:
    """Write a count and noun from 'réponse|réponses' or 'aucune réponse|réponse|réponses'."""
    words = forms.split("|")
    if count == 0 and len(words) == 3:
        return words[0]
    one, many = words[-2], words[-1]
    # French counts 0 and 1 in the singular, English only 1.
    return f"{count} {one if count == 1 or (french and count == 0) else many}"


def typeset(text: str) -> str:
    """Put a non-breaking space before ? ! ; : » and after «, and one apostrophe style."""
    text = text.replace("’", APOSTROPHE)

    def space(found: re.Match[str]) -> str:
        mark, start = found[1], found.start()
        if start == 0 or text[start - 1] in "\n([«":
            return found[0]
        previous = text[start - 1]
        if mark in ";:" and found[0] == mark:
            # "&amp;" and "14:30" and "https://" keep their signs as they are.
            return found[0]
        if mark in "?!" and found[0] == mark and not previous.isalnum() and previous not in ")»":
            return found[0]
        return NBSP + mark

    text = _SPACE_BEFORE.sub(space, text)
    return _SPACE_AFTER.sub("«" + NBSP, text)


def fill(template: str, values: Mapping[str, object], *, french: bool = True) -> str:
    """Fill a template, plurals written {count:réponse|réponses}; French is elided and spaced."""
    out = ""
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out += literal
        if field is None:
            continue
        value = values[field]
        if spec and "|" in spec:
            count = str(value)
            # A count that is not a number (never in the code) still reads: '<value> réponses'.
            text = (
                plural(int(count), spec, french=french)
                if count.isdigit()
                else (f"{count} {spec.split('|')[-1]}")
            )
        else:
            text = format(str(value) if conversion == "s" else value, spec or "")
        if french:
            out, text = _join(out, text)
        out += text
    return typeset(out) if french else out
