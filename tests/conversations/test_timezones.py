"""Timezones as people type them: a city, an IANA name, UTC or an offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conversations.timezones import describe, parse_timezone, zone

WINTER = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        ("EUROPE/PARIS", "Europe/Paris"),
        ("America/New York", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("US/Eastern", "US/Eastern"),
    ],
)
def test_an_iana_name_is_read_whatever_its_case(typed: str, stored: str) -> None:
    assert parse_timezone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Paris", "Europe/Paris"),
        ("paris", "Europe/Paris"),
        ("montréal", "America/Montreal"),
        ("Montreal", "America/Montreal"),
        ("New York", "America/New_York"),
        ("new-york", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Tokyo", "Asia/Tokyo"),
        ("los angeles", "America/Los_Angeles"),
        ("Port au Prince", "America/Port-au-Prince"),
        ("Paris, France", "Europe/Paris"),
        ("  Tokyo. ", "Asia/Tokyo"),
    ],
)
def test_a_city_is_read_as_its_zone(typed: str, stored: str) -> None:
    assert parse_timezone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("indianapolis", "America/Indiana/Indianapolis"),
        ("kolkata", "Asia/Kolkata"),
    ],
)
def test_a_city_prefers_the_current_zone_to_an_old_alias(typed: str, stored: str) -> None:
    assert parse_timezone(typed) == stored


@pytest.mark.parametrize("typed", ["UTC", "utc", "GMT", "gmt", "UTC+0", "+00:00", "-0"])
def test_utc_and_gmt_are_stored_as_utc(typed: str) -> None:
    assert parse_timezone(typed) == "UTC"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("UTC+2", "+02:00"),
        ("utc-5", "-05:00"),
        ("UTC -5", "-05:00"),
        ("+05:30", "+05:30"),
        ("+0530", "+05:30"),
        ("GMT+1", "+01:00"),
        ("+2", "+02:00"),
        ("-03:00", "-03:00"),
        ("UTC+5:45", "+05:45"),
        ("-12", "-12:00"),
        ("+14", "+14:00"),
    ],
)
def test_an_offset_is_stored_as_plus_or_minus_hh_mm(typed: str, stored: str) -> None:
    assert parse_timezone(typed) == stored


def test_gmt_plus_means_east_of_greenwich_unlike_the_etc_zones() -> None:
    assert parse_timezone("GMT+5") == "+05:00"
    assert parse_timezone("Etc/GMT+5") == "Etc/GMT+5"


@pytest.mark.parametrize("typed", ["UTC+15", "-13", "+14:30", "-12:30", "+05:75"])
def test_an_offset_beyond_minus_12_and_plus_14_is_refused(typed: str) -> None:
    assert parse_timezone(typed) is None


@pytest.mark.parametrize(
    "typed", ["", "   ", "Atlantis", "Lyon", "EST", "localtime", "Europe/Atlantis", "2"]
)
def test_an_unknown_or_misleading_timezone_is_none(typed: str) -> None:
    assert parse_timezone(typed) is None


def test_every_stored_form_gives_back_a_zone() -> None:
    for typed in ("Paris", "UTC", "UTC+2", "-05:30", "montréal", "US/Eastern"):
        stored = parse_timezone(typed)
        assert stored is not None
        assert zone(stored).utcoffset(WINTER) is not None


def test_an_iana_name_becomes_a_zoneinfo() -> None:
    assert zone("Europe/Paris") == ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("stored", "offset"),
    [
        ("+02:00", timedelta(hours=2)),
        ("-05:30", timedelta(hours=-5, minutes=-30)),
        ("+00:00", timedelta(0)),
    ],
)
def test_an_offset_becomes_a_fixed_timezone(stored: str, offset: timedelta) -> None:
    tz = zone(stored)
    assert tz == timezone(offset)
    assert tz.utcoffset(None) == offset


def test_an_unknown_zone_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown timezone"):
        zone("Europe/Atlantis")


@pytest.mark.parametrize(
    ("stored", "now", "text"),
    [
        ("Europe/Paris", WINTER, "Europe/Paris (UTC+01:00)"),
        ("Europe/Paris", SUMMER, "Europe/Paris (UTC+02:00)"),
        ("America/New_York", WINTER, "America/New_York (UTC-05:00)"),
        ("Asia/Kolkata", WINTER, "Asia/Kolkata (UTC+05:30)"),
        ("+02:00", WINTER, "UTC+02:00"),
        ("-05:30", WINTER, "UTC-05:30"),
        ("UTC", WINTER, "UTC"),
    ],
)
def test_a_stored_timezone_is_described_with_its_current_offset(
    stored: str, now: datetime, text: str
) -> None:
    assert describe(stored, now) == text


def test_the_offset_described_is_the_one_at_that_moment_whatever_its_zone() -> None:
    # The night of the Paris spring-forward, seen from New York.
    before = datetime(2026, 3, 28, 20, 59, tzinfo=ZoneInfo("America/New_York"))
    after = datetime(2026, 3, 28, 21, 1, tzinfo=ZoneInfo("America/New_York"))
    assert describe("Europe/Paris", before) == "Europe/Paris (UTC+01:00)"
    assert describe("Europe/Paris", after) == "Europe/Paris (UTC+02:00)"
