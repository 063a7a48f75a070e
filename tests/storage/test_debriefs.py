"""Debriefs and their answers, stored in a real SQLite file, each user reaching only their own."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conversations.model import Debrief, Phase, Status
from storage.database import Database, open_database
from storage.debriefs import DebriefRepository, NotFoundError

ALICE = 1001
BOB = 2002


@pytest.fixture
def debriefs(database: Database) -> DebriefRepository:
    return DebriefRepository(database)


async def _count(database: Database, sql: str, parameters: tuple[object, ...] = ()) -> int:
    row = await database.fetch_one(sql, parameters)
    assert row is not None
    count: int = row[0]
    return count


async def _reload(debriefs: DebriefRepository, debrief: Debrief) -> Debrief:
    loaded = await debriefs.get(user_id=debrief.user_id, debrief_id=debrief.id)
    assert loaded is not None
    return loaded


async def test_create_starts_an_active_debrief_at_the_first_question(
    debriefs: DebriefRepository,
) -> None:
    created = await debriefs.create(user_id=ALICE, first_key="company")

    assert created == Debrief(
        created.id,
        ALICE,
        Status.ACTIVE,
        "company",
        None,
        None,
        None,
        created_at=created.created_at,
        phase=Phase.EXPRESS,
    )
    assert created.created_at is not None
    assert await debriefs.open_for(user_id=ALICE) == created
    assert await debriefs.get(user_id=ALICE, debrief_id=created.id) == created
    assert not created.question_delivered


async def test_create_registers_the_user_once(
    debriefs: DebriefRepository, database: Database
) -> None:
    first = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.set_status(user_id=ALICE, debrief_id=first.id, status=Status.DONE)
    await debriefs.create(user_id=ALICE, first_key="company")

    assert await _count(database, "SELECT count(*) FROM users WHERE user_id = ?", (ALICE,)) == 1


async def test_nothing_is_open_for_a_new_user(debriefs: DebriefRepository) -> None:
    assert await debriefs.open_for(user_id=ALICE) is None
    assert await debriefs.get(user_id=ALICE, debrief_id=1) is None


async def test_save_answer_stores_the_answer_and_moves_to_the_next_question(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")

    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Acme <b>&</i> 🚀",
        message_id=10,
        next_key="position",
    )

    saved = await _reload(debriefs, debrief)
    assert saved.answers == {"company": "Acme <b>&</i> 🚀"}
    assert saved.current_key == "position"
    assert saved.message_ids == frozenset({10})


async def test_save_answer_replaces_an_earlier_answer_and_its_parts(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Acme",
        message_id=10,
        next_key="position",
    )
    await debriefs.add_to_answer(
        user_id=ALICE, debrief_id=debrief.id, key="company", text="Robotics", message_id=11
    )

    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Globex",
        message_id=12,
        next_key="position",
    )

    saved = await _reload(debriefs, debrief)
    assert saved.answers == {"company": "Globex"}
    assert saved.message_ids == frozenset({12})
    assert await _count(database, "SELECT count(*) FROM answer_parts") == 1


async def test_save_answer_at_the_last_question_leaves_no_current_question(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="next_steps")

    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="next_steps",
        text="Call on Monday",
        message_id=None,
        next_key=None,
    )

    saved = await _reload(debriefs, debrief)
    assert saved.current_key is None
    assert saved.message_ids == frozenset()
    assert not saved.question_delivered


async def test_add_to_answer_appends_parts_joined_by_newlines(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="impressions",
        text="First part.",
        message_id=20,
        next_key="rating",
    )

    for message_id, text in ((21, "Second part."), (22, "Third part.")):
        await debriefs.add_to_answer(
            user_id=ALICE,
            debrief_id=debrief.id,
            key="impressions",
            text=text,
            message_id=message_id,
        )

    saved = await _reload(debriefs, debrief)
    assert saved.answers["impressions"] == "First part.\nSecond part.\nThird part."
    assert saved.message_ids == frozenset({20, 21, 22})
    assert saved.current_key == "rating"


async def test_more_than_ten_parts_stay_in_order(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    for n in range(12):
        await debriefs.add_to_answer(
            user_id=ALICE,
            debrief_id=debrief.id,
            key="blunders",
            text=f"part {n}",
            message_id=100 + n,
        )

    saved = await _reload(debriefs, debrief)
    assert saved.answers["blunders"].split("\n") == [f"part {n}" for n in range(12)]


async def test_add_to_answer_ends_the_wait_for_an_addition(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="interview_date")
    await debriefs.await_addition(user_id=ALICE, debrief_id=debrief.id, key="position")
    assert (await _reload(debriefs, debrief)).append_key == "position"

    await debriefs.add_to_answer(
        user_id=ALICE, debrief_id=debrief.id, key="position", text="Lead", message_id=5
    )

    saved = await _reload(debriefs, debrief)
    assert saved.append_key is None
    assert saved.answers == {"position": "Lead"}


async def test_moving_or_answering_cancels_a_pending_addition(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="interview_date")
    await debriefs.await_addition(user_id=ALICE, debrief_id=debrief.id, key="position")

    await debriefs.move_to(user_id=ALICE, debrief_id=debrief.id, key="position")

    moved = await _reload(debriefs, debrief)
    assert moved.current_key == "position"
    assert moved.append_key is None
    await debriefs.await_addition(user_id=ALICE, debrief_id=debrief.id, key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="position",
        text="Lead",
        message_id=6,
        next_key="interview_date",
    )
    assert (await _reload(debriefs, debrief)).append_key is None


async def test_mark_asked_records_the_delivered_question(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")

    await debriefs.mark_asked(user_id=ALICE, debrief_id=debrief.id, key="company", message_id=77)

    asked = await _reload(debriefs, debrief)
    assert (asked.asked_key, asked.asked_message_id) == ("company", 77)
    assert asked.question_delivered
    await debriefs.move_to(user_id=ALICE, debrief_id=debrief.id, key="position")
    assert not (await _reload(debriefs, debrief)).question_delivered


async def test_a_quick_answer_moved_back_joins_the_answer_before_and_its_question_is_asked_again(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    owner = {"user_id": ALICE, "debrief_id": debrief.id}
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Acme",
        message_id=5,
        next_key="position",
    )
    await debriefs.add_to_answer(**owner, key="company", text="Robotics", message_id=6)
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="position",
        text="in Lyon",
        message_id=7,
        next_key="x",
        quick=True,
    )
    assert (await _reload(debriefs, debrief)).quick_key == "position"

    await debriefs.move_answer_back(**owner, key="position", to_key="company")

    moved = await _reload(debriefs, debrief)
    assert moved.answers == {"company": "Acme\nRobotics\nin Lyon"}
    assert (moved.current_key, moved.quick_key) == ("position", None)
    assert moved.message_ids == {5, 6, 7}


async def test_only_one_open_debrief_per_user(debriefs: DebriefRepository) -> None:
    first = await debriefs.create(user_id=ALICE, first_key="company")

    with pytest.raises(sqlite3.IntegrityError):
        await debriefs.create(user_id=ALICE, first_key="company")

    assert await debriefs.open_for(user_id=ALICE) == first
    await debriefs.set_status(user_id=ALICE, debrief_id=first.id, status=Status.PAUSED)
    with pytest.raises(sqlite3.IntegrityError):
        await debriefs.create(user_id=ALICE, first_key="company")


async def test_a_failed_create_leaves_the_connection_usable(debriefs: DebriefRepository) -> None:
    first = await debriefs.create(user_id=ALICE, first_key="company")
    with pytest.raises(sqlite3.IntegrityError):
        await debriefs.create(user_id=ALICE, first_key="company")

    other = await debriefs.create(user_id=BOB, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=first.id,
        key="company",
        text="Acme",
        message_id=1,
        next_key="position",
    )

    assert (await _reload(debriefs, first)).answers == {"company": "Acme"}
    assert await debriefs.open_for(user_id=BOB) == other


async def test_status_changes_pause_resume_and_finish(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.await_addition(user_id=ALICE, debrief_id=debrief.id, key="company")

    await debriefs.set_status(user_id=ALICE, debrief_id=debrief.id, status=Status.PAUSED)
    paused = await debriefs.open_for(user_id=ALICE)
    assert paused is not None
    assert paused.status == "paused"
    assert paused.append_key is None

    await debriefs.set_status(user_id=ALICE, debrief_id=debrief.id, status=Status.ACTIVE)
    assert (await _reload(debriefs, debrief)).status == "active"

    await debriefs.set_status(user_id=ALICE, debrief_id=debrief.id, status=Status.DONE)
    assert await debriefs.open_for(user_id=ALICE) is None
    assert (await _reload(debriefs, debrief)).status == "done"
    finished = await database.fetch_one(
        "SELECT finished_at FROM debriefs WHERE id = ?", (debrief.id,)
    )
    assert finished is not None
    assert finished["finished_at"] is not None


async def test_a_finished_debrief_lets_the_user_start_another(debriefs: DebriefRepository) -> None:
    first = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.set_status(user_id=ALICE, debrief_id=first.id, status=Status.DONE)

    second = await debriefs.create(user_id=ALICE, first_key="company")

    assert second.id != first.id
    assert await debriefs.open_for(user_id=ALICE) == second
    assert await debriefs.get(user_id=ALICE, debrief_id=first.id) is not None


async def test_an_unknown_status_is_refused_by_the_database(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")

    with pytest.raises(sqlite3.IntegrityError):
        await debriefs.set_status(
            user_id=ALICE,
            debrief_id=debrief.id,
            status="archived",  # type: ignore[arg-type]
        )

    assert (await _reload(debriefs, debrief)).status == "active"


async def test_another_user_can_never_read_alices_debrief(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")

    assert await debriefs.get(user_id=BOB, debrief_id=debrief.id) is None
    assert await debriefs.open_for(user_id=BOB) is None


_WRITES: dict[str, Callable[[DebriefRepository, int, int], Awaitable[None]]] = {
    "save_answer": lambda repo, user, debrief_id: repo.save_answer(
        user_id=user,
        debrief_id=debrief_id,
        key="company",
        text="Hijacked",
        message_id=999,
        next_key="rating",
    ),
    "add_to_answer": lambda repo, user, debrief_id: repo.add_to_answer(
        user_id=user, debrief_id=debrief_id, key="company", text="Hijacked", message_id=999
    ),
    "move_to": lambda repo, user, debrief_id: repo.move_to(
        user_id=user, debrief_id=debrief_id, key="rating"
    ),
    "await_addition": lambda repo, user, debrief_id: repo.await_addition(
        user_id=user, debrief_id=debrief_id, key="rating"
    ),
    "mark_asked": lambda repo, user, debrief_id: repo.mark_asked(
        user_id=user, debrief_id=debrief_id, key="rating", message_id=999
    ),
    "carry": lambda repo, user, debrief_id: repo.carry(
        user_id=user,
        debrief_id=debrief_id,
        answers={"commute": "Hijacked"},
        kept={"commute"},
        current_key="rating",
    ),
    "move_answer_back": lambda repo, user, debrief_id: repo.move_answer_back(
        user_id=user, debrief_id=debrief_id, key="position", to_key="company"
    ),
    "set_status": lambda repo, user, debrief_id: repo.set_status(
        user_id=user, debrief_id=debrief_id, status=Status.DONE
    ),
}


@pytest.mark.parametrize("write", sorted(_WRITES))
async def test_another_user_can_never_update_alices_debrief(
    debriefs: DebriefRepository, database: Database, write: str
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Acme",
        message_id=1,
        next_key="position",
    )
    before = await _reload(debriefs, debrief)
    await debriefs.create(user_id=BOB, first_key="company")

    with pytest.raises(NotFoundError):
        await _WRITES[write](debriefs, BOB, debrief.id)

    assert await _reload(debriefs, debrief) == before
    assert await _count(database, "SELECT count(*) FROM answer_parts") == 1


@pytest.mark.parametrize("write", sorted(_WRITES))
async def test_writing_to_a_debrief_that_does_not_exist_raises_not_found(
    debriefs: DebriefRepository, write: str
) -> None:
    with pytest.raises(NotFoundError):
        await _WRITES[write](debriefs, ALICE, 12345)


async def test_another_user_can_never_delete_alices_debrief(debriefs: DebriefRepository) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")

    assert await debriefs.delete(user_id=BOB, debrief_id=debrief.id) is False

    assert await debriefs.open_for(user_id=ALICE) == debrief


async def test_not_found_error_is_a_lookup_error() -> None:
    assert issubclass(NotFoundError, LookupError)


async def test_deleting_a_debrief_deletes_its_answers(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    kept = await debriefs.create(user_id=BOB, first_key="company")
    for owner, target in ((ALICE, debrief), (BOB, kept)):
        await debriefs.save_answer(
            user_id=owner,
            debrief_id=target.id,
            key="company",
            text="Acme",
            message_id=1,
            next_key="position",
        )
        await debriefs.add_to_answer(
            user_id=owner, debrief_id=target.id, key="company", text="More", message_id=2
        )

    assert await debriefs.delete(user_id=ALICE, debrief_id=debrief.id) is True

    assert await debriefs.get(user_id=ALICE, debrief_id=debrief.id) is None
    assert await debriefs.open_for(user_id=ALICE) is None
    assert (
        await _count(
            database, "SELECT count(*) FROM answer_parts WHERE debrief_id = ?", (debrief.id,)
        )
        == 0
    )
    assert (await _reload(debriefs, kept)).answers == {"company": "Acme\nMore"}
    assert await debriefs.delete(user_id=ALICE, debrief_id=debrief.id) is False


async def test_concurrent_writes_from_many_users_all_land(debriefs: DebriefRepository) -> None:
    users, answers_per_user = 50, 20

    async def one_user(user_id: int) -> int:
        debrief = await debriefs.create(user_id=user_id, first_key="q0")
        for n in range(answers_per_user):
            await debriefs.save_answer(
                user_id=user_id,
                debrief_id=debrief.id,
                key=f"q{n}",
                text=f"user {user_id} answer {n}",
                message_id=n,
                next_key=f"q{n + 1}",
            )
        await debriefs.add_to_answer(
            user_id=user_id, debrief_id=debrief.id, key="q0", text="addition", message_id=None
        )
        return debrief.id

    ids = await asyncio.gather(*(one_user(10_000 + user) for user in range(users)))

    assert len(set(ids)) == users
    for user, debrief_id in enumerate(ids):
        user_id = 10_000 + user
        stored = await debriefs.get(user_id=user_id, debrief_id=debrief_id)
        assert stored is not None
        expected = {f"q{n}": f"user {user_id} answer {n}" for n in range(answers_per_user)}
        expected["q0"] += "\naddition"
        assert stored.answers == expected
        assert stored.current_key == f"q{answers_per_user}"
        assert stored.message_ids == frozenset(range(answers_per_user))


async def test_data_survives_closing_and_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "debrief.sqlite3"
    database = await open_database(path)
    try:
        debriefs = DebriefRepository(database)
        debrief = await debriefs.create(user_id=ALICE, first_key="company")
        await debriefs.save_answer(
            user_id=ALICE,
            debrief_id=debrief.id,
            key="company",
            text="Acme 🚀",
            message_id=3,
            next_key="position",
        )
        await debriefs.mark_asked(
            user_id=ALICE, debrief_id=debrief.id, key="position", message_id=4
        )
        await debriefs.add_to_answer(
            user_id=ALICE, debrief_id=debrief.id, key="company", text="Robotics", message_id=5
        )
        before = await _reload(debriefs, debrief)
    finally:
        await database.close()

    reopened = await open_database(path)
    try:
        after = await DebriefRepository(reopened).open_for(user_id=ALICE)
    finally:
        await reopened.close()

    assert after == before
    assert after == Debrief(
        debrief.id,
        ALICE,
        Status.ACTIVE,
        "position",
        "position",
        4,
        None,
        {"company": "Acme 🚀\nRobotics"},
        frozenset({3, 5}),
        created_at=before.created_at,
        phase=Phase.EXPRESS,
    )


async def _rounds(debriefs: DebriefRepository, database: Database, user_id: int) -> list[int]:
    """Create three finished rounds of one application, each linked to the one before."""
    ids: list[int] = []
    for _ in range(3):
        debrief = await debriefs.create(user_id=user_id, first_key="company")
        await debriefs.set_status(user_id=user_id, debrief_id=debrief.id, status=Status.DONE)
        if ids:
            await database.write(
                ("UPDATE debriefs SET previous_id = ? WHERE id = ?", (ids[-1], debrief.id))
            )
        ids.append(debrief.id)
    return ids


async def _previous(debriefs: DebriefRepository, user_id: int) -> dict[int, int | None]:
    return {d.id: d.previous_id for d in await debriefs.all_for(user_id=user_id)}


async def test_deleting_a_middle_round_links_the_next_round_to_the_one_before(
    debriefs: DebriefRepository, database: Database
) -> None:
    first, middle, last = await _rounds(debriefs, database, ALICE)
    bobs = await _rounds(debriefs, database, BOB)

    assert await debriefs.delete(user_id=ALICE, debrief_id=middle)

    assert await _previous(debriefs, ALICE) == {first: None, last: first}
    assert await _previous(debriefs, BOB) == dict(zip(bobs, [None, *bobs[:-1]], strict=True))


async def test_deleting_the_first_round_makes_the_next_one_first(
    debriefs: DebriefRepository, database: Database
) -> None:
    first, middle, last = await _rounds(debriefs, database, ALICE)

    assert await debriefs.delete(user_id=ALICE, debrief_id=first)

    assert await _previous(debriefs, ALICE) == {middle: None, last: middle}


async def test_another_user_deleting_a_round_changes_no_links(
    debriefs: DebriefRepository, database: Database
) -> None:
    rounds = await _rounds(debriefs, database, ALICE)

    assert await debriefs.delete(user_id=BOB, debrief_id=rounds[1]) is False

    assert await _previous(debriefs, ALICE) == dict(zip(rounds, [None, *rounds[:-1]], strict=True))


async def test_stored_times_are_read_once_into_dates_and_moments(
    debriefs: DebriefRepository, database: Database
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await database.write(
        (
            "UPDATE debriefs SET created_at = '2026-11-25T17:02:03.123Z', finished_at = 'garbage',"
            " next_round_date = '2026-12-03', outcome_at = '2026-11-27 09:00:00' WHERE id = ?",
            (debrief.id,),
        )
    )

    loaded = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)

    assert loaded is not None
    assert loaded.created_at == datetime(2026, 11, 25, 17, 2, 3, 123000, tzinfo=UTC)
    assert loaded.finished_at is None
    assert loaded.next_round_date == date(2026, 12, 3)
    assert loaded.outcome_at == datetime(2026, 11, 27, 9, tzinfo=UTC)


async def test_carrying_fills_only_what_is_unanswered_and_marks_the_kept_questions(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="commute",
        text="40 minutes by bike",
        message_id=5,
        next_key="position",
    )

    await debriefs.carry(
        user_id=ALICE,
        debrief_id=debrief.id,
        answers={"commute": "1 hour", "company_info": "A robotics SME"},
        kept={"company_info"},
        current_key="interviewers",
    )

    carried = await _reload(debriefs, debrief)
    assert carried.answers["commute"] == "40 minutes by bike"
    assert carried.answers["company_info"] == "A robotics SME"
    assert carried.kept == {"company_info"}
    assert carried.current_key == "interviewers"
    # A carried answer came from no message: editing one never reaches it.
    assert carried.message_ids == {5}
