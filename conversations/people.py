"""The people a candidate met: one line each ("Mme Claire Martin, DRH, claire@acme.fr"), parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from conversations.checklist import EMAIL_LIMIT
from conversations.i18n import fold

__all__ = ["Person", "PersonError", "Title", "parse_people"]

# An address as a mail app accepts it; the same rule as the checklist's email answers.
EMAIL = re.compile(r"[^@\s<>\"',;()]+@[^@\s<>\"',;()]+\.[^@\s<>\"',;().]{2,}")
_FIELD_SEPARATORS = re.compile(r"\s*(?:[,;|()]|\s[–—-]\s)\s*")
_JOINED_NAMES = re.compile(r"\s+(?:et|and|&)\s+|\s*&\s*", re.IGNORECASE)
# More words than this in a name: the line is a sentence, not a person.
_MAX_NAME_WORDS = 6
_MAX_NAME_CHARACTERS = 60
_MAX_PEOPLE = 8
_PARTICLES = frozenset({"de", "du", "des", "d'", "van", "von", "der", "den", "di", "da"})


class Title(StrEnum):
    """How a person was introduced: the honorific in front of their name."""

    MR = "mr"
    MRS = "mrs"
    MS = "ms"
    DR = "dr"
    PR = "pr"


_TITLES: dict[str, Title] = {
    "m": Title.MR,
    "mr": Title.MR,
    "monsieur": Title.MR,
    "mister": Title.MR,
    "mme": Title.MS,
    "madame": Title.MS,
    "mlle": Title.MS,
    "mademoiselle": Title.MS,
    "ms": Title.MS,
    "miss": Title.MS,
    "mrs": Title.MRS,
    "dr": Title.DR,
    "docteur": Title.DR,
    "doctor": Title.DR,
    "pr": Title.PR,
    "prof": Title.PR,
    "professeur": Title.PR,
    "professor": Title.PR,
}


class PersonError(ValueError):
    """A line that does not read as a person; `reason` is a catalogue key."""

    def __init__(self, reason: str, line: str) -> None:
        super().__init__(f"{reason}: {line!r}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the candidate met: any of title, first name, last name, role and address."""

    title: Title | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    email: str | None = None

    @property
    def named(self) -> bool:
        """Tell whether the person can be greeted by name."""
        return bool(self.last_name or self.first_name)

    @property
    def full_name(self) -> str:
        """Return first and last name as known ('' when neither is)."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def _tidy_word(word: str) -> str:
    """Give a word of a name its usual capitals: 'MARTIN' and 'martin' become 'Martin'."""
    if fold(word) in _PARTICLES:
        return word.lower()
    if (word.isupper() and len(word) > 1) or word.islower():
        return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
    return word


def _name(text: str) -> tuple[Title | None, str | None, str | None]:
    """Split 'Mme Claire Martin' into its title, first name and last name."""
    words = text.split()
    title = None
    if words and (found := _TITLES.get(fold(words[0]).rstrip("."))):
        title = found
        words = words[1:]
    words = [_tidy_word(word) for word in words]
    if not words:
        return title, None, None
    if len(words) == 1:
        # "M. Durand" names the family; "Claire" alone is how she introduced herself.
        return (title, None, words[0]) if title else (None, words[0], None)
    return title, words[0], " ".join(words[1:])


def _person(line: str, *, strict: bool) -> list[Person]:
    """Read one line: a name, then a role, with an address anywhere in it."""
    found = EMAIL.search(line)
    email = found.group(0).lower() if found else None
    if email is not None and len(email) > EMAIL_LIMIT:
        if strict:
            raise PersonError("answer.people_email_invalid", line)
        email = None
    rest = EMAIL.sub(" ", line.replace("mailto:", " "), count=1) if found else line
    rest = rest.replace("<>", " ").replace("<", " ").replace(">", " ")
    if "@" in rest and strict:
        raise PersonError("answer.people_email_invalid", line)
    fields = [field.strip(" .:") for field in _FIELD_SEPARATORS.split(rest)]
    fields = [field for field in fields if field]
    if not fields:
        return [Person(email=email)]
    name, role = fields[0], ", ".join(fields[1:]) or None
    # "Claire Martin et Julien Roche": two people on one line.
    names = [part for part in _JOINED_NAMES.split(name) if part.strip()]
    if strict and len(names) > 1 and (email or role):
        raise PersonError("answer.people_one_per_line", line)
    people: list[Person] = []
    for each in names:
        if (
            len(each.split()) > _MAX_NAME_WORDS
            or len(each) > _MAX_NAME_CHARACTERS
            or any(c.isdigit() for c in each)
        ):
            if strict:
                raise PersonError("answer.people_invalid", line)
            # An older answer may be a sentence: keep its address, not its words as a name.
            each = ""
        title, first, last = _name(each)
        if people:
            # Written with others on one line, the role and address are the first person's.
            people.append(Person(title, first, last))
        else:
            people.append(Person(title, first, last, role, email))
    return people


def parse_people(text: str, *, strict: bool = False) -> list[Person]:
    """Read one person per line; when strict, raise PersonError on a line that is not one."""
    people: list[Person] = []
    for line in text.splitlines():
        if cleaned := line.strip(" -•*·\t"):
            people += _person(cleaned, strict=strict)
    if strict and len(people) > _MAX_PEOPLE:
        raise PersonError("answer.people_too_many", text)
    return people[:_MAX_PEOPLE]
