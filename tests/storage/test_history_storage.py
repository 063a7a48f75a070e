"""History, editing and rounds in storage: a user's list, edits in place, linked rounds."""

from __future__ import annotations

import pytest

from conversations.model import AnswerPart, NewReminder, ReminderKind
from storage.database import Database
from storage.debriefs import DebriefRepository, NotFoundError
from storage.reminders import ReminderRepository

ALICE = 1001
BOB = 2002


@pytest.fixture
def debriefs(database: Database) -> DebriefRepository:
    return DebriefRepository(database)


async def _done(
    debriefs: DebriefRepository, user_id: int, company: str, *, message_id: int | None = None
) -> int:
    debrief = await debriefs.create(user_id=user_id, first_key="company")
    await debriefs.save_answer(
        user_id=user_id,
        debrief_id=debrief.id,
        key="company",
        text=company,
        message_id=message_id,
        next_key="position",
    )
    await debriefs.save_answer(
        user_id=user_id,
        debrief_id=debrief.id,
        key="position",
        text=f"{company} role",
        message_id=None,
        next_key="improve",
    )
    await debriefs.save_answer(
        user_id=user_id,
        debrief_id=debrief.id,
        key="improve",
        text=f"secret notes on {company}",
        message_id=None,
        next_key=None,
    )
    await debriefs.finish(user_id=user_id, debrief_id=debrief.id, reminders=[])
    return debrief.id


async def test_headlines_lists_only_the_users_debriefs_newest_first_with_only_the_keys(
    debriefs: DebriefRepository,
) -> None:
    first = await _done(debriefs, ALICE, "Acme")
    await _done(debriefs, BOB, "Bobcorp")
    second = await _done(debriefs, ALICE, "Globex")

    listed = await debriefs.headlines(user_id=ALICE, keys=["company", "rating"])

    assert [d.id for d in listed] == [second, first]
    assert [d.answers for d in listed] == [{"company": "Globex"}, {"company": "Acme"}]
    assert all(d.created_at for d in listed)


async def test_all_for_returns_every_answer_of_every_debrief_of_the_user_only(
    debriefs: DebriefRepository,
) -> None:
    await _done(debriefs, ALICE, "Acme")
    await _done(debriefs, BOB, "Bobcorp")

    everything = await debriefs.all_for(user_id=ALICE)

    assert len(everything) == 1
    assert everything[0].answers == {
        "company": "Acme",
        "position": "Acme role",
        "improve": "secret notes on Acme",
    }


async def test_replace_answer_keeps_the_cursor_and_drops_every_earlier_part(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Acm",
        message_id=5,
        next_key="position",
    )
    await debriefs.add_to_answer(
        user_id=ALICE, debrief_id=debrief.id, key="company", text="e", message_id=6
    )

    await debriefs.replace_answer(
        user_id=ALICE, debrief_id=debrief.id, key="company", text="Acme Corp", message_id=None
    )

    after = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert after is not None
    assert after.answers == {"company": "Acme Corp"}
    assert after.current_key == "position"
    assert after.message_ids == frozenset()


async def test_another_user_can_neither_replace_nor_edit_an_answer(
    debriefs: DebriefRepository,
) -> None:
    alices = await _done(debriefs, ALICE, "Acme", message_id=7)

    with pytest.raises(NotFoundError):
        await debriefs.replace_answer(
            user_id=BOB, debrief_id=alices, key="company", text="pwned", message_id=None
        )
    with pytest.raises(NotFoundError):
        await debriefs.edit_part(user_id=BOB, debrief_id=alices, key="company", part=0, text="x")

    after = await debriefs.get(user_id=ALICE, debrief_id=alices)
    assert after is not None
    assert after.answers["company"] == "Acme"


async def test_answer_part_finds_the_part_a_message_carried_for_its_user_only(
    debriefs: DebriefRepository,
) -> None:
    debrief = await debriefs.create(user_id=ALICE, first_key="company")
    await debriefs.save_answer(
        user_id=ALICE,
        debrief_id=debrief.id,
        key="company",
        text="Ac",
        message_id=10,
        next_key="position",
    )
    await debriefs.add_to_answer(
        user_id=ALICE, debrief_id=debrief.id, key="company", text="me", message_id=11
    )

    assert await debriefs.answer_part(user_id=ALICE, message_id=11) == AnswerPart(
        debrief.id, "company", 1
    )
    assert await debriefs.answer_part(user_id=BOB, message_id=11) is None
    assert await debriefs.answer_part(user_id=ALICE, message_id=99) is None

    await debriefs.edit_part(
        user_id=ALICE, debrief_id=debrief.id, key="company", part=1, text="me Corp"
    )
    after = await debriefs.get(user_id=ALICE, debrief_id=debrief.id)
    assert after is not None
    assert after.answers["company"] == "Ac\nme Corp"


