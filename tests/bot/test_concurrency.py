"""Updates run concurrently across users, and strictly one at a time, in order, per user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.concurrency import PerUserUpdateProcessor

# Generous: these only turn a would-be deadlock into a failure instead of a hung test run.
DEADLINE = 5.0
_NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
_update_ids = iter(range(1, 1_000_000))


def _message_update(user_id: int, text: str = "hello") -> Update:
    user = User(id=user_id, first_name=f"User {user_id}", is_bot=False)
    chat = Chat(id=user_id, type=Chat.PRIVATE)
    update_id = next(_update_ids)
    message = Message(message_id=update_id, date=_NOW, chat=chat, from_user=user, text=text)
    return Update(update_id=update_id, message=message)


def _button_update(user_id: int) -> Update:
    user = User(id=user_id, first_name=f"User {user_id}", is_bot=False)
    query = CallbackQuery(id=str(user_id), from_user=user, chat_instance="c", data="new")
    return Update(update_id=next(_update_ids), callback_query=query)


def _channel_post(chat_id: int) -> Update:
    chat = Chat(id=chat_id, type=Chat.CHANNEL, title="News")
    update_id = next(_update_ids)
    return Update(update_id=update_id, channel_post=Message(update_id, _NOW, chat, text="post"))


@pytest.fixture
def processor() -> PerUserUpdateProcessor:
    return PerUserUpdateProcessor(max_concurrent_updates=64)


async def _run_all(jobs: list[Awaitable[None]]) -> None:
    async with asyncio.timeout(DEADLINE):
        await asyncio.gather(*jobs)


async def test_two_users_updates_run_at_the_same_time(processor: PerUserUpdateProcessor) -> None:
    first_started = asyncio.Event()
    second_ran = asyncio.Event()
    log: list[str] = []

    async def first_user() -> None:
        log.append("user 1 starts")
        first_started.set()
        # Only user 2's handler sets this: serialising users would deadlock here.
        await second_ran.wait()
        log.append("user 1 ends")

    async def second_user() -> None:
        await first_started.wait()
        log.append("user 2 runs")
        second_ran.set()

    await _run_all(
        [
            processor.process_update(_message_update(1), first_user()),
            processor.process_update(_message_update(2), second_user()),
        ]
    )

    assert log == ["user 1 starts", "user 2 runs", "user 1 ends"]


async def test_one_users_updates_run_one_at_a_time_in_arrival_order(
    processor: PerUserUpdateProcessor,
) -> None:
    gate = asyncio.Event()
    first_started = asyncio.Event()
    log: list[str] = []
    running = 0

    def handler(
        name: str, *, wait_for: asyncio.Event | None = None
    ) -> Callable[[], Awaitable[None]]:
        async def handle() -> None:
            nonlocal running
            running += 1
            assert running == 1, f"{name} overlaps another update of the same user"
            log.append(f"{name} starts")
            if wait_for is not None:
                first_started.set()
                await wait_for.wait()
            log.append(f"{name} ends")
            running -= 1

        return handle

    async def other_user() -> None:
        # Runs while user 1's first update is blocked: the later ones must still be waiting.
        await first_started.wait()
        log.append("user 2 runs")
        gate.set()

    jobs: list[Awaitable[None]] = [
        processor.process_update(_message_update(1), handler("1a", wait_for=gate)()),
        processor.process_update(_button_update(1), handler("1b")()),
        processor.process_update(_message_update(1), handler("1c")()),
        processor.process_update(_message_update(2), other_user()),
    ]
    await _run_all(jobs)

    assert log == [
        "1a starts",
        "user 2 runs",
        "1a ends",
        "1b starts",
        "1b ends",
        "1c starts",
        "1c ends",
    ]


async def test_many_users_run_together_and_each_keeps_its_own_order(
    processor: PerUserUpdateProcessor,
) -> None:
    users, updates_per_user = 20, 15
    seen: dict[int, list[int]] = {user: [] for user in range(users)}
    running: dict[int, int] = dict.fromkeys(range(users), 0)
    overlaps: list[int] = []
    first_updates_started: set[int] = set()
    all_users_in = asyncio.Event()

    async def handle(user: int, index: int) -> None:
        running[user] += 1
        if running[user] > 1:
            overlaps.append(user)
        if index == 0:
            # Every user's first update waits until all users are in at once.
            first_updates_started.add(user)
            if len(first_updates_started) == users:
                all_users_in.set()
            await all_users_in.wait()
        seen[user].append(index)
        running[user] -= 1

    jobs: list[Awaitable[None]] = [
        processor.process_update(_message_update(1000 + user), handle(user, index))
        for index in range(updates_per_user)
        for user in range(users)
    ]
    await _run_all(jobs)

    assert overlaps == []
    assert seen == {user: list(range(updates_per_user)) for user in range(users)}
    assert processor._locks == {}


async def test_the_lock_table_is_emptied_once_a_users_updates_are_done(
    processor: PerUserUpdateProcessor,
) -> None:
    gate = asyncio.Event()
    started = asyncio.Event()

    async def blocked() -> None:
        started.set()
        await gate.wait()

    async def quick() -> None:
        return None

    task = asyncio.create_task(processor.process_update(_message_update(7), blocked()))
    waiting = asyncio.create_task(processor.process_update(_message_update(7), quick()))
    await started.wait()

    assert set(processor._locks) == {7}
    gate.set()
    await _run_all([task, waiting])

    assert processor._locks == {}


async def test_the_lock_is_released_and_forgotten_when_a_handler_fails(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []

    async def failing() -> None:
        raise RuntimeError("handler bug")

    async def next_one() -> None:
        log.append("next update handled")

    with pytest.raises(RuntimeError, match="handler bug"):
        await processor.process_update(_message_update(3), failing())
    await _run_all([processor.process_update(_message_update(3), next_one())])

    assert log == ["next update handled"]
    assert processor._locks == {}


async def test_updates_without_a_user_are_keyed_by_chat_or_run_directly(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []

    async def channel_handler() -> None:
        log.append("channel")

    async def plain_object_handler() -> None:
        log.append("not an update")

    assert PerUserUpdateProcessor._key(_channel_post(-100123)) == -100123
    assert PerUserUpdateProcessor._key(_message_update(5)) == 5
    assert PerUserUpdateProcessor._key(_button_update(6)) == 6
    assert PerUserUpdateProcessor._key("not an update") is None
    await _run_all(
        [
            processor.process_update(_channel_post(-100123), channel_handler()),
            processor.process_update("not an update", plain_object_handler()),
        ]
    )

    assert sorted(log) == ["channel", "not an update"]
    assert processor._locks == {}


async def test_initialize_and_shutdown_do_nothing(processor: PerUserUpdateProcessor) -> None:
    async with processor:
        assert processor.max_concurrent_updates == 64


async def test_one_users_backlog_does_not_hold_the_slots_another_user_needs() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=2)
    first_started = asyncio.Event()
    release = asyncio.Event()
    log: list[str] = []

    async def slow(name: str) -> None:
        first_started.set()
        await release.wait()
        log.append(name)

    async def other_user() -> None:
        await first_started.wait()
        log.append("user 2")
        # Only user 2's handler lets user 1's backlog go on: waiting for a slot would deadlock.
        release.set()

    backlog = [processor.process_update(_message_update(1), slow(f"1-{n}")) for n in range(5)]
    await _run_all([*backlog, processor.process_update(_message_update(2), other_user())])

    assert log == ["user 2", "1-0", "1-1", "1-2", "1-3", "1-4"]


async def test_a_flood_from_one_user_is_cut_at_the_cap_and_every_update_is_done() -> None:
    done: list[object] = []

    async def record(update: object) -> None:
        done.append(update)

    processor = PerUserUpdateProcessor(4, max_waiting_per_user=3, on_done=record)
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(number: int) -> None:
        await release.wait()
        handled.append(number)

    updates = [_message_update(1) for _ in range(6)]
    jobs: list[Awaitable[None]] = [
        asyncio.ensure_future(processor.process_update(update, handle(n)))
        for n, update in enumerate(updates)
    ]
    # The last three find three waiting already, and are dropped at once.
    await _run_all(jobs[3:])
    release.set()
    await _run_all(jobs)

    assert handled == [0, 1, 2]
    # Dropped updates leave the inbox too: they are not replayed after a restart.
    assert sorted(id(update) for update in done) == sorted(id(update) for update in updates)
    assert processor._locks == {}
