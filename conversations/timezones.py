"""Reading a timezone as people type it (a city, an IANA name, an offset) and writing it back.

A timezone is stored as an IANA name ("Europe/Paris", "UTC") or a fixed offset ("+02:00").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

from conversations.i18n import fold

__all__ = ["describe", "parse_timezone", "zone"]

# Cities are looked up under these regions only: US/Eastern or Etc/GMT+5 end with no city.
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
     "Indian", "Pacific"}
)  # fmt: skip
# EST, MST and HST have no daylight saving time, which is not what people who type them mean;
# localtime and Factory are not places.
_MISLEADING = frozenset({"EST", "MST", "HST", "localtime", "Factory"})
_UTC_NAMES = frozenset({"utc", "gmt", "z", "zulu", "temps universel", "universal time"})
_TYPED_OFFSET = re.compile(r"(?:utc|gmt)? ?([+-]) ?(\d{1,2})(?:[:h.]?(\d{2}))?")
_STORED_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_MAX_EAST = timedelta(hours=14)
_MAX_WEST = timedelta(hours=-12)


def _key(text: str) -> str:
    """Fold a place name so that 'São_Paulo', 'sao paulo' and 'Sao-Paulo' meet."""
    return " ".join(fold(text).replace("_", " ").replace("-", " ").split()).replace(" / ", "/")


def _zone_tab() -> str:
    """Return the text of zone.tab, from the tzdata package or the system's zoneinfo folder."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        pass
    for folder in TZPATH:
        try:
            return (Path(folder) / "zone.tab").read_text("utf-8")
        except OSError:
            continue
    return ""


@cache
def _indexes() -> tuple[dict[str, str], dict[str, str]]:
    """Map folded full names and folded city names to IANA names, built once."""
    names = available_timezones() - _MISLEADING
    rows = (line.split("\t") for line in _zone_tab().splitlines() if not line.startswith("#"))
    current = frozenset(row[2] for row in rows if len(row) >= 3)
    full = {_key(name): name for name in sorted(names)}
    cities: dict[str, str] = {}
    places = (name for name in names if name.split("/")[0] in _REGIONS)
    # Zones of zone.tab first, then the shortest name: 'Buenos Aires' is
    # America/Argentina/Buenos_Aires rather than the old link America/Buenos_Aires.
    for name in sorted(places, key=lambda name: (name not in current, len(name), name)):
        cities.setdefault(_key(name.rsplit("/", 1)[-1]), name)
    return full, cities


def _format_offset(offset: timedelta) -> str:
    """Write an offset as '+02:00' or '-05:30'."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _parse_offset(text: str) -> str | None:
    """Read 'UTC+2', '-05:30' or '+0530' as a stored offset, 'UTC' for zero; None otherwise."""
    match = _TYPED_OFFSET.fullmatch(text)
    if not match:
        return None
    hours, minutes = int(match[2]), int(match[3] or 0)
    if minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if match[1] == "-" else 1)
    if not _MAX_WEST <= offset <= _MAX_EAST:
        return None
    return "UTC" if not offset else _format_offset(offset)


def parse_timezone(text: str) -> str | None:
    """Read a typed timezone ('Paris', 'Europe/Paris', 'UTC+2', '+05:30'); None when unknown."""
    folded = fold(text).strip(" .!")
    if folded in _UTC_NAMES:
        return "UTC"
    if (offset := _parse_offset(folded)) is not None:
        return offset
    full, cities = _indexes()
    key = _key(folded)
    if found := full.get(key) or cities.get(key):
        return found
    if "," in key:  # 'Paris, France', 'New York, USA'
        return cities.get(key.split(",")[0].strip())
    return None


def zone(name: str) -> tzinfo:
    """Return the tzinfo of a stored timezone: a fixed offset or an IANA zone."""
    if match := _STORED_OFFSET.fullmatch(name):
        offset = timedelta(hours=int(match[2]), minutes=int(match[3]))
        return timezone(-offset if match[1] == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone: {name!r}") from error


def describe(name: str, now: datetime) -> str:
    """Write a stored timezone for people: 'Europe/Paris (UTC+01:00)', 'UTC+05:30', 'UTC'."""
    if name == "UTC":
        return name
    if _STORED_OFFSET.fullmatch(name):
        return f"UTC{name}"
    offset = now.astimezone(UTC).astimezone(zone(name)).utcoffset() or timedelta()
    return f"{name} (UTC{_format_offset(offset)})"
