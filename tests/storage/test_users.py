"""Per-user settings and group notices, stored in a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from conversations.model import NewReminder, Profile, ReminderKind, RoundDatePrompt, TimezonePrompt
from storage.database import Database
from storage.debriefs import DebriefRepository
from storage.reminders import ReminderRepository
from storage.users import Erased, UserRepository

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
    await users.set_awaiting(user_id=ALICE, awaiting=TimezonePrompt())
    await users.remember(user_id=ALICE, telegram_language="fr", name="Alice")

    await users.remember(user_id=ALICE, telegram_language=None, name="Alice Martin")

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", None, "Alice Martin", "Europe/Paris", TimezonePrompt()
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
        await users.set_language(user_id=ALICE, language="de")  # type: ignore[arg-type]

    assert await users.language(user_id=ALICE) == "fr"


async def test_set_timezone_creates_then_updates_the_row(users: UserRepository) -> None:
    await users.set_timezone(user_id=ALICE, timezone="+02:00")
    assert (await _profile(users, ALICE)).timezone == "+02:00"

    await users.set_timezone(user_id=ALICE, timezone="America/New_York")

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, None, None, None, "America/New_York", None
    )


async def test_set_awaiting_creates_updates_and_clears_the_row(users: UserRepository) -> None:
    await users.set_awaiting(user_id=ALICE, awaiting=TimezonePrompt())
    assert (await _profile(users, ALICE)).awaiting == TimezonePrompt()

    await users.set_awaiting(user_id=ALICE, awaiting=RoundDatePrompt(7))
    assert (await _profile(users, ALICE)).awaiting == RoundDatePrompt(7)

    await users.set_awaiting(user_id=ALICE, awaiting=None)
    assert await users.profile(user_id=ALICE) == Profile(ALICE, None, None, None, None, None)


async def test_settings_do_not_overwrite_each_other(users: UserRepository) -> None:
    await users.remember(user_id=ALICE, telegram_language="en", name="Alice")
    await users.set_language(user_id=ALICE, language="fr")
    await users.set_timezone(user_id=ALICE, timezone="Europe/Paris")
    await users.set_awaiting(user_id=ALICE, awaiting=TimezonePrompt())

    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", "en", "Alice", "Europe/Paris", TimezonePrompt()
    )


async def test_one_users_settings_never_reach_another(users: UserRepository) -> None:
    await users.remember(user_id=ALICE, telegram_language="fr", name="Alice")
    await users.set_language(user_id=ALICE, language="fr")
    await users.set_timezone(user_id=ALICE, timezone="Europe/Paris")
    await users.set_awaiting(user_id=ALICE, awaiting=TimezonePrompt())

    await users.remember(user_id=BOB, telegram_language="en", name="Bob")

    assert await users.profile(user_id=BOB) == Profile(BOB, None, "en", "Bob", None, None)
    assert await users.profile(user_id=ALICE) == Profile(
        ALICE, "fr", "fr", "Alice", "Europe/Paris", TimezonePrompt()
    )


async def test_a_group_gets_the_private_only_notice_once(users: UserRepository) -> None:
    group, other_group = -100_123, -100_456

    assert await users.first_notice_in_group(chat_id=group) is True
    assert await users.first_notice_in_group(chat_id=group) is False
    assert await users.first_notice_in_group(chat_id=other_group) is True
    assert await users.first_notice_in_group(chat_id=group) is False


async def _rows(database: Database, user_id: int) -> dict[str, int]:
    """Count the user's rows in every table that holds any."""
    counts = {}
    for table, condition in (
        ("users", "user_id = ?"),
        ("debriefs", "user_id = ?"),
        ("reminders", "user_id = ?"),
        ("answer_parts", "debrief_id IN (SELECT id FROM debriefs WHERE user_id = ?)"),
    ):
        row = await database.fetch_one(
            f"SELECT count(*) FROM {table} WHERE {condition}", (user_id,)
        )
        assert row is not None
        counts[table] = row[0]
    return counts


async def _everything(database: Database, user_id: int) -> None:
    """Give the user settings, two debriefs with answers, and a reminder."""
    users = UserRepository(database)
    debriefs = DebriefRepository(database)
    await users.remember(user_id=user_id, telegram_language="fr", name="Alice")
    await users.set_timezone(user_id=user_id, timezone="Europe/Paris")
    for _ in range(2):
        debrief = await debriefs.create(user_id=user_id, first_key="company")
        for key in ("company", "position"):
            await debriefs.save_answer(
                user_id=user_id,
                debrief_id=debrief.id,
                key=key,
                text="Acme",
                message_id=None,
                next_key=None,
            )
        await debriefs.finish(
            user_id=user_id, debrief_id=debrief.id, reminders=[NewReminder(ReminderKind.NO_NEWS, 1)]
        )


async def test_delete_all_removes_every_row_of_the_user_and_nothing_else(
    users: UserRepository, database: Database
) -> None:
    await _everything(database, ALICE)
    await _everything(database, BOB)
    await users.first_notice_in_group(chat_id=-100_123)
    bobs = await _rows(database, BOB)

    erased = await users.delete_all(user_id=ALICE)

    assert erased == Erased(debriefs=2, answer_parts=4, reminders=2, settings=True)
    assert erased.anything
    assert await _rows(database, ALICE) == dict.fromkeys(bobs, 0)
    assert await _rows(database, BOB) == bobs
    assert await users.profile(user_id=BOB) is not None
    assert len(await ReminderRepository(database).pending_for(user_id=BOB)) == 2
    assert await users.first_notice_in_group(chat_id=-100_123) is False


async def test_delete_all_of_an_unknown_user_deletes_nothing(users: UserRepository) -> None:
    await users.remember(user_id=BOB, telegram_language="en", name="Bob")

    erased = await users.delete_all(user_id=ALICE)

    assert erased == Erased(debriefs=0, answer_parts=0, reminders=0, settings=False)
    assert not erased.anything
    assert await users.profile(user_id=BOB) is not None


async def test_a_user_can_start_again_after_deleting_everything(
    users: UserRepository, database: Database
) -> None:
    await _everything(database, ALICE)
    await users.delete_all(user_id=ALICE)

    await _everything(database, ALICE)

    assert await _rows(database, ALICE) == {
        "users": 1,
        "debriefs": 2,
        "reminders": 2,
        "answer_parts": 4,
    }
