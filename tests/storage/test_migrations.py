"""The schema is created by numbered migrations, recorded once, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage.database import Database, open_database
from storage.migrations import MIGRATIONS, Migration, applied_versions, apply_migrations


@pytest.fixture
async def connection(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """Open an empty database file, without migrating it."""
    db = await aiosqlite.connect(tmp_path / "empty.sqlite3")
    try:
        yield db
    finally:
        await db.close()


async def _columns(db: aiosqlite.Connection, table: str) -> list[tuple[str, str, int, int]]:
    """Return (name, type, not null, primary key position) for each column, in order."""
    async with db.execute(f"PRAGMA table_info({table})") as cursor:
        return [(row[1], row[2], row[3], row[5]) async for row in cursor]


async def _scalar(db: aiosqlite.Connection, sql: str) -> object:
    async with db.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def test_migrating_an_empty_database_records_every_version(
    connection: aiosqlite.Connection,
) -> None:
    applied = await apply_migrations(connection)

    assert applied == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    async with connection.execute(
        "SELECT version, name, applied_at FROM schema_migrations"
    ) as cursor:
        rows = list(await cursor.fetchall())
    assert [(row[0], row[1]) for row in rows] == [
        (1, "users_debriefs_answers"),
        (2, "outcomes_reminders_user_settings"),
        (3, "rounds_of_one_application"),
        (4, "reminders_by_debrief"),
        (5, "maintenance"),
        (6, "inbox"),
        (7, "outcome_at"),
        (8, "express"),
        (9, "interviewers_one_line_each"),
        (10, "express_phase"),
        (11, "heard_message_id"),
        (12, "kept_from_earlier_round"),
        (13, "offer_message_id"),
        (14, "sent_buttons"),
    ]
    assert str(rows[0][2]).endswith("Z")
    assert await applied_versions(connection) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]


async def test_migrations_are_numbered_from_1_without_gaps() -> None:
    assert [migration.version for migration in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


async def test_users_table_has_exactly_these_columns(connection: aiosqlite.Connection) -> None:
    await apply_migrations(connection)

    assert await _columns(connection, "users") == [
        ("user_id", "INTEGER", 0, 1),
        ("language", "TEXT", 0, 0),
        ("created_at", "TEXT", 1, 0),
        ("telegram_language", "TEXT", 0, 0),
        ("name", "TEXT", 0, 0),
        ("timezone", "TEXT", 0, 0),
        ("awaiting", "TEXT", 0, 0),
    ]


async def test_inbox_table_has_exactly_these_columns(connection: aiosqlite.Connection) -> None:
    await apply_migrations(connection)

    assert await _columns(connection, "inbox") == [
        ("update_id", "INTEGER", 0, 1),
        ("user_id", "INTEGER", 1, 0),
        ("payload", "TEXT", 1, 0),
        ("received_at", "TEXT", 1, 0),
    ]


async def test_debriefs_table_has_exactly_these_columns(connection: aiosqlite.Connection) -> None:
    await apply_migrations(connection)

    assert await _columns(connection, "debriefs") == [
        ("id", "INTEGER", 0, 1),
        ("user_id", "INTEGER", 1, 0),
        ("status", "TEXT", 1, 0),
        ("current_key", "TEXT", 0, 0),
        ("asked_key", "TEXT", 0, 0),
        ("asked_message_id", "INTEGER", 0, 0),
        ("append_key", "TEXT", 0, 0),
        ("created_at", "TEXT", 1, 0),
        ("updated_at", "TEXT", 1, 0),
        ("finished_at", "TEXT", 0, 0),
        ("outcome", "TEXT", 1, 0),
        ("next_round_date", "TEXT", 0, 0),
        ("thank_you_sent", "INTEGER", 1, 0),
        ("previous_id", "INTEGER", 0, 0),
        ("outcome_at", "TEXT", 0, 0),
        ("asked_at", "INTEGER", 0, 0),
        ("quick_key", "TEXT", 0, 0),
        ("express_at", "TEXT", 0, 0),
        ("phase", "TEXT", 0, 0),
        ("heard_message_id", "INTEGER", 0, 0),
        ("kept", "TEXT", 1, 0),
        ("offer_message_id", "INTEGER", 0, 0),
        ("sent_buttons", "TEXT", 1, 0),
    ]


async def test_reminders_table_has_exactly_these_columns(connection: aiosqlite.Connection) -> None:
    await apply_migrations(connection)

    assert await _columns(connection, "reminders") == [
        ("id", "INTEGER", 0, 1),
        ("user_id", "INTEGER", 1, 0),
        ("debrief_id", "INTEGER", 1, 0),
        ("kind", "TEXT", 1, 0),
        ("due_at", "INTEGER", 1, 0),
        ("state", "TEXT", 1, 0),
        ("attempt", "INTEGER", 1, 0),
        ("sent_at", "INTEGER", 0, 0),
        ("created_at", "TEXT", 1, 0),
    ]


async def test_migration_2_keeps_the_data_of_a_version_1_database(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection, MIGRATIONS[:1])
    await connection.execute("INSERT INTO users (user_id, language) VALUES (1, 'fr')")
    await connection.execute("INSERT INTO debriefs (user_id, status) VALUES (1, 'done')")
    await connection.commit()

    assert await apply_migrations(connection) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    async with connection.execute(
        "SELECT u.language, d.status, d.outcome, d.thank_you_sent"
        " FROM users u JOIN debriefs d USING (user_id)"
    ) as cursor:
        assert [tuple(row) async for row in cursor] == [("fr", "done", "waiting", 0)]


async def test_answer_parts_table_has_exactly_these_columns(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection)

    assert await _columns(connection, "answer_parts") == [
        ("debrief_id", "INTEGER", 1, 1),
        ("question_key", "TEXT", 1, 2),
        ("part", "INTEGER", 1, 3),
        ("text", "TEXT", 1, 0),
        ("message_id", "INTEGER", 0, 0),
        ("created_at", "TEXT", 1, 0),
    ]


async def test_the_schema_has_exactly_these_tables_and_indexes(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection)

    async with connection.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ) as cursor:
        objects = [(row[0], row[1]) async for row in cursor]
    assert objects == [
        ("index", "answer_parts_by_message"),
        ("index", "debriefs_by_previous"),
        ("index", "debriefs_by_user"),
        ("index", "debriefs_one_open_per_user"),
        ("index", "inbox_by_user"),
        ("index", "reminders_by_debrief"),
        ("index", "reminders_by_user"),
        ("index", "reminders_due"),
        ("index", "reminders_one_pending_per_kind"),
        ("table", "answer_parts"),
        ("table", "debriefs"),
        ("table", "group_notices"),
        ("table", "inbox"),
        ("table", "maintenance"),
        ("table", "reminders"),
        ("table", "schema_migrations"),
        ("table", "users"),
    ]


async def test_running_the_migrations_again_applies_nothing(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection)

    assert await apply_migrations(connection) == []
    assert await _scalar(connection, "SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)


async def test_a_new_migration_is_applied_on_top_of_the_recorded_ones(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection)
    extra = Migration(99, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY);")

    assert await apply_migrations(connection, (*MIGRATIONS, extra)) == [99]
    assert await applied_versions(connection) == [*range(1, len(MIGRATIONS) + 1), 99]
    assert await apply_migrations(connection, (*MIGRATIONS, extra)) == []


async def test_migration_3_links_no_round_of_an_existing_debrief(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection, MIGRATIONS[:2])
    await connection.execute("INSERT INTO users (user_id) VALUES (1)")
    await connection.execute("INSERT INTO debriefs (user_id, status) VALUES (1, 'done')")
    await connection.commit()

    assert await apply_migrations(connection) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert await _scalar(connection, "SELECT count(*) FROM debriefs WHERE previous_id IS NULL") == 1


async def test_migration_4_lets_a_debrief_s_reminders_be_found_without_a_scan(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection, MIGRATIONS[:3])
    await connection.execute("INSERT INTO users (user_id) VALUES (1)")
    await connection.execute("INSERT INTO debriefs (id, user_id, status) VALUES (7, 1, 'done')")
    await connection.execute(
        "INSERT INTO reminders (user_id, debrief_id, kind, due_at, state)"
        " VALUES (1, 7, 'thank_you', 0, 'sent')"
    )
    await connection.commit()

    assert await apply_migrations(connection) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    # The lookup ON DELETE CASCADE makes for each deleted debrief, whatever the reminders' state.
    async with connection.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM reminders WHERE debrief_id = 7"
    ) as cursor:
        plan = [str(row[3]) async for row in cursor]
    assert plan == ["SEARCH reminders USING COVERING INDEX reminders_by_debrief (debrief_id=?)"]
    assert await _scalar(connection, "SELECT count(*) FROM reminders WHERE debrief_id = 7") == 1


async def test_a_failing_migration_is_not_recorded_and_leaves_no_trace(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection)
    broken = Migration(99, "broken", "CREATE TABLE half_done (id INTEGER);\nNOT SQL AT ALL;")

    with pytest.raises(aiosqlite.OperationalError):
        await apply_migrations(connection, (*MIGRATIONS, broken))
    await connection.rollback()

    assert await applied_versions(connection) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert (
        await _scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")
        == 0
    )


async def test_open_database_sets_the_pragmas(database: Database) -> None:
    db = database.connection

    assert await _scalar(db, "PRAGMA journal_mode") == "wal"
    assert await _scalar(db, "PRAGMA foreign_keys") == 1
    assert await _scalar(db, "PRAGMA secure_delete") == 1
    assert await _scalar(db, "PRAGMA journal_size_limit") == 0
    assert await _scalar(db, "PRAGMA synchronous") == 1
    assert await _scalar(db, "PRAGMA busy_timeout") == 5000


async def test_open_database_creates_its_folder_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "debrief.sqlite3"

    database = await open_database(path)
    try:
        versions = await applied_versions(database.connection)
    finally:
        await database.close()

    assert path.exists()
    assert versions == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]


async def test_reopening_a_migrated_database_applies_nothing(database_path: Path) -> None:
    first = await open_database(database_path)
    await first.close()

    second = await open_database(database_path)
    try:
        assert await apply_migrations(second.connection) == []
        assert await applied_versions(second.connection) == list(range(1, 15))
    finally:
        await second.close()


async def test_the_express_migration_leaves_earlier_debriefs_in_the_section_order(
    connection: aiosqlite.Connection,
) -> None:
    before = next(i for i, m in enumerate(MIGRATIONS) if m.name == "express_phase")
    await apply_migrations(connection, MIGRATIONS[:before])
    await connection.execute("INSERT INTO users (user_id) VALUES (1)")
    await connection.execute(
        "INSERT INTO debriefs (id, user_id, status, finished_at) VALUES (1, 1, 'done', 'then')"
    )
    await connection.execute(
        "INSERT INTO debriefs (id, user_id, status, current_key) VALUES (2, 1, 'active', 'rating')"
    )
    await connection.execute(
        "INSERT INTO reminders (id, user_id, debrief_id, kind, due_at)"
        " VALUES (9, 1, 1, 'no_news', 5)"
    )
    await connection.commit()

    await apply_migrations(connection)

    kept = await connection.execute_fetchall("SELECT id, debrief_id, kind, state FROM reminders")
    assert [tuple(row) for row in kept] == [(9, 1, "no_news", "pending")]
    await connection.execute(
        "INSERT INTO reminders (user_id, debrief_id, kind, due_at) VALUES (1, 1, 'deeper', 6)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        await connection.execute(
            "INSERT INTO reminders (user_id, debrief_id, kind, due_at) VALUES (1, 1, 'deeper', 7)"
        )

    rows = await connection.execute_fetchall(
        "SELECT id, phase, current_key FROM debriefs ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        (1, None, None),
        (2, None, "rating"),
    ]


async def test_migration_9_folds_the_interviewer_answers_into_one_line_per_debrief(
    connection: aiosqlite.Connection,
) -> None:
    await apply_migrations(connection, MIGRATIONS[:8])
    await connection.execute("INSERT INTO users (user_id) VALUES (1)")
    await connection.executescript(
        """
        INSERT INTO debriefs (id, user_id, status) VALUES (1, 1, 'done');
        INSERT INTO debriefs (id, user_id, status, current_key, asked_key, quick_key)
            VALUES (2, 1, 'paused', 'interviewer_role', 'interviewer_role', 'interviewer_name');
        INSERT INTO debriefs (id, user_id, status) VALUES (3, 1, 'done');
        INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id) VALUES
            (1, 'company', 0, 'Acme', 10),
            (1, 'interviewer_name', 0, 'Mme Claire Martin', 11),
            (1, 'interviewer_role', 0, 'DRH', 12),
            (1, 'interviewer_role', 1, 'recrute pour la tech', 13),
            (1, 'interviewer_email', 0, 'claire@acme.fr', 14),
            (2, 'interviewer_name', 0, 'Julien', 20),
            (3, 'interviewer_email', 0, 'rh@acme.fr', 30);
        """
    )
    await connection.commit()

    assert await apply_migrations(connection, MIGRATIONS[:9]) == [9]
    async with connection.execute(
        "SELECT debrief_id, question_key, text FROM answer_parts ORDER BY debrief_id, question_key"
    ) as cursor:
        parts = [tuple(row) async for row in cursor]
    assert parts == [
        (1, "company", "Acme"),
        (1, "interviewers", "Mme Claire Martin, DRH recrute pour la tech, claire@acme.fr"),
        (2, "interviewers", "Julien"),
        (3, "interviewers", "rh@acme.fr"),
    ]
    async with connection.execute(
        "SELECT current_key, asked_key, quick_key FROM debriefs WHERE id = 2"
    ) as cursor:
        assert tuple(await cursor.fetchone() or ()) == ("interviewers", "interviewers", None)
