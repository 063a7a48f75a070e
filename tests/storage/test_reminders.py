"""Follow-up reminders in a real SQLite file: one pending per kind, each user reaching theirs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Literal

import pytest

from conversations.model import NewReminder, Outcome, Reminder, ReminderKind, ReminderState
from storage.database import Database, Statement, Written
from storage.debriefs import DebriefRepository, NotFoundError
from storage.reminders import ReminderRepository

ALICE = 1001
BOB = 2002
# Unix seconds: Thursday 26 November 2026, 14:00 UTC.
T0 = 1_795_701_600


@pytest.fixture
def debriefs(database: Database) -> DebriefRepository:
    return DebriefRepository(database)


@pytest.fixture
def reminders(database: Database) -> ReminderRepository:
    return ReminderRepository(database)


async def _count(database: Database, sql: str, parameters: tuple[object, ...] = ()) -> int:
    row = await database.fetch_one(sql, parameters)
    assert row is not None
    count: int = row[0]
    return count


async def _finished_debrief(debriefs: DebriefRepository, user_id: int) -> int:
    """Create a debrief for the user and finish it without reminders; return its id."""
    debrief = await debriefs.create(user_id=user_id, first_key="company")
    await debriefs.finish(user_id=user_id, debrief_id=debrief.id, reminders=())
    return debrief.id


async def _only_pending(
    reminders: ReminderRepository, user_id: int, kind: ReminderKind = ReminderKind.NO_NEWS
) -> Reminder:
    pending = [r for r in await reminders.pending_for(user_id=user_id) if r.kind == kind]
    assert len(pending) == 1
    return pending[0]


async def _reload(reminders: ReminderRepository, reminder: Reminder) -> Reminder:
    loaded = await reminders.get(user_id=reminder.user_id, reminder_id=reminder.id)
    assert loaded is not None
    return loaded


def _count_commits(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the transactions (each write is one) on the database from now on, in a list."""
    commits = [0]
    write = database.write

    async def counting_write(*statements: Statement) -> list[Written]:
        commits[0] += 1
        return await write(*statements)

    monkeypatch.setattr(database, "write", counting_write)
    return commits


async def _states(database: Database, debrief_id: int) -> list[tuple[str, str, int, int]]:
    """Return (kind, state, due_at, attempt) of every reminder of a debrief, in creation order."""
    rows = await database.fetch_all(
        "SELECT kind, state, due_at, attempt FROM reminders WHERE debrief_id = ? ORDER BY id",
        (debrief_id,),
    )
    return [(row["kind"], row["state"], row["due_at"], row["attempt"]) for row in rows]


# schedule


async def test_schedule_creates_one_pending_reminder_per_kind(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)

    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[
            NewReminder(ReminderKind.THANK_YOU, T0 + 10),
            NewReminder(ReminderKind.NO_NEWS, T0 + 20, attempt=2),
        ],
    )

    pending = await reminders.pending_for(user_id=ALICE)
    assert [(r.kind, r.due_at, r.state, r.attempt, r.debrief_id, r.user_id) for r in pending] == [
        ("thank_you", T0 + 10, "pending", 1, debrief_id, ALICE),
        ("no_news", T0 + 20, "pending", 2, debrief_id, ALICE),
    ]


async def test_scheduling_a_kind_again_moves_the_pending_reminder_instead_of_adding_one(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    first = await _only_pending(reminders, ALICE)

    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.NO_NEWS, T0 + 99, 2)],
    )

    moved = await _only_pending(reminders, ALICE)
    assert moved == Reminder(
        first.id, ALICE, debrief_id, ReminderKind.NO_NEWS, T0 + 99, ReminderState.PENDING, 2
    )
    assert await _count(database, "SELECT count(*) FROM reminders") == 1


