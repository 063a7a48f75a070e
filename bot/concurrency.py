"""Update processing: concurrent across users, strictly in order for each user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerUserUpdateProcessor"]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Process many users at once, but each user's updates one by one, in arrival order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # user id -> [lock, number of updates holding or waiting for it]
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        """Return the id whose updates must not overlap: the user's, else the chat's."""
        if not isinstance(update, Update):
            return None
        if update.effective_user is not None:
            return update.effective_user.id
        return update.effective_chat.id if update.effective_chat is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers once the same user's earlier updates are done."""
        key = self._key(update)
        if key is None:
            await coroutine
            return
        lock, count = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        count[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            count[0] -= 1
            if count[0] == 0:
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
