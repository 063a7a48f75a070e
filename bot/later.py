"""Work done off an update's path (a keyboard taken off), which stopping the bot waits for."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Later"]

logger = logging.getLogger(__name__)


class Later:
    """Tasks started after a reply is out; `wait` lets them end before the connections close.

    PTB's Application.create_task tracks only tasks started while the application runs: one
    started by an update handled during stop() was neither awaited nor cancelled, and could
    meet a closed database (a PTBUserWarning said so).
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Start `work` now, without waiting for it; an error is logged, not raised."""
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None]) -> None:
        """Run `work`, logging what it raises (nobody awaits it to see)."""
        try:
            await work
        except Exception:
            logger.exception("Work done after a reply failed")

    async def wait(self) -> None:
        """Wait until every task has ended, those started meanwhile included."""
        while self._tasks:
            await asyncio.gather(*self._tasks)