async def test_the_same_kind_on_two_debriefs_gives_two_reminders(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    first = await _finished_debrief(debriefs, ALICE)
    second = await _finished_debrief(debriefs, ALICE)

    for debrief_id in (first, second):
        await reminders.schedule(
            user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
        )

    assert [r.debrief_id for r in await reminders.pending_for(user_id=ALICE)] == [first, second]


async def test_scheduling_after_a_delivery_adds_a_new_pending_reminder_beside_the_sent_one(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NEXT_ROUND, T0)]
    )
    await reminders.mark_sent(
        reminder=await _only_pending(reminders, ALICE, ReminderKind.NEXT_ROUND), sent_at=T0
    )

    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.NEXT_ROUND, T0 + 50)],
    )

    assert await _states(database, debrief_id) == [
        ("next_round", "sent", T0, 1),
        ("next_round", "pending", T0 + 50, 1),
    ]


async def test_a_user_cannot_schedule_on_another_users_debrief(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await debriefs.create(user_id=BOB, first_key="company")

    await reminders.schedule(
        user_id=BOB,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)],
    )

    assert await _count(database, "SELECT count(*) FROM reminders") == 0


async def test_another_user_scheduling_does_not_move_the_owners_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    before = await _only_pending(reminders, ALICE)

    await reminders.schedule(
        user_id=BOB, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0 + 999)]
    )

    assert await _only_pending(reminders, ALICE) == before


async def test_scheduling_on_a_debrief_that_does_not_exist_inserts_nothing(
    reminders: ReminderRepository, database: Database
) -> None:
    await reminders.schedule(
        user_id=ALICE, debrief_id=12345, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )

    assert await _count(database, "SELECT count(*) FROM reminders") == 0


# due


async def test_due_returns_only_pending_reminders_due_by_now_oldest_first(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    alice_debrief = await _finished_debrief(debriefs, ALICE)
    bob_debrief = await _finished_debrief(debriefs, BOB)
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=alice_debrief,
        reminders=[
            NewReminder(ReminderKind.NO_NEWS, T0),
            NewReminder(ReminderKind.THANK_YOU, T0 - 100),
            NewReminder(ReminderKind.QUESTIONS, T0 + 1),  # not yet due
            NewReminder(ReminderKind.FEEDBACK, T0 - 50),  # will be sent
        ],
    )
    await reminders.schedule(
        user_id=BOB,
        debrief_id=bob_debrief,
        reminders=[NewReminder(ReminderKind.THANK_YOU, T0 - 60)],
    )
    feedback = await _only_pending(reminders, ALICE, ReminderKind.FEEDBACK)
    await reminders.mark_sent(reminder=feedback, sent_at=T0)

    due = await reminders.due(now=T0, limit=10)

    assert [(r.user_id, r.kind, r.due_at) for r in due] == [
        (ALICE, "thank_you", T0 - 100),
        (BOB, "thank_you", T0 - 60),
        (ALICE, "no_news", T0),
    ]
    assert all(r.state == "pending" for r in due)


