"""Per-user settings and group notices, stored in a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from storage.database import Database
from storage.debriefs import DebriefRepository
from storage.users import Profile, UserRepository

ALICE = 1001
BOB = 2002


@pytest.fixture
def users(database: Database) -> UserRepository:
    return UserRepository(database)


async def _profile(users: UserRepository, user_id: int) -> Profile:
    profile = await users.profile(user_id=user_id)
    assert profile is not None
    return profile


async def test_an_unknown_user_has_no_profile_and_no_language(users: UserRepository) -> None:
    assert await users.profile(user_id=ALICE) is None
    assert await users.language(user_id=ALICE) is None


async def test_a_user_registered_by_a_debrief_has_an_empty_profile(
    users: UserRepository, database: Database
) -> None:
    await DebriefRepository(database).create(user_id=ALICE, first_key="company")

    assert await users.profile(user_id=ALICE) == Profile(ALICE, None, None, None, None, None)


async def test_remember_creates_the_user_with_their_telegram_language_and_name(
    users: UserRepository,
) -> None:
    await users.remember(user_id=ALICE, telegram_language="fr-FR", name="Alice")

    assert await users.profile(user_id=ALICE) == Profile(ALICE, None, "fr-FR", "Alice", None, None)


async def test_remember_updates_the_telegram_language_and_name_only(
    users: UserRepository,
) -> None:
    await users.set_language(user_id=ALICE, language="fr")
    await users.set_timezone(user_id=ALICE, timezone="Europe/Paris")
    await users.set_awaiting(user_id=ALICE, awaiting="timezone")
    await users.remember(user_id=ALICE, telegram_language="fr", name="Alice")

    await users.remember(user_id=ALICE, telegram_language=None, name="Alice Martin")

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", None, "Alice Martin", "Europe/Paris", "timezone"
    )


async def test_set_language_creates_then_updates_the_row(users: UserRepository) -> None:
    await users.set_language(user_id=ALICE, language="en")
    assert await users.language(user_id=ALICE) == "en"

    await users.set_language(user_id=ALICE, language="fr")

    assert await users.language(user_id=ALICE) == "fr"
    assert await users.profile(user_id=ALICE) == Profile(ALICE, "fr", None, None, None, None)


async def test_an_unsupported_language_is_refused_by_the_database(users: UserRepository) -> None:
    await users.set_language(user_id=ALICE, language="fr")

    with pytest.raises(sqlite3.IntegrityError):
        await users.set_language(user_id=ALICE, language="de")

    assert await users.language(user_id=ALICE) == "fr"


async def test_set_timezone_creates_then_updates_the_row(users: UserRepository) -> None:
    await users.set_timezone(user_id=ALICE, timezone="+02:00")
    assert (await _profile(users, ALICE)).timezone == "+02:00"

    await users.set_timezone(user_id=ALICE, timezone="America/New_York")

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, None, None, None, "America/New_York", None
    )


async def test_set_awaiting_creates_updates_and_clears_the_row(users: UserRepository) -> None:
    await users.set_awaiting(user_id=ALICE, awaiting="timezone")
    assert (await _profile(users, ALICE)).awaiting == "timezone"

    await users.set_awaiting(user_id=ALICE, awaiting="round:7")
    assert (await _profile(users, ALICE)).awaiting == "round:7"

    await users.set_awaiting(user_id=ALICE, awaiting=None)
    assert await users.profile(user_id=ALICE) == Profile(ALICE, None, None, None, None, None)


async def test_settings_do_not_overwrite_each_other(users: UserRepository) -> None:
    await users.remember(user_id=ALICE, telegram_language="en", name="Alice")
    await users.set_language(user_id=ALICE, language="fr")
    await users.set_timezone(user_id=ALICE, timezone="Europe/Paris")
    await users.set_awaiting(user_id=ALICE, awaiting="timezone")

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", "en", "Alice", "Europe/Paris", "timezone"
    )


async def test_one_users_settings_never_reach_another(users: UserRepository) -> None:
    await users.remember(user_id=ALICE, telegram_language="fr", name="Alice")
    await users.set_language(user_id=ALICE, language="fr")
    await users.set_timezone(user_id=ALICE, timezone="Europe/Paris")
    await users.set_awaiting(user_id=ALICE, awaiting="timezone")

    await users.remember(user_id=BOB, telegram_language="en", name="Bob")

    assert await users.profile(user_id=BOB) == Profile(BOB, None, "en", "Bob", None, None)
    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", "fr", "Alice", "Europe/Paris", "timezone"
    )


async def test_a_group_gets_the_private_only_notice_once(users: UserRepository) -> None:
    group, other_group = -100_123, -100_456

    assert await users.first_notice_in_group(chat_id=group) is True
    assert await users.first_notice_in_group(chat_id=group) is False
    assert await users.first_notice_in_group(chat_id=other_group) is True
    assert await users.first_notice_in_group(chat_id=group) is False
