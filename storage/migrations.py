"""Numbered schema migrations, applied in order and recorded in the database."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

__all__ = ["MIGRATIONS", "Migration", "applied_versions", "apply_migrations"]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: its number, a short name and the SQL it runs."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "users_debriefs_answers",
        """
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            language TEXT CHECK (language IN ('en', 'fr')),
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE debriefs (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'done')),
            current_key TEXT,
            asked_key TEXT,
            asked_message_id INTEGER,
            append_key TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            finished_at TEXT
        );
        CREATE UNIQUE INDEX debriefs_one_open_per_user ON debriefs (user_id)
            WHERE status != 'done';
        CREATE INDEX debriefs_by_user ON debriefs (user_id, created_at);
        CREATE TABLE answer_parts (
            debrief_id INTEGER NOT NULL REFERENCES debriefs (id) ON DELETE CASCADE,
            question_key TEXT NOT NULL,
            part INTEGER NOT NULL,
            text TEXT NOT NULL,
            message_id INTEGER,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            PRIMARY KEY (debrief_id, question_key, part)
        ) WITHOUT ROWID;
        CREATE INDEX answer_parts_by_message ON answer_parts (debrief_id, message_id);
        CREATE TABLE group_notices (
            chat_id INTEGER PRIMARY KEY
        );
        """,
    ),
    Migration(
        2,
        "outcomes_reminders_user_settings",
        """
        ALTER TABLE users ADD COLUMN telegram_language TEXT;
        ALTER TABLE users ADD COLUMN name TEXT;
        ALTER TABLE users ADD COLUMN timezone TEXT;
        ALTER TABLE users ADD COLUMN awaiting TEXT;
        ALTER TABLE debriefs ADD COLUMN outcome TEXT NOT NULL DEFAULT 'waiting'
            CHECK (outcome IN ('waiting', 'next_round', 'offer', 'rejected', 'withdrawn'));
        ALTER TABLE debriefs ADD COLUMN next_round_date TEXT;
        ALTER TABLE debriefs ADD COLUMN thank_you_sent INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            debrief_id INTEGER NOT NULL REFERENCES debriefs (id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('thank_you', 'questions', 'no_news', 'feedback', 'next_round')),
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'done', 'cancelled')),
            attempt INTEGER NOT NULL DEFAULT 1,
            sent_at INTEGER,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE UNIQUE INDEX reminders_one_pending_per_kind ON reminders (debrief_id, kind)
            WHERE state = 'pending';
        CREATE INDEX reminders_due ON reminders (due_at) WHERE state = 'pending';
        CREATE INDEX reminders_by_user ON reminders (user_id, state);
        """,
    ),
    Migration(
        3,
        "rounds_of_one_application",
        """
        ALTER TABLE debriefs ADD COLUMN previous_id INTEGER
            REFERENCES debriefs (id) ON DELETE SET NULL;
        CREATE INDEX debriefs_by_previous ON debriefs (previous_id)
            WHERE previous_id IS NOT NULL;
        """,
    ),
    Migration(
        4,
        "reminders_by_debrief",
        # Deleting a debrief (or a user, and with them their debriefs) makes SQLite look up the
        # debrief's reminders for ON DELETE CASCADE; the pending-only index cannot serve that
        # lookup, which then scanned every reminder: 50 ms per debrief, 2.6 s per user with
        # 50 debriefs, at 100,000 debriefs (docs/benchmarks.md).
        """
        CREATE INDEX reminders_by_debrief ON reminders (debrief_id);
        """,
    ),
    Migration(
        5,
        "maintenance",
        # Upkeep that a deletion leaves for later (see Database.erase), recorded with the
        # deletion itself so a restart cannot forget it.
        """
        CREATE TABLE maintenance (
            task TEXT PRIMARY KEY CHECK (task IN ('compact')),
            due_since TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        """,
    ),
    Migration(
        6,
        "inbox",
        # Updates Telegram handed over but the bot has not handled yet (bot/inbox.py): a
        # crash would otherwise lose them, since the offset already moved past them.
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            payload TEXT NOT NULL,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX inbox_by_user ON inbox (user_id);
        """,
    ),
    Migration(
        7,
        "outcome_at",
        # When the application's outcome last changed from "waiting": how long the company took
        # to answer (/insights). Unknown (NULL) for outcomes set before this migration.
        """
        ALTER TABLE debriefs ADD COLUMN outcome_at TEXT;
        """,
    ),
    Migration(
        8,
        "express",
        # asked_at: Telegram's date of the question message, to tell a split dictation from an
        # answer (quick_key: the answer that came within seconds). express_at: when the car-park
        # part ended (draft, reminders); debriefs finished before had everything at their end.
        """
        ALTER TABLE debriefs ADD COLUMN asked_at INTEGER;
        ALTER TABLE debriefs ADD COLUMN quick_key TEXT;
        ALTER TABLE debriefs ADD COLUMN express_at TEXT;
        UPDATE debriefs SET express_at = finished_at WHERE status = 'done';
        """,
    ),
    Migration(
        9,
        "interviewers_one_line_each",
        # The checklist asks for the people met in one answer, a line each ("name, role, email"),
        # where it asked for one name, one role and one address. Older answers become that line;
        # a debrief paused on one of the old questions resumes on the new one.
        """
        CREATE TEMP TABLE old_interviewer AS
            SELECT debrief_id,
                (SELECT group_concat(text, ' ') FROM answer_parts p
                    WHERE p.debrief_id = d.debrief_id
                    AND p.question_key = 'interviewer_name') AS name,
                (SELECT group_concat(text, ' ') FROM answer_parts p
                    WHERE p.debrief_id = d.debrief_id
                    AND p.question_key = 'interviewer_role') AS role,
                (SELECT group_concat(text, ' ') FROM answer_parts p
                    WHERE p.debrief_id = d.debrief_id
                    AND p.question_key = 'interviewer_email') AS email
            FROM (SELECT DISTINCT debrief_id FROM answer_parts WHERE question_key IN
                ('interviewer_name', 'interviewer_role', 'interviewer_email')) AS d;
        INSERT OR IGNORE INTO answer_parts (debrief_id, question_key, part, text)
            SELECT debrief_id, 'interviewers', 0,
                trim(replace(replace(
                    coalesce(name, '') || ', ' || coalesce(role, '') || ', ' || coalesce(email, ''),
                    char(13), ' '), char(10), ' '), ', ')
            FROM old_interviewer;
        DELETE FROM answer_parts
            WHERE question_key IN ('interviewer_name', 'interviewer_role', 'interviewer_email');
        DROP TABLE old_interviewer;
        UPDATE debriefs SET current_key = 'interviewers'
            WHERE current_key IN ('interviewer_name', 'interviewer_role', 'interviewer_email');
        UPDATE debriefs SET asked_key = 'interviewers'
            WHERE asked_key IN ('interviewer_name', 'interviewer_role', 'interviewer_email');
        UPDATE debriefs SET append_key = NULL
            WHERE append_key IN ('interviewer_name', 'interviewer_role', 'interviewer_email');
        UPDATE debriefs SET quick_key = NULL
            WHERE quick_key IN ('interviewer_name', 'interviewer_role', 'interviewer_email');
        """,
    ),
    Migration(
        10,
        "express_phase",
        # phase: 'express' while the car-park questions run, 'deeper' after the draft; NULL for
        # debriefs begun before, which keep asking in section order and end as they always did.
        # Reminders gain the 'deeper' kind: SQLite cannot change a CHECK, so the table is copied
        # (ids kept).
        """
        ALTER TABLE debriefs ADD COLUMN phase TEXT CHECK (phase IN ('express', 'deeper'));
        CREATE TABLE reminders_new (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            debrief_id INTEGER NOT NULL REFERENCES debriefs (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN
                ('thank_you', 'questions', 'no_news', 'feedback', 'next_round', 'deeper')),
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'done', 'cancelled')),
            attempt INTEGER NOT NULL DEFAULT 1,
            sent_at INTEGER,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        INSERT INTO reminders_new SELECT * FROM reminders;
        DROP TABLE reminders;
        ALTER TABLE reminders_new RENAME TO reminders;
        CREATE UNIQUE INDEX reminders_one_pending_per_kind ON reminders (debrief_id, kind)
            WHERE state = 'pending';
        CREATE INDEX reminders_due ON reminders (due_at) WHERE state = 'pending';
        CREATE INDEX reminders_by_user ON reminders (user_id, state);
        CREATE INDEX reminders_by_debrief ON reminders (debrief_id);
        """,
    ),
    Migration(
        11,
        "heard_message_id",
        # The transcript of a voice note ("I heard: ...") whose Retype button is still on: it
        # goes once a later answer is recorded, so the chat keeps no stale keyboard.
        """
        ALTER TABLE debriefs ADD COLUMN heard_message_id INTEGER;
        """,
    ),
    Migration(
        12,
        "kept_from_earlier_round",
        # kept: the question keys (space-separated) whose answers a later round carried over
        # from the round before and does not ask again.
        """
        ALTER TABLE debriefs ADD COLUMN kept TEXT NOT NULL DEFAULT '';
        """,
    ),
    Migration(
        13,
        "offer_message_id",
        # The offer to go deeper (Now / Tonight / Later) still on screen: it goes once the deeper
        # part is reached another way (/history, its reminder).
        """
        ALTER TABLE debriefs ADD COLUMN offer_message_id INTEGER;
        """,
    ),
    Migration(
        14,
        "sent_buttons",
        # The draft messages still showing Sent (message ids, space-separated): once the thank-you
        # is marked sent from one of them, or from its reminder, the others lose their buttons.
        """
        ALTER TABLE debriefs ADD COLUMN sent_buttons TEXT NOT NULL DEFAULT '';
        """,
    ),
)


async def applied_versions(db: aiosqlite.Connection) -> list[int]:
    """Return the versions already applied, in order."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    )
    async with db.execute("SELECT version FROM schema_migrations ORDER BY version") as cursor:
        return [row[0] async for row in cursor]


async def apply_migrations(
    db: aiosqlite.Connection, migrations: tuple[Migration, ...] = MIGRATIONS
) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; return their versions."""
    done = set(await applied_versions(db))
    await db.commit()
    applied = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in done:
            continue
        # executescript() commits first; BEGIN makes the step and its record one transaction.
        await db.executescript(
            f"BEGIN;\n{migration.sql}\n"
            f"INSERT INTO schema_migrations (version, name) "
            f"VALUES ({migration.version:d}, '{migration.name}');\nCOMMIT;"
        )
        applied.append(migration.version)
    return applied