async def test_due_is_limited_and_breaks_ties_by_id(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    ids = [await _finished_debrief(debriefs, 5000 + n) for n in range(5)]
    for n, debrief_id in enumerate(ids):
        await reminders.schedule(
            user_id=5000 + n,
            debrief_id=debrief_id,
            reminders=[NewReminder(ReminderKind.NO_NEWS, T0)],
        )

    due = await reminders.due(now=T0, limit=3)

    assert [r.debrief_id for r in due] == ids[:3]
    assert await reminders.due(now=T0 - 1, limit=10) == []


# pending_for and get


async def test_pending_for_and_get_are_scoped_by_user(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await debriefs.create(user_id=BOB, first_key="company")
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    reminder = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)

    assert await reminders.get(user_id=ALICE, reminder_id=reminder.id) == reminder
    assert await reminders.get(user_id=BOB, reminder_id=reminder.id) is None
    assert await reminders.pending_for(user_id=BOB) == []


async def test_pending_for_lists_soonest_first_and_leaves_out_closed_ones(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[
            NewReminder(ReminderKind.NO_NEWS, T0 + 30),
            NewReminder(ReminderKind.THANK_YOU, T0 + 10),
            NewReminder(ReminderKind.QUESTIONS, T0 + 20),
        ],
    )
    questions = await _only_pending(reminders, ALICE, ReminderKind.QUESTIONS)
    await reminders.close(user_id=ALICE, reminder_id=questions.id, state=ReminderState.DONE)

    assert [r.kind for r in await reminders.pending_for(user_id=ALICE)] == ["thank_you", "no_news"]
    assert (await _reload(reminders, questions)).state == "done"


async def test_get_returns_none_for_an_unknown_reminder(reminders: ReminderRepository) -> None:
    assert await reminders.get(user_id=ALICE, reminder_id=12345) is None


# postpone


async def test_postpone_makes_a_sent_reminder_pending_again_at_the_new_time(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    reminder = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)
    await reminders.mark_sent(reminder=reminder, sent_at=T0)
    assert (await _reload(reminders, reminder)).state == "sent"

    assert await reminders.postpone(user_id=ALICE, reminder_id=reminder.id, due_at=T0 + 3600)

    assert await _reload(reminders, reminder) == Reminder(
        reminder.id, ALICE, debrief_id, ReminderKind.THANK_YOU, T0 + 3600, ReminderState.PENDING, 1
    )


async def test_postpone_moves_a_pending_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    reminder = await _only_pending(reminders, ALICE)

    assert await reminders.postpone(user_id=ALICE, reminder_id=reminder.id, due_at=T0 + 60)

    assert await reminders.pending_for(user_id=ALICE) == [
        Reminder(
            reminder.id, ALICE, debrief_id, ReminderKind.NO_NEWS, T0 + 60, ReminderState.PENDING, 1
        )
    ]


async def test_postpone_cancels_another_pending_reminder_of_the_same_kind(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.NO_NEWS, T0), NewReminder(ReminderKind.THANK_YOU, T0)],
    )
    first = await _only_pending(reminders, ALICE)
    follow_up = NewReminder(ReminderKind.NO_NEWS, T0 + 7 * 86_400, attempt=2)
    await reminders.mark_sent(reminder=first, sent_at=T0, follow_up=follow_up)
    second = await _only_pending(reminders, ALICE)

    # The user snoozes the first nudge from its message: it replaces the second attempt.
    assert await reminders.postpone(user_id=ALICE, reminder_id=first.id, due_at=T0 + 172_800)

    assert await _only_pending(reminders, ALICE) == Reminder(
        first.id, ALICE, debrief_id, ReminderKind.NO_NEWS, T0 + 172_800, ReminderState.PENDING, 1
    )
    assert (await _reload(reminders, second)).state == "cancelled"
    assert (await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)).due_at == T0
    assert await _count(database, "SELECT count(*) FROM reminders") == 3


async def test_postpone_returns_false_for_another_users_reminder_and_changes_nothing(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await debriefs.create(user_id=BOB, first_key="company")
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    first = await _only_pending(reminders, ALICE)
    await reminders.mark_sent(
        reminder=first, sent_at=T0, follow_up=NewReminder(ReminderKind.NO_NEWS, T0 + 99, 2)
    )
    before = await _states(database, debrief_id)

    assert not await reminders.postpone(user_id=BOB, reminder_id=first.id, due_at=T0 + 5)

    assert await _states(database, debrief_id) == before


async def test_postpone_returns_false_for_an_unknown_reminder(
    reminders: ReminderRepository,
) -> None:
    assert not await reminders.postpone(user_id=ALICE, reminder_id=12345, due_at=T0)


async def test_postpone_does_not_reopen_a_closed_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    reminder = await _only_pending(reminders, ALICE)
    await reminders.close(user_id=ALICE, reminder_id=reminder.id, state=ReminderState.DONE)

    assert not await reminders.postpone(user_id=ALICE, reminder_id=reminder.id, due_at=T0 + 5)

    assert (await _reload(reminders, reminder)).state == "done"
    assert await reminders.pending_for(user_id=ALICE) == []


async def test_postponing_a_closed_reminder_leaves_the_pending_one_of_its_kind_alone(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NEXT_ROUND, T0)]
    )
    closed = await _only_pending(reminders, ALICE, ReminderKind.NEXT_ROUND)
    await reminders.close(user_id=ALICE, reminder_id=closed.id, state=ReminderState.DONE)
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.NEXT_ROUND, T0 + 99)],
    )
    pending = await _only_pending(reminders, ALICE, ReminderKind.NEXT_ROUND)

    # A stale button on the old message: nothing to postpone, and nothing else may change.
    assert not await reminders.postpone(user_id=ALICE, reminder_id=closed.id, due_at=T0 + 5)

    assert await _reload(reminders, pending) == pending


