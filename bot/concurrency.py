"""Update processing: concurrent across users, strictly in order for each user."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["MAX_WAITING_PER_USER", "PerUserUpdateProcessor"]

logger = logging.getLogger(__name__)

# A dictated answer arrives as a few dozen messages; hundreds at once are a flood.
MAX_WAITING_PER_USER = 100
_UNLIMITED = 1 << 30


async def _nothing(update: object) -> None:
    """Do nothing once an update is handled."""


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Process many users at once, but each user's updates one by one, in arrival order."""

    def __init__(
        self,
        max_concurrent_updates: int,
        *,
        max_waiting_per_user: int = MAX_WAITING_PER_USER,
        on_done: Callable[[object], Awaitable[None]] = _nothing,
    ) -> None:
        # The base class takes one of its slots before do_process_update runs: a user with
        # hundreds of updates waiting for their own lock would hold every slot, and everyone
        # else would wait behind them. Its semaphore is left wide open; the slots are taken
        # here, after the user's lock.
        self._limit: int | None = None
        super().__init__(_UNLIMITED)
        self._limit = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._running = 0
        self.max_waiting_per_user = max_waiting_per_user
        self.on_done = on_done
        # user id -> [lock, number of updates holding or waiting for it]
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @property
    def max_concurrent_updates(self) -> int:
        """Return how many updates run at once at most (the base class's own limit is lifted)."""
        return _UNLIMITED if self._limit is None else self._limit

    @property
    def current_concurrent_updates(self) -> int:
        """Return how many updates run now."""
        return self._running

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        """Run an update's handlers in one of the slots."""
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    @staticmethod
    def _key(update: object) -> int | None:
        """Return the id whose updates must not overlap: the user's, else the chat's."""
        if not isinstance(update, Update):
            return None
        if update.effective_user is not None:
            return update.effective_user.id
        return update.effective_chat.id if update.effective_chat is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the user's earlier updates, then for a free slot, then run the handlers."""
        key = self._key(update)
        if key is None:
            await self._run(coroutine)
            await self.on_done(update)
            return
        lock, count = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        if count[0] >= self.max_waiting_per_user:
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            if isinstance(update, Update):
                logger.warning(
                    "Update %s dropped: %d updates of the same user are waiting already",
                    update.update_id,
                    count[0],
                )
            await self.on_done(update)
            return
        count[0] += 1
        try:
            async with lock:
                await self._run(coroutine)
        finally:
            count[0] -= 1
            if count[0] == 0:
                del self._locks[key]
        await self.on_done(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