async def test_rounds_follow_the_links_oldest_first_and_never_cross_users(
    debriefs: DebriefRepository,
) -> None:
    first = await _done(debriefs, ALICE, "Acme")
    second = await _done(debriefs, ALICE, "Acme")
    third = await _done(debriefs, ALICE, "acme")
    bobs = await _done(debriefs, BOB, "Acme")
    await debriefs.link_round(user_id=ALICE, debrief_id=second, previous_id=first)
    await debriefs.link_round(user_id=ALICE, debrief_id=third, previous_id=second)

    assert [d.id for d in await debriefs.rounds(user_id=ALICE, debrief_id=third)] == [
        first,
        second,
        third,
    ]
    assert await debriefs.rounds(user_id=BOB, debrief_id=third) == []

    # Bob naming Alice's debrief as his previous round links nothing.
    await debriefs.link_round(user_id=BOB, debrief_id=bobs, previous_id=first)
    assert [d.id for d in await debriefs.rounds(user_id=BOB, debrief_id=bobs)] == [bobs]
    with pytest.raises(NotFoundError):
        await debriefs.link_round(user_id=BOB, debrief_id=third, previous_id=None)

    await debriefs.link_round(user_id=ALICE, debrief_id=third, previous_id=None)
    assert [d.id for d in await debriefs.rounds(user_id=ALICE, debrief_id=third)] == [third]


async def test_a_debrief_cannot_be_its_own_previous_round(debriefs: DebriefRepository) -> None:
    only = await _done(debriefs, ALICE, "Acme")

    await debriefs.link_round(user_id=ALICE, debrief_id=only, previous_id=only)

    after = await debriefs.get(user_id=ALICE, debrief_id=only)
    assert after is not None
    assert after.previous_id is None


async def test_all_reminders_of_a_user_whatever_their_state(database: Database) -> None:
    debriefs = DebriefRepository(database)
    reminders = ReminderRepository(database)
    alices = await _done(debriefs, ALICE, "Acme")
    bobs = await _done(debriefs, BOB, "Bobcorp")
    await reminders.schedule(
        user_id=ALICE,
        debrief_id=alices,
        reminders=[
            NewReminder(ReminderKind.THANK_YOU, 200),
            NewReminder(ReminderKind.QUESTIONS, 100),
        ],
    )
    await reminders.schedule(
        user_id=BOB, debrief_id=bobs, reminders=[NewReminder(ReminderKind.NO_NEWS, 50)]
    )
    await reminders.cancel_kinds(user_id=ALICE, debrief_id=alices, kinds=[ReminderKind.THANK_YOU])

    found = await reminders.all_for(user_id=ALICE)

    assert [(r.kind, r.state) for r in found] == [
        ("questions", "pending"),
        ("thank_you", "cancelled"),
    ]


async def test_a_link_that_would_close_a_loop_of_rounds_changes_nothing(
    debriefs: DebriefRepository,
) -> None:
    first = await _done(debriefs, ALICE, "Acme")
    second = await _done(debriefs, ALICE, "Acme")
    third = await _done(debriefs, ALICE, "Acme")
    assert await debriefs.link_round(user_id=ALICE, debrief_id=second, previous_id=first)
    assert await debriefs.link_round(user_id=ALICE, debrief_id=third, previous_id=second)

    assert not await debriefs.link_round(user_id=ALICE, debrief_id=first, previous_id=third)
    assert not await debriefs.link_round(user_id=ALICE, debrief_id=first, previous_id=second)
    assert not await debriefs.link_round(user_id=ALICE, debrief_id=first, previous_id=first)

    loaded = await debriefs.get(user_id=ALICE, debrief_id=first)
    assert loaded is not None
    assert loaded.previous_id is None
    chain = [d.id for d in await debriefs.rounds(user_id=ALICE, debrief_id=third)]
    assert chain == [first, second, third]


async def test_rounds_lists_each_round_once_even_if_the_links_form_a_loop(
    debriefs: DebriefRepository, database: Database
) -> None:
    first = await _done(debriefs, ALICE, "Acme")
    second = await _done(debriefs, ALICE, "Acme")
    # A loop written before links were guarded (or by hand).
    await database.write(
        ("UPDATE debriefs SET previous_id = ? WHERE id = ?", (first, second)),
        ("UPDATE debriefs SET previous_id = ? WHERE id = ?", (second, first)),
    )

    chain = [d.id for d in await debriefs.rounds(user_id=ALICE, debrief_id=second)]

    assert chain == [first, second]
