"""Debriefs and their answers. Every statement is scoped by the Telegram user id."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime

import aiosqlite

from conversations.model import AnswerPart, Debrief, NewReminder, Outcome, Phase, Status
from storage.database import Database
from storage.reminders import schedule_statement

__all__ = ["DebriefRepository", "NotFoundError"]

# Every statement on answer parts re-checks that the debrief belongs to the user.
_OWNED = "EXISTS (SELECT 1 FROM debriefs WHERE id = ? AND user_id = ?)"
# The rounds from one debrief back to the first: UNION (not UNION ALL) ends even on a loop.
_CHAIN = (
    "WITH RECURSIVE chain (id) AS (SELECT ? UNION SELECT d.previous_id FROM debriefs d"
    " JOIN chain ON d.id = chain.id WHERE d.previous_id IS NOT NULL) SELECT id FROM chain"
)
_COLUMNS = (
    "d.id, d.user_id, d.status, d.current_key, d.asked_key, d.asked_message_id, d.append_key,"
    " d.outcome, d.next_round_date, d.thank_you_sent, d.created_at, d.finished_at, d.previous_id,"
    " d.outcome_at, d.asked_at, d.quick_key, d.express_at, d.phase, d.heard_message_id,"
    " d.kept, d.offer_message_id, d.sent_buttons"
)

# Columns naming a message whose keyboard goes once it can no longer act.
_HEARD = "heard_message_id"
_OFFER = "offer_message_id"
_KEYBOARDS = frozenset({_HEARD, _OFFER})
# Drafts sent more often than this (/history's Email draft) keep their Sent when one is tapped.
MAX_SENT_BUTTONS = 20


def _moment(stamp: str | None) -> datetime | None:
    """Read a timestamp as SQLite wrote it (UTC, ISO 8601); None when there is none or garbage."""
    try:
        moment = datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _day(stamp: str | None) -> date | None:
    """Read a stored ISO date; None when there is none or garbage."""
    try:
        return date.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def _debrief(rows: Sequence[aiosqlite.Row]) -> Debrief:
    """Build a debrief from its rows of the answer-parts join (one row per part)."""
    first = rows[0]
    answers: dict[str, list[str]] = {}
    for row in rows:
        if row["question_key"] is not None:
            answers.setdefault(row["question_key"], []).append(row["text"])
    return Debrief(
        id=first["id"],
        user_id=first["user_id"],
        status=Status(first["status"]),
        current_key=first["current_key"],
        asked_key=first["asked_key"],
        asked_message_id=first["asked_message_id"],
        append_key=first["append_key"],
        answers={key: "\n".join(texts) for key, texts in answers.items()},
        message_ids=frozenset(
            row["part_message_id"] for row in rows if row["part_message_id"] is not None
        ),
        outcome=Outcome(first["outcome"]),
        next_round_date=_day(first["next_round_date"]),
        thank_you_sent=bool(first["thank_you_sent"]),
        created_at=_moment(first["created_at"]),
        finished_at=_moment(first["finished_at"]),
        previous_id=first["previous_id"],
        outcome_at=_moment(first["outcome_at"]),
        asked_at=first["asked_at"],
        quick_key=first["quick_key"],
        express_at=_moment(first["express_at"]),
        phase=None if first["phase"] is None else Phase(first["phase"]),
        heard_message_id=first["heard_message_id"],
        kept=frozenset(first["kept"].split()),
        offer_message_id=first["offer_message_id"],
        sent_buttons=tuple(int(i) for i in first["sent_buttons"].split() if i.isdigit()),
    )


def _replacing(
    user_id: int, debrief_id: int, key: str, text: str, message_id: int | None
) -> tuple[tuple[str, tuple[object, ...]], ...]:
    """Return the statements that make `text` the whole answer to `key`."""
    owner = (debrief_id, user_id)
    return (
        (
            f"DELETE FROM answer_parts WHERE debrief_id = ? AND question_key = ? AND {_OWNED}",
            (debrief_id, key, *owner),
        ),
        (
            "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id)"
            f" SELECT ?, ?, 0, ?, ? WHERE {_OWNED}",
            (debrief_id, key, text, message_id, *owner),
        ),
    )


class NotFoundError(LookupError):
    """The debrief does not exist, or belongs to someone else."""


class DebriefRepository:
    """Reads and writes debriefs; a user only ever reaches their own."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def _fetch_all(
        self, condition: str, parameters: tuple[object, ...], *, keys: Sequence[str] = ()
    ) -> list[Debrief]:
        """Load debriefs and their answers (only to `keys`, if given) in one query, newest first."""
        only = f" AND p.question_key IN ({', '.join('?' * len(keys))})" if keys else ""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS}, p.question_key, p.text, p.message_id AS part_message_id"
            f" FROM debriefs d LEFT JOIN answer_parts p ON p.debrief_id = d.id{only}"
            f" WHERE {condition} ORDER BY d.created_at DESC, d.id DESC, p.question_key, p.part",
            (*keys, *parameters),
        )
        grouped: dict[int, list[aiosqlite.Row]] = {}
        for row in rows:
            grouped.setdefault(row["id"], []).append(row)
        return [_debrief(group) for group in grouped.values()]

    async def _fetch(self, condition: str, parameters: tuple[object, ...]) -> Debrief | None:
        """Load one debrief and all its answer parts in a single query."""
        found = await self._fetch_all(condition, parameters)
        return found[0] if found else None

    async def open_for(self, *, user_id: int) -> Debrief | None:
        """Return the user's unfinished debrief (active or paused), if any."""
        return await self._fetch("d.user_id = ? AND d.status != 'done'", (user_id,))

    async def latest_for(self, *, user_id: int) -> Debrief | None:
        """Return the user's most recently started debrief, finished or not."""
        return await self._fetch(
            "d.id = (SELECT max(id) FROM debriefs WHERE user_id = ?) AND d.user_id = ?",
            (user_id, user_id),
        )

    async def all_for(self, *, user_id: int) -> list[Debrief]:
        """Return every debrief of the user with all its answers, newest first."""
        return await self._fetch_all("d.user_id = ?", (user_id,))

    async def count_for(self, *, user_id: int) -> int:
        """Return how many debriefs the user has."""
        row = await self._db.fetch_one(
            "SELECT count(*) FROM debriefs WHERE user_id = ?", (user_id,)
        )
        return int(row[0]) if row is not None else 0

    async def headlines(self, *, user_id: int, keys: Sequence[str]) -> list[Debrief]:
        """Return every debrief of the user with only the answers to `keys`, newest first."""
        return await self._fetch_all("d.user_id = ?", (user_id,), keys=keys)

    async def rounds(self, *, user_id: int, debrief_id: int) -> list[Debrief]:
        """Return a debrief and the earlier rounds it is linked to, oldest first."""
        rows = await self._db.fetch_all(
            "WITH RECURSIVE chain (id, depth) AS ("
            " SELECT id, 0 FROM debriefs WHERE id = ? AND user_id = ?"
            " UNION ALL SELECT d.previous_id, chain.depth + 1 FROM debriefs d"
            "  JOIN chain ON d.id = chain.id WHERE d.previous_id IS NOT NULL AND depth < 100"
            # Each round once, even if the links ever formed a loop.
            ") SELECT id FROM chain GROUP BY id ORDER BY min(depth) DESC",
            (debrief_id, user_id),
        )
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        found = await self._fetch_all(f"d.user_id = ? AND d.id IN ({marks})", (user_id, *ids))
        by_id = {debrief.id: debrief for debrief in found}
        return [by_id[i] for i in ids if i in by_id]

    async def answer_part(self, *, user_id: int, message_id: int) -> AnswerPart | None:
        """Find the answer part a Telegram message carried: (debrief id, question key, part)."""
        row = await self._db.fetch_one(
            "SELECT p.debrief_id, p.question_key, p.part FROM answer_parts p"
            " JOIN debriefs d ON d.id = p.debrief_id"
            " WHERE d.user_id = ? AND p.message_id = ? ORDER BY d.id DESC LIMIT 1",
            (user_id, message_id),
        )
        if row is None:
            return None
        return AnswerPart(row["debrief_id"], row["question_key"], row["part"])

    async def get(self, *, user_id: int, debrief_id: int) -> Debrief | None:
        """Return one of the user's debriefs."""
        return await self._fetch("d.id = ? AND d.user_id = ?", (debrief_id, user_id))

    async def create(self, *, user_id: int, first_key: str) -> Debrief:
        """Start a new active debrief at the first question."""
        _, created = await self._db.write(
            ("INSERT INTO users (user_id) VALUES (?) ON CONFLICT (user_id) DO NOTHING", (user_id,)),
            (
                "INSERT INTO debriefs (user_id, current_key, phase) VALUES (?, ?, 'express')",
                (user_id, first_key),
            ),
        )
        assert created.lastrowid is not None
        debrief = await self.get(user_id=user_id, debrief_id=created.lastrowid)
        assert debrief is not None
        return debrief

    async def _update(
        self,
        *,
        user_id: int,
        debrief_id: int,
        assignments: str,
        values: tuple[object, ...],
        then: tuple[tuple[str, tuple[object, ...]], ...] = (),
    ) -> None:
        """Update a debrief the user owns, plus guarded statements; NotFoundError otherwise."""
        counts = await self._db.write(
            (
                f"UPDATE debriefs SET {assignments},"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                " WHERE id = ? AND user_id = ?",
                (*values, debrief_id, user_id),
            ),
            *then,
        )
        if counts[0].rowcount != 1:
            raise NotFoundError(debrief_id)

    async def save_answer(
        self,
        *,
        user_id: int,
        debrief_id: int,
        key: str,
        text: str,
        message_id: int | None,
        next_key: str | None,
        quick: bool = False,
    ) -> None:
        """Replace the answer to a question and move on to next_key, in one transaction.

        `quick`: the answer came within seconds of its question, so it may be the rest of the
        answer before; the next question offers to move it there.
        """
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="current_key = ?, append_key = NULL, quick_key = ?",
            values=(next_key, key if quick else None),
            then=_replacing(user_id, debrief_id, key, text, message_id),
        )

    async def move_answer_back(
        self, *, user_id: int, debrief_id: int, key: str, to_key: str
    ) -> None:
        """Append the answer to `key` to the answer to `to_key`, and make `key` current again."""
        owner = (debrief_id, user_id)
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="current_key = ?, append_key = NULL, quick_key = NULL",
            values=(key,),
            then=(
                (
                    "UPDATE answer_parts SET question_key = ?, part = part + 1 + (SELECT"
                    " coalesce(max(p.part), -1) FROM answer_parts p WHERE p.debrief_id = ?"
                    " AND p.question_key = ?)"
                    f" WHERE debrief_id = ? AND question_key = ? AND {_OWNED}",
                    (to_key, debrief_id, to_key, debrief_id, key, *owner),
                ),
            ),
        )

    async def replace_answer(
        self, *, user_id: int, debrief_id: int, key: str, text: str, message_id: int | None
    ) -> None:
        """Replace the whole answer to a question without moving the debrief's cursor."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="append_key = append_key",
            values=(),
            then=_replacing(user_id, debrief_id, key, text, message_id),
        )

    async def edit_part(
        self, *, user_id: int, debrief_id: int, key: str, part: int, text: str
    ) -> None:
        """Replace the text of one part of an answer (the user edited the message)."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="append_key = append_key",
            values=(),
            then=(
                (
                    "UPDATE answer_parts SET text = ? WHERE debrief_id = ? AND question_key = ?"
                    f" AND part = ? AND {_OWNED}",
                    (text, debrief_id, key, part, debrief_id, user_id),
                ),
            ),
        )

    async def link_round(self, *, user_id: int, debrief_id: int, previous_id: int | None) -> bool:
        """Make a debrief the next round after another of the user's debriefs (None: unlink).

        Return whether the link now stands; a link to someone else's debrief, or one that would
        close a loop of rounds, changes nothing.
        """
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="previous_id = CASE WHEN ? IS NULL OR ("
            " EXISTS (SELECT 1 FROM debriefs p WHERE p.id = ? AND p.user_id = ?)"
            f" AND debriefs.id NOT IN ({_CHAIN}))"
            " THEN ? ELSE previous_id END",
            values=(previous_id, previous_id, user_id, previous_id, previous_id),
        )
        linked = await self.get(user_id=user_id, debrief_id=debrief_id)
        return linked is not None and linked.previous_id == previous_id

    async def carry(
        self,
        *,
        user_id: int,
        debrief_id: int,
        answers: Mapping[str, str],
        kept: Collection[str],
        current_key: str | None,
    ) -> None:
        """Store answers taken from an earlier round, mark `kept` as not to be asked, move on.

        Only questions still unanswered are filled in: what this round was told comes first.
        """
        owner = (debrief_id, user_id)
        fills = tuple(
            (
                "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id)"
                f" SELECT ?, ?, 0, ?, NULL WHERE {_OWNED} AND NOT EXISTS (SELECT 1 FROM"
                " answer_parts p WHERE p.debrief_id = ? AND p.question_key = ?)",
                (debrief_id, key, text, *owner, debrief_id, key),
            )
            for key, text in answers.items()
        )
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="kept = ?, current_key = ?, append_key = NULL, quick_key = NULL",
            values=(" ".join(sorted(kept)), current_key),
            then=fills,
        )

    async def add_to_answer(
        self, *, user_id: int, debrief_id: int, key: str, text: str, message_id: int | None
    ) -> None:
        """Append a part to an answer (a dictation that came in several messages)."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="append_key = NULL",
            values=(),
            then=(
                (
                    "INSERT INTO answer_parts (debrief_id, question_key, part, text, message_id)"
                    " SELECT ?, ?, (SELECT coalesce(max(part), -1) + 1 FROM answer_parts"
                    f"  WHERE debrief_id = ? AND question_key = ?), ?, ? WHERE {_OWNED}",
                    (debrief_id, key, debrief_id, key, text, message_id, debrief_id, user_id),
                ),
            ),
        )

    async def move_to(self, *, user_id: int, debrief_id: int, key: str | None) -> None:
        """Make another question the current one (skip, back, keep)."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="current_key = ?, append_key = NULL, quick_key = NULL",
            values=(key,),
        )

    async def await_addition(self, *, user_id: int, debrief_id: int, key: str) -> None:
        """Make the user's next text an addition to the answer to `key`."""
        await self._update(
            user_id=user_id, debrief_id=debrief_id, assignments="append_key = ?", values=(key,)
        )

    async def mark_asked(
        self,
        *,
        user_id: int,
        debrief_id: int,
        key: str,
        message_id: int,
        asked_at: int | None = None,
    ) -> None:
        """Record that the question `key` reached the user as message `message_id` at `asked_at`."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="asked_key = ?, asked_message_id = ?, asked_at = ?",
            values=(key, message_id, asked_at),
        )

    async def hear(self, *, user_id: int, debrief_id: int, message_id: int) -> int | None:
        """Record the transcript message whose Retype button is now on; return the one before."""
        return await self._keep_keyboard(_HEARD, user_id, debrief_id, message_id)

    async def forget_heard(self, *, user_id: int, debrief_id: int, message_id: int) -> None:
        """Record that a transcript's Retype button is off (unless a newer one is on by now)."""
        await self._forget_keyboard(_HEARD, user_id, debrief_id, message_id)

    async def offer_deeper(self, *, user_id: int, debrief_id: int, message_id: int) -> int | None:
        """Record the message now offering to go deeper; return the one before, if any."""
        return await self._keep_keyboard(_OFFER, user_id, debrief_id, message_id)

    async def forget_offer(self, *, user_id: int, debrief_id: int, message_id: int) -> None:
        """Record that an offer to go deeper lost its buttons (unless a newer one is on)."""
        await self._forget_keyboard(_OFFER, user_id, debrief_id, message_id)

    async def show_sent(self, *, user_id: int, debrief_id: int, message_ids: Sequence[int]) -> None:
        """Record the draft messages that show Sent (the last MAX_SENT_BUTTONS are kept)."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="sent_buttons = ?",
            values=(" ".join(str(i) for i in message_ids[-MAX_SENT_BUTTONS:]),),
        )

    async def _keep_keyboard(
        self, column: str, user_id: int, debrief_id: int, message_id: int
    ) -> int | None:
        """Store the message whose keyboard `column` tracks; return the one it replaces."""
        assert column in _KEYBOARDS
        row = await self._db.fetch_one(
            f"SELECT {column} FROM debriefs WHERE id = ? AND user_id = ?", (debrief_id, user_id)
        )
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments=f"{column} = ?",
            values=(message_id,),
        )
        return None if row is None else row[0]

    async def _forget_keyboard(
        self, column: str, user_id: int, debrief_id: int, message_id: int
    ) -> None:
        """Clear `column` if it still names `message_id` (a task may run after a newer one)."""
        assert column in _KEYBOARDS
        await self._db.write(
            (
                f"UPDATE debriefs SET {column} = NULL"
                f" WHERE id = ? AND user_id = ? AND {column} = ?",
                (debrief_id, user_id, message_id),
            )
        )

    async def mark_unsent(self, *, user_id: int, debrief_id: int) -> None:
        """Record that sending the current question failed: no question is out."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="asked_key = NULL, asked_message_id = NULL",
            values=(),
        )

    async def set_status(self, *, user_id: int, debrief_id: int, status: Status) -> None:
        """Pause, resume or finish a debrief."""
        finished = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" if status == "done" else "NULL"
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments=f"status = ?, append_key = NULL, finished_at = {finished}",
            values=(status,),
        )

    async def finish(
        self, *, user_id: int, debrief_id: int, reminders: Sequence[NewReminder]
    ) -> None:
        """Close a debrief and schedule its first follow-up reminders, in one transaction."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="status = 'done', append_key = NULL,"
            " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            values=(),
            then=tuple(
                schedule_statement(user_id=user_id, debrief_id=debrief_id, reminder=reminder)
                for reminder in reminders
            ),
        )

    async def end_express(
        self,
        *,
        user_id: int,
        debrief_id: int,
        next_key: str | None,
        reminders: Sequence[NewReminder],
    ) -> None:
        """Close the car-park part: the debrief is done (reminders planned), the deeper part waits.

        `next_key` is the first deeper question; None when nothing is left to ask.
        """
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            # The last question was closed with its answer: nothing is left to close.
            assignments="status = 'done', phase = 'deeper', current_key = ?, append_key = NULL,"
            " express_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
            " quick_key = NULL, asked_key = NULL, asked_message_id = NULL,"
            " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            values=(next_key,),
            then=tuple(
                schedule_statement(user_id=user_id, debrief_id=debrief_id, reminder=reminder)
                for reminder in reminders
            ),
        )

    async def resume_deeper(self, *, user_id: int, debrief_id: int) -> None:
        """Open a debrief's deeper part again (its follow-ups keep their dates)."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="status = 'active', append_key = NULL",
            values=(),
        )

    async def end_deeper(self, *, user_id: int, debrief_id: int) -> None:
        """Close the deeper part: every question is behind; its reminder is dropped."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="status = 'done', current_key = NULL, append_key = NULL, quick_key = NULL",
            values=(),
            then=(
                (
                    "UPDATE reminders SET state = 'cancelled' WHERE debrief_id = ? AND user_id = ?"
                    " AND kind = 'deeper' AND state IN ('pending', 'sent')",
                    (debrief_id, user_id),
                ),
            ),
        )

    async def set_outcome(
        self,
        *,
        user_id: int,
        debrief_id: int,
        outcome: Outcome,
        next_round_date: date | None = None,
    ) -> None:
        """Record how the application stands (and the next round's date, when known)."""
        # The moment of the news is kept when the same outcome is set again (a date added).
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="outcome_at = CASE WHEN ? = 'waiting' THEN NULL"
            " WHEN outcome = ? AND outcome_at IS NOT NULL THEN outcome_at"
            " ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,"
            " outcome = ?, next_round_date = ?",
            values=(
                outcome,
                outcome,
                outcome,
                next_round_date.isoformat() if next_round_date else None,
            ),
        )

    async def mark_thank_you_sent(self, *, user_id: int, debrief_id: int) -> None:
        """Record that the thank-you email went out, and drop its reminder."""
        await self._update(
            user_id=user_id,
            debrief_id=debrief_id,
            assignments="thank_you_sent = 1, sent_buttons = ''",
            values=(),
            then=(
                (
                    "UPDATE reminders SET state = 'done' WHERE debrief_id = ? AND user_id = ?"
                    " AND kind = 'thank_you' AND state IN ('pending', 'sent')",
                    (debrief_id, user_id),
                ),
            ),
        )

    async def delete(self, *, user_id: int, debrief_id: int) -> bool:
        """Erase a debrief, its answers and reminders; return whether there was one.

        A later round that followed it is linked to the round before it instead, in the same
        transaction.
        """
        owner = (debrief_id, user_id)
        _, deleted = await self._db.erase(
            (
                "UPDATE debriefs SET previous_id ="
                " (SELECT previous_id FROM debriefs WHERE id = ? AND user_id = ?)"
                f" WHERE previous_id = ? AND user_id = ? AND {_OWNED}",
                (*owner, *owner, *owner),
            ),
            ("DELETE FROM debriefs WHERE id = ? AND user_id = ?", owner),
        )
        return deleted.rowcount == 1
