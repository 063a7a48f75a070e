"""The inbox keeps what the bot acts on, once, until it is handled; a restart replays it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from telegram import Bot, CallbackQuery, Chat, Message, MessageReactionUpdated, Update, User

from bot.inbox import Inbox, InboxQueue
from storage.database import Database, Statement, Written
from storage.inbox import InboxRepository

ALICE = 1001
STRANGER = 6666
_NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
BOT = Bot("123456:TEST-token-for-offline-tests-only")


def _user(user_id: int) -> User:
    return User(id=user_id, first_name=f"User {user_id}", is_bot=False, language_code="fr")


def _text(update_id: int, user_id: int = ALICE, *, chat_type: str = Chat.PRIVATE) -> Update:
    chat = Chat(id=user_id if chat_type == Chat.PRIVATE else -100, type=chat_type)
    message = Message(update_id, _NOW, chat, from_user=_user(user_id), text=f"réponse {update_id}")
    return Update(update_id=update_id, message=message)


def _tap(update_id: int) -> Update:
    query = CallbackQuery(str(update_id), _user(ALICE), chat_instance="c", data="new")
    return Update(update_id=update_id, callback_query=query)


def _reaction(update_id: int) -> Update:
    chat = Chat(id=ALICE, type=Chat.PRIVATE)
    reaction = MessageReactionUpdated(chat, 1, _NOW, (), (), user=_user(ALICE))
    return Update(update_id=update_id, message_reaction=reaction)


def _inbox(database: Database, allowed: frozenset[int] = frozenset()) -> Inbox:
    inbox = Inbox(allowed_users=allowed)
    inbox.attach(InboxRepository(database))
    return inbox


async def _kept(database: Database) -> list[int]:
    return [received.update_id for received in await InboxRepository(database).waiting()]


async def test_an_update_is_committed_before_put_returns_and_forgotten_once_done(
    database: Database,
) -> None:
    inbox = _inbox(database)
    queue = InboxQueue(inbox)

    await queue.put(_text(1))
    await queue.put(_tap(2))

    assert await _kept(database) == [1, 2]
    await inbox.done(queue.get_nowait())
    assert await _kept(database) == [2]


async def test_a_second_delivery_of_a_waiting_update_is_queued_once(database: Database) -> None:
    queue = InboxQueue(_inbox(database))

    await queue.put(_text(1))
    await queue.put(_text(1))

    assert queue.qsize() == 1


@pytest.mark.parametrize(
    ("update", "allowed"),
    [
        (_text(1, STRANGER), frozenset({ALICE})),
        (_text(1, chat_type=Chat.SUPERGROUP), frozenset()),
        (_reaction(1), frozenset()),
    ],
    ids=["refused user", "group", "reaction"],
)
async def test_what_the_bot_does_not_act_on_is_queued_but_not_kept(
    database: Database, update: Update, allowed: frozenset[int]
) -> None:
    queue = InboxQueue(_inbox(database, allowed))

    await queue.put(update)

    assert queue.qsize() == 1
    assert await _kept(database) == []


async def test_a_restart_replays_what_was_kept_in_order_and_equal_to_what_came(
    database: Database,
) -> None:
    first = InboxQueue(_inbox(database))
    for update in (_text(1), _tap(2), _text(3)):
        await first.put(update)
    await first.inbox.done(first.get_nowait())

    second = _inbox(database)
    restarted: asyncio.Queue[object] = InboxQueue(second)
    assert await second.replay(restarted, BOT) == 2

    replayed = [restarted.get_nowait(), restarted.get_nowait()]
    assert replayed == [_tap(2), _text(3)]
    assert [update.to_dict() for update in replayed if isinstance(update, Update)] == [
        _tap(2).to_dict(),
        _text(3).to_dict(),
    ]
    # Telegram delivers them again if the offset had not moved: they are queued once.
    await restarted.put(_text(3))
    assert restarted.qsize() == 0
    for handled in replayed:
        await second.done(handled)
    assert await _kept(database) == []


async def test_a_batch_is_kept_in_one_transaction_and_put_then_only_queues_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = _inbox(database, frozenset({ALICE}))
    queue = InboxQueue(inbox)
    writes = [0]
    write = database.write

    async def counting_write(*statements: Statement) -> list[Written]:
        writes[0] += 1
        return await write(*statements)

    monkeypatch.setattr(database, "write", counting_write)
    batch = [_text(1), _tap(2), _text(3, STRANGER), _text(4)]

    await inbox.keep_all(batch)
    for update in batch:
        await queue.put(update)

    assert writes == [1]
    assert queue.qsize() == 4
    assert await _kept(database) == [1, 2, 4]


async def test_a_lost_reply_has_the_first_id_no_waiting_message_of_the_chat_has(
    database: Database,
) -> None:
    inbox = _inbox(database)
    queue = InboxQueue(inbox)
    # Message 1 is being handled again; 2 and 3 wait (the rest of a dictation), 5 too.
    for update_id in (1, 2, 3, 5):
        await queue.put(_text(update_id))

    assert inbox.first_free_message_id(ALICE, after=1) == 4
    assert inbox.first_free_message_id(STRANGER, after=1) == 2
    await inbox.done(_text(2))
    assert inbox.first_free_message_id(ALICE, after=1) == 2
