"""The aiohttp transport keeps python-telegram-bot's request contract."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.fakeapi import FakeTelegram
from bot.transport import AiohttpRequest
from tests.e2e.driver import TOKEN


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Serve a fake Bot API."""
    async with FakeTelegram(token=TOKEN) as server:
        yield server


def _bot(url: str, request: AiohttpRequest | None = None) -> Bot:
    """Return a PTB bot that talks through the aiohttp transport."""
    return Bot(
        TOKEN,
        base_url=f"{url}/bot",
        base_file_url=f"{url}/file/bot",
        request=request or AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def test_messages_keyboards_and_errors_round_trip(fake: FakeTelegram) -> None:
    fake.user(7)
    async with _bot(fake.url) as bot:
        me = await bot.get_me()
        assert me.username == fake.bot_username
        sent = await bot.send_message(7, "<b>hi</b> &amp; welcome", parse_mode="HTML")
        assert fake.message(7, sent.message_id).text == "hi & welcome"
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(12345, "nobody")


async def test_documents_are_uploaded_as_multipart(fake: FakeTelegram) -> None:
    fake.user(7)
    async with _bot(fake.url) as bot:
        await bot.send_document(7, b"# Notes\n\xc3\xa9t\xc3\xa9", filename="notes.md")
    document = fake.messages(7)[-1]
    assert document.document_name == "notes.md"
    assert document.document_bytes == b"# Notes\n\xc3\xa9t\xc3\xa9"


async def test_downloads_use_the_file_url(fake: FakeTelegram) -> None:
    user = fake.user(7)
    await user.send_voice(b"OggS voice bytes", duration=2)
    async with _bot(fake.url) as bot:
        updates = await bot.get_updates(timeout=0)
        voice = updates[0].message.voice if updates[0].message else None
        assert voice is not None
        file = await bot.get_file(voice.file_id)
        assert bytes(await file.download_as_bytearray()) == b"OggS voice bytes"


async def test_a_server_that_never_answers_raises_timed_out() -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answer; the client gives up first
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2, write_timeout=0.0)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()


async def test_a_refused_connection_raises_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_using_it_before_initialize_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/", "POST")


async def test_a_redirect_is_not_followed_and_the_token_goes_nowhere_else(
    fake: FakeTelegram,
) -> None:
    async with FakeTelegram(token=TOKEN) as elsewhere:
        fake.user(7)
        fake.inject_response(
            "sendMessage",
            status=307,
            headers={"Location": f"{elsewhere.url}/bot{TOKEN}/sendMessage"},
        )
        async with _bot(fake.url) as bot:
            with pytest.raises(NetworkError) as refused:
                await bot.send_message(7, "hello")

        assert elsewhere.calls_to("sendMessage") == []
        assert TOKEN not in str(refused.value)