# close


@pytest.mark.parametrize("state", [ReminderState.DONE, ReminderState.CANCELLED])
async def test_close_ends_a_pending_or_sent_reminder(
    debriefs: DebriefRepository,
    reminders: ReminderRepository,
    state: Literal[ReminderState.DONE, ReminderState.CANCELLED],
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=debrief_id,
        reminders=[NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)],
    )
    pending = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)
    sent = await _only_pending(reminders, ALICE, ReminderKind.NO_NEWS)
    await reminders.mark_sent(reminder=sent, sent_at=T0)

    for reminder in (pending, sent):
        assert await reminders.close(user_id=ALICE, reminder_id=reminder.id, state=state)
        assert (await _reload(reminders, reminder)).state == state


async def test_close_does_not_touch_an_already_closed_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    reminder = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)
    assert await reminders.close(
        user_id=ALICE, reminder_id=reminder.id, state=ReminderState.CANCELLED
    )

    assert not await reminders.close(
        user_id=ALICE, reminder_id=reminder.id, state=ReminderState.DONE
    )

    assert (await _reload(reminders, reminder)).state == "cancelled"


async def test_close_returns_false_for_another_users_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    reminder = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)

    assert not await reminders.close(
        user_id=BOB, reminder_id=reminder.id, state=ReminderState.CANCELLED
    )

    assert (await _reload(reminders, reminder)).state == "pending"


# mark_sent


async def test_mark_sent_records_the_delivery(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )
    reminder = await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU)

    await reminders.mark_sent(reminder=reminder, sent_at=T0 + 7)

    assert (await _reload(reminders, reminder)).state == "sent"
    assert await _count(database, "SELECT sent_at FROM reminders WHERE id = ?", (reminder.id,)) == (
        T0 + 7
    )
    assert await reminders.pending_for(user_id=ALICE) == []
    assert await reminders.due(now=T0 + 10, limit=10) == []


