"""Languages and the per-language text catalogue."""

from __future__ import annotations

import string
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal, get_args

from conversations import french

__all__ = ["LANGUAGES", "Catalog", "Language", "catalog", "fold", "language_from_code"]

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


def language_from_code(code: str | None) -> Language:
    """Pick French for a Telegram language code starting with 'fr', English otherwise."""
    return "fr" if code and code.lower().startswith("fr") else "en"


def fold(text: str) -> str:
    """Lower-case, strip accents and squeeze spaces, so 'Février' matches 'fevrier'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _flatten(prefix: str, table: Mapping[str, object], out: dict[str, str]) -> None:
    """Flatten nested TOML tables into dotted keys."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(f"{dotted}.", value, out)
        elif isinstance(value, str):
            out[dotted] = value
        else:
            raise TypeError(f"{dotted}: expected text, got {type(value).__name__}")


def placeholders(template: str) -> frozenset[str]:
    """Return the names of the {placeholders} of a template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Catalog:
    """User-facing texts: per language, en.toml plus topic files like followup.en.toml."""

    def __init__(self, texts: Mapping[Language, Mapping[str, str]]) -> None:
        self._texts = texts

    @classmethod
    def load(cls) -> Catalog:
        """Read every language's file shipped with the package."""
        texts: dict[Language, dict[str, str]] = {}
        folder = resources.files("conversations") / "locales"
        for language in LANGUAGES:
            flat: dict[str, str] = {}
            # en.toml, then any topic file such as followup.en.toml; keys must not collide.
            main = f"{language}.toml"
            topics = sorted(
                entry.name for entry in folder.iterdir() if entry.name.endswith(f".{main}")
            )
            for name in [main, *topics]:
                table = tomllib.loads((folder / name).read_text("utf-8"))
                before = len(flat)
                part: dict[str, str] = {}
                _flatten("", table, part)
                flat.update(part)
                if len(flat) != before + len(part):
                    raise ValueError(f"{name} redefines keys of another locale file")
            texts[language] = flat
        return cls(texts)

    def keys(self, language: Language) -> frozenset[str]:
        """Return every text key defined for a language."""
        return frozenset(self._texts[language])

    def template(self, language: Language, key: str) -> str:
        """Return the raw template of a key."""
        return self._texts[language][key]

    def text(self, language: Language, key: str, /, **values: object) -> str:
        """Return a text with its placeholders filled in; French is elided and spaced as French."""
        template = self._texts[language][key]
        if language == "fr":
            return french.fill(template, values) if values else french.typeset(template)
        return french.fill(template, values, french=False) if values else template


@cache
def catalog() -> Catalog:
    """Return the shared catalogue, loaded once."""
    return Catalog.load()
