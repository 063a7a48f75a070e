"""The inbox: every update Telegram hands over is committed to SQLite before Telegram forgets it.

Telegram drops an update once the bot confirms it: polling confirms with the next getUpdates
offset, which python-telegram-bot's Updater sends as soon as it has queued the updates in
memory; a webhook confirms with its 200 response. A crash (`kill -9`) would lose what still
waited in memory. The inbox closes that gap; its API, for polling and a webhook alike:

- `InboxQueue` is the application's update queue (`ApplicationBuilder.update_queue`). Its
  `put(update)` keeps the update in the `inbox` table and returns only once that is
  committed; so whoever hands updates over awaits `application.update_queue.put(update)`
  before confirming them. The Updater does this by itself; a webhook answers 200 after it.
- `Inbox.keep(update)` is that commit on its own: True when the update should be queued, False
  when it is queued already (Telegram delivered it again while it waits: queue it once).
  `Inbox.keep_all(updates)` commits a whole getUpdates batch in one transaction (DebriefBot
  calls it as soon as getUpdates returns); put() then finds them kept and only queues them.
- `Inbox.done(update)` forgets an update once its handlers ran, whether they succeeded or not
  (`PerUserUpdateProcessor` calls it): a failing update is not replayed forever.
- `Inbox.replay(queue)`, at start-up once the database is open (`post_init`), queues what the
  previous process kept and did not finish, oldest first, before any new update.

Only what the bot acts on is kept: updates of the types in UPDATE_TYPES (which are also the
`allowed_updates` the bot asks Telegram for), from a private chat, from a user the allowlist
admits. Handling an update twice is harmless (a replayed text that was stored already is
recognised by its message id), so a crash between a handler's work and `done` is safe.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Collection, Sequence

from telegram import Bot, Update
from telegram.constants import ChatType

from storage.inbox import InboxRepository, Received

__all__ = ["UPDATE_TYPES", "Inbox", "InboxQueue"]

logger = logging.getLogger(__name__)

# The updates Debrief handles; Telegram is asked for these only.
UPDATE_TYPES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY)


class Inbox:
    """Keeps received updates in the database until they are handled."""

    def __init__(self, *, allowed_users: Collection[int]) -> None:
        self._allowed = frozenset(allowed_users)
        self._repository: InboxRepository | None = None
        # Ids kept in the table and not yet done.
        self._kept: set[int] = set()
        # Ids queued and not yet done: a second delivery meanwhile is not queued again.
        self._queued: set[int] = set()
        # (chat id, message id) of the messages queued and not yet done.
        self._waiting: set[tuple[int, int]] = set()

    def attach(self, repository: InboxRepository) -> None:
        """Use the opened database (post_init); until then nothing is kept."""
        self._repository = repository

    def admits(self, update: Update) -> bool:
        """Tell whether to keep an update: a handled type, a private chat, an allowed user."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or (self._allowed and user.id not in self._allowed):
            return False
        if chat is not None and chat.type != ChatType.PRIVATE:
            return False
        return any(getattr(update, kind) is not None for kind in UPDATE_TYPES)

    async def keep_all(self, updates: Sequence[Update]) -> None:
        """Commit the updates the bot acts on, in one transaction (a getUpdates batch)."""
        fresh = [u for u in updates if u.update_id not in self._kept and self.admits(u)]
        if self._repository is None or not fresh:
            return
        rows = [
            Received(
                update.update_id,
                json.dumps(update.to_dict(), ensure_ascii=False, separators=(",", ":")),
            )
            for update in fresh
        ]
        owners = [update.effective_user.id for update in fresh if update.effective_user]
        try:
            await self._repository.keep_all(rows, owners)
        except sqlite3.Error as error:
            # Handled all the same, only not durably: refusing them would stop the bot instead.
            logger.warning("Could not keep %d updates in the inbox: %s", len(rows), error)
            return
        self._kept.update(update.update_id for update in fresh)

    async def keep(self, update: Update) -> bool:
        """Commit an update that the bot acts on; False if it is queued already (a redelivery)."""
        if update.update_id in self._queued:
            return False
        await self.keep_all([update])
        self._queue(update)
        return True

    def _queue(self, update: Update) -> None:
        """Note an update as queued."""
        self._queued.add(update.update_id)
        if update.message is not None:
            self._waiting.add((update.message.chat.id, update.message.message_id))

    def first_free_message_id(self, chat_id: int, after: int) -> int:
        """Return the first message id above `after` that no waiting message of the chat has.

        Telegram numbers a chat's messages in order, the bot's and the user's alike: a
        message the bot sent right after handling message `after` (and did not record before
        a crash) has the first id that none of the user's waiting messages has.
        """
        candidate = after + 1
        while (chat_id, candidate) in self._waiting:
            candidate += 1
        return candidate

    async def done(self, update: object) -> None:
        """Forget a handled update."""
        if not isinstance(update, Update):
            return
        self._queued.discard(update.update_id)
        if update.message is not None:
            self._waiting.discard((update.message.chat.id, update.message.message_id))
        if update.update_id not in self._kept:
            return
        self._kept.discard(update.update_id)
        assert self._repository is not None
        try:
            await self._repository.done(update_id=update.update_id)
        except sqlite3.Error as error:
            # Kept, it is handled again at the next start, which handlers tolerate.
            logger.warning("Could not remove update %s from the inbox: %s", update.update_id, error)

    async def replay(self, queue: asyncio.Queue[object], bot: Bot) -> int:
        """Queue the updates a previous process kept but did not finish; return how many."""
        assert self._repository is not None
        waiting = await self._repository.waiting()
        for received in waiting:
            update = Update.de_json(json.loads(received.payload), bot)
            self._kept.add(update.update_id)
            self._queue(update)
            queue.put_nowait(update)
        if waiting:
            logger.info("Handling %d updates received before the last stop", len(waiting))
        return len(waiting)


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue: an update is put only once the inbox keeps it."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        """Keep the update in the inbox, then queue it (once, however often it is delivered)."""
        if isinstance(item, Update) and not await self.inbox.keep(item):
            return
        await super().put(item)