async def test_mark_sent_schedules_the_follow_up_in_the_same_transaction(
    debriefs: DebriefRepository,
    reminders: ReminderRepository,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    reminder = await _only_pending(reminders, ALICE)
    commits = _count_commits(database, monkeypatch)

    await reminders.mark_sent(
        reminder=reminder, sent_at=T0, follow_up=NewReminder(ReminderKind.NO_NEWS, T0 + 604_800, 2)
    )

    assert commits == [1]
    assert await _states(database, debrief_id) == [
        ("no_news", "sent", T0, 1),
        ("no_news", "pending", T0 + 604_800, 2),
    ]


async def test_mark_sent_for_another_users_reminder_changes_nothing(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    reminder = await _only_pending(reminders, ALICE)
    forged = Reminder(
        reminder.id, BOB, debrief_id, ReminderKind.NO_NEWS, T0, ReminderState.PENDING, 1
    )

    await reminders.mark_sent(
        reminder=forged, sent_at=T0, follow_up=NewReminder(ReminderKind.NO_NEWS, T0 + 99, 2)
    )

    assert await _states(database, debrief_id) == [("no_news", "pending", T0, 1)]


async def test_mark_sent_schedules_no_follow_up_for_a_reminder_cancelled_during_delivery(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )
    (reminder,) = await reminders.due(now=T0, limit=10)
    # While the message is on its way, the user reports an offer: "no news" is cancelled.
    await reminders.cancel_kinds(user_id=ALICE, debrief_id=debrief_id, kinds=[ReminderKind.NO_NEWS])

    await reminders.mark_sent(
        reminder=reminder, sent_at=T0, follow_up=NewReminder(ReminderKind.NO_NEWS, T0 + 604_800, 2)
    )

    assert await reminders.pending_for(user_id=ALICE) == []


# cancel_kinds and cancel_all


async def test_cancel_kinds_cancels_only_those_pending_kinds_of_that_debrief(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    other_id = await _finished_debrief(debriefs, ALICE)
    plan = [
        NewReminder(ReminderKind.THANK_YOU, T0),
        NewReminder(ReminderKind.NO_NEWS, T0),
        NewReminder(ReminderKind.FEEDBACK, T0),
    ]
    for target in (debrief_id, other_id):
        await reminders.schedule(user_id=ALICE, debrief_id=target, reminders=plan)
    sent = next(
        r
        for r in await reminders.pending_for(user_id=ALICE)
        if r.debrief_id == debrief_id and r.kind == "feedback"
    )
    await reminders.mark_sent(reminder=sent, sent_at=T0)

    await reminders.cancel_kinds(
        user_id=ALICE, debrief_id=debrief_id, kinds=[ReminderKind.NO_NEWS, ReminderKind.FEEDBACK]
    )

    assert await _states(database, debrief_id) == [
        ("thank_you", "pending", T0, 1),
        ("no_news", "cancelled", T0, 1),
        ("feedback", "sent", T0, 1),
    ]
    assert [kind for kind, *_ in await _states(database, other_id)] == [
        "thank_you",
        "no_news",
        "feedback",
    ]
    assert {state for _, state, *_ in await _states(database, other_id)} == {"pending"}


async def test_cancel_kinds_by_another_user_changes_nothing(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )

    await reminders.cancel_kinds(user_id=BOB, debrief_id=debrief_id, kinds=[ReminderKind.NO_NEWS])

    assert await _states(database, debrief_id) == [("no_news", "pending", T0, 1)]


async def test_cancel_kinds_without_kinds_cancels_nothing(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    await reminders.schedule(
        user_id=ALICE, debrief_id=debrief_id, reminders=[NewReminder(ReminderKind.NO_NEWS, T0)]
    )

    await reminders.cancel_kinds(user_id=ALICE, debrief_id=debrief_id, kinds=[])

    assert await _states(database, debrief_id) == [("no_news", "pending", T0, 1)]


async def test_cancel_all_cancels_only_the_users_pending_reminders(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    alice_debriefs = [await _finished_debrief(debriefs, ALICE) for _ in range(2)]
    bob_debrief = await _finished_debrief(debriefs, BOB)
    plan = [NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)]
    for owner, target in (
        (ALICE, alice_debriefs[0]),
        (ALICE, alice_debriefs[1]),
        (BOB, bob_debrief),
    ):
        await reminders.schedule(user_id=owner, debrief_id=target, reminders=plan)
    sent = await reminders.pending_for(user_id=ALICE)
    await reminders.mark_sent(reminder=sent[0], sent_at=T0)

    assert await reminders.cancel_all(user_id=ALICE) == 3

    assert await reminders.pending_for(user_id=ALICE) == []
    assert (await _reload(reminders, sent[0])).state == "sent"
    assert len(await reminders.pending_for(user_id=BOB)) == 2
    assert await reminders.cancel_all(user_id=ALICE) == 0
    assert await _count(database, "SELECT count(*) FROM reminders WHERE state = 'cancelled'") == 3


# Cascades, and the debrief writes that touch reminders


async def test_deleting_a_debrief_deletes_its_reminders(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    kept_id = await _finished_debrief(debriefs, ALICE)
    plan = [NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)]
    for target in (debrief_id, kept_id):
        await reminders.schedule(user_id=ALICE, debrief_id=target, reminders=plan)
    sent = (await reminders.pending_for(user_id=ALICE))[0]
    assert sent.debrief_id == debrief_id
    await reminders.mark_sent(reminder=sent, sent_at=T0)

    assert await debriefs.delete(user_id=ALICE, debrief_id=debrief_id)

    assert await _states(database, debrief_id) == []
    assert await reminders.get(user_id=ALICE, reminder_id=sent.id) is None
    assert len(await _states(database, kept_id)) == 2


async def test_finish_closes_the_debrief_and_schedules_its_reminders(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.await_addition(user_id=ALICE, debrief_id=debrief.id, key="company")

    await debriefs.finish(
        user_id=ALICE,
        debrief_id=debrief.id,
        reminders=[
            NewReminder(ReminderKind.THANK_YOU, T0),
            NewReminder(ReminderKind.QUESTIONS, T0 + 5),
        ],
    )

    finished = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert finished is not None
    assert finished.status == "done"
    assert finished.append_key is None
    assert finished.finished_at is not None
    assert finished.finished_at.tzinfo is not None
    assert await debriefs.open_for(user_id=ALICE) is None
    assert await _states(database, debrief.id) == [
        ("thank_you", "pending", T0, 1),
        ("questions", "pending", T0 + 5, 1),
    ]


async def test_finish_writes_the_debrief_and_its_reminders_in_one_transaction(
    debriefs: DebriefRepository, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    commits = _count_commits(database, monkeypatch)

    await debriefs.finish(
        user_id=ALICE,
        debrief_id=debrief.id,
        reminders=[NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)],
    )

    assert commits == [1]
    assert len(await _states(database, debrief.id)) == 2


async def test_finish_on_another_users_debrief_raises_not_found_and_inserts_nothing(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.create(user_id=BOB, first_key="company")

    with pytest.raises(NotFoundError):
        await debriefs.finish(
            user_id=BOB, debrief_id=debrief.id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
        )

    assert await _count(database, "SELECT count(*) FROM reminders") == 0
    untouched = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert untouched is not None
    assert (untouched.status, untouched.finished_at) == ("active", None)


async def test_mark_thank_you_sent_sets_the_flag_and_closes_the_thank_you_reminder(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.finish(
        user_id=ALICE,
        debrief_id=debrief.id,
        reminders=[NewReminder(ReminderKind.THANK_YOU, T0), NewReminder(ReminderKind.NO_NEWS, T0)],
    )
    await reminders.mark_sent(
        reminder=await _only_pending(reminders, ALICE, ReminderKind.THANK_YOU), sent_at=T0
    )

    await debriefs.mark_thank_you_sent(user_id=ALICE, debrief_id=debrief.id)

    marked = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert marked is not None
    assert marked.thank_you_sent
    assert await _states(database, debrief.id) == [
        ("thank_you", "done", T0, 1),
        ("no_news", "pending", T0, 1),
    ]


async def test_mark_thank_you_sent_closes_a_pending_thank_you_reminder_too(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.finish(
        user_id=ALICE, debrief_id=debrief.id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )

    await debriefs.mark_thank_you_sent(user_id=ALICE, debrief_id=debrief.id)

    assert await reminders.pending_for(user_id=ALICE) == []


async def test_mark_thank_you_sent_by_another_user_raises_not_found_and_changes_nothing(
    debriefs: DebriefRepository, reminders: ReminderRepository
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.finish(
        user_id=ALICE, debrief_id=debrief.id, reminders=[NewReminder(ReminderKind.THANK_YOU, T0)]
    )

    with pytest.raises(NotFoundError):
        await debriefs.mark_thank_you_sent(user_id=BOB, debrief_id=debrief.id)

    untouched = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert untouched is not None
    assert not untouched.thank_you_sent
    assert [r.kind for r in await reminders.pending_for(user_id=ALICE)] == ["thank_you"]


async def test_set_outcome_stores_the_outcome_and_the_next_round_date(
    debriefs: DebriefRepository,
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)
    fresh = await debriefs.get(user_id=ALICE, debrief_id=debrief_id)
    assert fresh is not None
    assert (fresh.outcome, fresh.next_round_date) == ("waiting", None)

    await debriefs.set_outcome(
        user_id=ALICE,
        debrief_id=debrief_id,
        outcome=Outcome.NEXT_ROUND,
        next_round_date=date(2026, 12, 1),
    )
    stored = await debriefs.get(user_id=ALICE, debrief_id=debrief_id)
    assert stored is not None
    assert (stored.outcome, stored.next_round_date) == ("next_round", date(2026, 12, 1))

    await debriefs.set_outcome(user_id=ALICE, debrief_id=debrief_id, outcome=Outcome.OFFER)
    changed = await debriefs.get(user_id=ALICE, debrief_id=debrief_id)
    assert changed is not None
    assert (changed.outcome, changed.next_round_date) == ("offer", None)


async def test_set_outcome_records_when_the_news_came_and_keeps_it_when_a_date_is_added(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)

    async def outcome_at() -> datetime | None:
        stored = await debriefs.get(user_id=ALICE, debrief_id=debrief_id)
        assert stored is not None
        return stored.outcome_at

    assert await outcome_at() is None
    await debriefs.set_outcome(user_id=ALICE, debrief_id=debrief_id, outcome=Outcome.NEXT_ROUND)
    first = await outcome_at()
    assert first is not None
    assert first.tzinfo is not None
    await database.write(
        ("UPDATE debriefs SET outcome_at = '2026-01-02T03:04:05.000Z' WHERE id = ?", (debrief_id,))
    )
    await debriefs.set_outcome(
        user_id=ALICE,
        debrief_id=debrief_id,
        outcome=Outcome.NEXT_ROUND,
        next_round_date=date(2026, 12, 1),
    )
    earlier = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert await outcome_at() == earlier
    await debriefs.set_outcome(user_id=ALICE, debrief_id=debrief_id, outcome=Outcome.OFFER)
    assert await outcome_at() not in (None, earlier)
    await debriefs.set_outcome(user_id=ALICE, debrief_id=debrief_id, outcome=Outcome.WAITING)
    assert await outcome_at() is None


async def test_set_outcome_by_another_user_raises_not_found(debriefs: DebriefRepository) -> None:
    debrief_id = await _finished_debrief(debriefs, ALICE)

    with pytest.raises(NotFoundError):
        await debriefs.set_outcome(user_id=BOB, debrief_id=debrief_id, outcome=Outcome.REJECTED)

    stored = await debriefs.get(user_id=ALICE, debrief_id=debrief_id)
    assert stored is not None
    assert stored.outcome == "waiting"


# Many users at once


async def test_many_users_writing_at_once_leave_every_row_as_written(
    debriefs: DebriefRepository, reminders: ReminderRepository, database: Database
) -> None:
    users = [30_000 + n for n in range(100)]
    kinds: tuple[ReminderKind, ...] = (
        ReminderKind.THANK_YOU,
        ReminderKind.QUESTIONS,
        ReminderKind.NO_NEWS,
    )

    async def one_user(user_id: int) -> int:
        debrief = await debriefs.create(user_id=user_id, first_key="q0")
        for n, kind in enumerate(kinds):
            await debriefs.save_answer(
                user_id=user_id,
                debrief_id=debrief.id,
                key=f"q{n}",
                text=f"user {user_id} answer {n}",
                message_id=n,
                next_key=f"q{n + 1}",
            )
            await reminders.schedule(
                user_id=user_id,
                debrief_id=debrief.id,
                reminders=[
                    NewReminder(kind, user_id + n),
                    NewReminder(ReminderKind.FEEDBACK, user_id + n),
                ],
            )
        return debrief.id

    ids = await asyncio.gather(*(one_user(user) for user in users))

    assert len(set(ids)) == len(users)
    for user_id, debrief_id in zip(users, ids, strict=True):
        stored = await debriefs.get(user_id=user_id, debrief_id=debrief_id)
        assert stored is not None
        assert stored.answers == {f"q{n}": f"user {user_id} answer {n}" for n in range(3)}
        assert stored.current_key == "q3"
        assert [
            (r.debrief_id, r.kind, r.due_at, r.state, r.attempt)
            for r in await reminders.pending_for(user_id=user_id)
        ] == [
            (debrief_id, "thank_you", user_id, "pending", 1),
            (debrief_id, "questions", user_id + 1, "pending", 1),
            (debrief_id, "feedback", user_id + 2, "pending", 1),  # moved twice, created first
            (debrief_id, "no_news", user_id + 2, "pending", 1),
        ]
    assert await _count(database, "SELECT count(*) FROM reminders") == 4 * len(users)
    assert await _count(database, "SELECT count(*) FROM answer_parts") == 3 * len(users)
    assert (
        await _count(
            database,
            "SELECT count(*) FROM reminders r JOIN debriefs d ON d.id = r.debrief_id"
            " WHERE r.user_id != d.user_id",
        )
        == 0
    )
