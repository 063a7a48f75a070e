"""Work done after a reply: stopping the bot waits for it, and its errors are logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.later import Later


async def test_wait_also_waits_for_work_started_while_it_waits() -> None:
    later = Later()
    gate, started, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    ended: list[str] = []

    async def edit() -> None:
        started.set()
        await release.wait()
        ended.append("edit")

    async def handler() -> None:
        await gate.wait()
        later.run(edit())  # as a handler finishing while the bot stops does
        ended.append("handler")

    later.run(handler())
    waiting = asyncio.create_task(later.wait())
    await asyncio.sleep(0)  # one turn of the loop: wait() starts, the handler waits at the gate
    gate.set()
    await asyncio.wait_for(started.wait(), 5)
    done, _ = await asyncio.wait({waiting}, timeout=0.2)
    assert not done
    release.set()
    await asyncio.wait_for(waiting, 5)
    assert ended == ["handler", "edit"]


async def test_an_error_is_logged_and_the_rest_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    later = Later()
    ended: list[str] = []

    async def failing() -> None:
        raise RuntimeError("the edit failed")

    async def fine() -> None:
        ended.append("fine")

    with caplog.at_level(logging.ERROR, logger="bot.later"):
        later.run(failing())
        later.run(fine())
        await asyncio.wait_for(later.wait(), 5)
    assert ended == ["fine"]
    assert "the edit failed" in caplog.text
