"""Tests for the fake Telegram server, driven by a real python-telegram-bot Bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import re
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.fakeapi import (
    MAX_DOWNLOAD_BYTES,
    WEBHOOK_SECRET_HEADER,
    BotMessage,
    Change,
    FakeTelegram,
    FakeUser,
    HtmlParseError,
    parse_html,
    utf16_len,
)

pytestmark = [
    pytest.mark.timeout(5),
    # PTB itself reads RetryAfter.retry_after, which warns about a future type change.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]

ALICE = 1001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """Serve a fresh fake for one test."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """Return an initialised PTB Bot talking to the fake."""
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as ptb:
        yield ptb


@pytest.fixture
def alice(fake: FakeTelegram) -> FakeUser:
    """Register a user with a private chat."""
    return fake.user(ALICE, first_name="Alice", language_code="en")


def bad_request(description: str) -> re.Pattern[str]:
    """Match PTB's BadRequest text for a Bot API description (prefix stripped, recapitalised)."""
    return re.compile(re.escape(description.removeprefix("Bad Request: ")), re.IGNORECASE)


async def fetch_updates(bot: Bot) -> tuple[Update, ...]:
    """Fetch whatever is queued without long polling."""
    return await bot.get_updates(timeout=0)


# -- HTML parser ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> <i>it</i>", "bold it", [("bold", 0, 4), ("italic", 5, 2)]),
        ("a > b &amp; &lt;c&gt; &quot;&#65;&#x42;", 'a > b & <c> "AB', []),
        ("😀<u>x</u>", "😀x", [("underline", 2, 1)]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [("spoiler", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ('<pre><code class="language-py">x</code></pre>', "x", [("pre", 0, 1)]),
        ("<B>x</>", "x", [("bold", 0, 1)]),
    ],
)
def test_parse_html_accepts_telegram_subset(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    """Plain text and entity spans come out as Telegram computes them."""
    parsed = parse_html(source)
    assert parsed.text == text
    spans = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    for expected in entities:
        assert expected in spans


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("é<foo>", 'Unsupported start tag "foo" at byte offset 2'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("1<2", "Unclosed start tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>t</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("R & D", 'Character "&" at byte offset 2 must be escaped as "&amp;"'),
    ],
)
def test_parse_html_rejects_like_telegram(source: str, error: str) -> None:
    """Errors carry Telegram's wording and UTF-8 byte offsets."""
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error


def test_lenient_html_keeps_unknown_entities_literally() -> None:
    """Without strict mode a bare '&' is shown as is, like on Telegram."""
    assert parse_html("R & D &nbsp;", strict=False).text == "R & D &nbsp;"


def test_utf16_length_counts_surrogate_pairs() -> None:
    """Emoji outside the BMP count twice."""
    assert utf16_len("a😀") == 3


# -- bot & sending ---------------------------------------------------------------------------------


async def test_get_me_matches_the_configured_bot(bot: Bot, fake: FakeTelegram) -> None:
    """PTB's initialize() and get_me() accept the bot user."""
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "debrief_test_bot"
    assert me.id == 123456
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]
    assert fake.rejected == []


async def test_send_message_with_html_and_inline_keyboard(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """The stored message keeps plain text, raw HTML and buttons; PTB parses the reply."""
    first = await alice.send_text("/start")
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes ✅", callback_data="answer:yes")],
            [InlineKeyboardButton("Docs", url="https://example.com/docs")],
        ]
    )
    sent = await bot.send_message(
        ALICE,
        "<b>Hi</b> Alice &amp; welcome 👋",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_parameters=ReplyParameters(message_id=first),
    )
    assert sent.text == "Hi Alice & welcome 👋"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == keyboard
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "/start"
    assert sent.message_id == first + 1
    stored = await alice.next_message(timeout=1)
    assert stored.message_id == sent.message_id
    assert stored.html == "<b>Hi</b> Alice &amp; welcome 👋"
    assert stored.buttons == [("Yes ✅", "answer:yes"), ("Docs", "https://example.com/docs")]
    assert stored.callback_data("yes") == "answer:yes"
    assert stored.disable_notification
    assert stored.link_preview_options == {"is_disabled": True}
    assert fake.calls[-1].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes ✅"
    assert fake.rejected == []


async def test_other_reply_markups_are_accepted(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """Reply keyboards, ReplyKeyboardRemove and ForceReply are stored but not echoed back."""
    sent = await bot.send_message(ALICE, "Pick", reply_markup=ReplyKeyboardMarkup([["A", "B"]]))
    assert sent.reply_markup is None
    await bot.send_message(ALICE, "Removed", reply_markup=ReplyKeyboardRemove())
    await bot.send_message(ALICE, "Say more", reply_markup=ForceReply())
    picked, removed, forced = fake.messages(ALICE)
    assert picked.keyboard == [["A", "B"]]
    assert removed.reply_markup == {"remove_keyboard": True}
    assert forced.reply_markup == {"force_reply": True}
    assert fake.rejected == []


LONG_EMOJI = "😀" * 2049


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"text": "<foo>x</foo>"}, 'can\'t parse entities: Unsupported start tag "foo" at byte'),
        (
            {"text": "<b>x"},
            "can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        ),
        ({"text": "x</i>"}, "can't parse entities: Unexpected end tag at byte offset 1"),
        ({"text": "1 < 2"}, "can't parse entities: Unsupported start tag"),
        ({"text": "<b></b>"}, "Bad Request: message text is empty"),
        ({"text": "<b> </b>"}, "Bad Request: text must be non-empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": LONG_EMOJI}, "Bad Request: message is too long"),
        ({"text": "hi", "parse_mode": "Unknown"}, "Bad Request: unsupported parse_mode"),
        (
            {
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="é" * 33)]]
                )
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("x", url="ftp://a.b")]])},
            "inline keyboard button URL 'ftp://a.b' is invalid: Unsupported URL protocol",
        ),
        (
            {"reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("x", url="not-a-url")]])},
            "inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL",
        ),
        (
            {"reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="")]])},
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton(" ", callback_data="a")]]
                )
            },
            "Bad Request: BUTTON_TEXT_INVALID",
        ),
        ({"reply_parameters": ReplyParameters(message_id=999)}, "message to be replied not found"),
    ],
)
async def test_send_message_rejections_raise_bad_request(
    bot: Bot, fake: FakeTelegram, alice: FakeUser, kwargs: dict[str, Any], description: str
) -> None:
    """Each invalid request fails like on Telegram and delivers nothing."""
    arguments: dict[str, Any] = {"text": "hello", "parse_mode": ParseMode.HTML, **kwargs}
    with pytest.raises(BadRequest, match=bad_request(description)):
        await bot.send_message(ALICE, **arguments)
    assert fake.messages(ALICE) == []
    assert len(fake.rejected) == 1
    assert fake.rejected[0].method == "sendMessage"


async def test_exactly_4096_utf16_units_is_accepted(bot: Bot, alice: FakeUser) -> None:
    """The limit is inclusive and counted in UTF-16 code units."""
    sent = await bot.send_message(ALICE, "😀" * 2048)
    assert sent.text is not None
    assert utf16_len(sent.text) == 4096


async def test_unknown_chat_is_not_found(bot: Bot, fake: FakeTelegram) -> None:
    """Chats must be created through the simulation API first."""
    with pytest.raises(BadRequest, match=bad_request("Bad Request: chat not found")):
        await bot.send_message(424242, "hello")
    assert fake.rejected[0].error == "Bad Request: chat not found"


async def test_blocked_user_gives_forbidden(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """Sending to a user who blocked the bot is a 403."""
    fake.block(ALICE)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "hello")
    fake.unblock(ALICE)
    await bot.send_message(ALICE, "hello again")
    assert [m.text for m in fake.messages(ALICE)] == ["hello again"]


async def test_injected_429_raises_retry_after_and_is_not_delivered(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """An injected flood error carries retry_after and is not counted as a rejection."""
    fake.inject_429(2)
    with pytest.raises(RetryAfter, match=r"Retry in (1\b|0:00:01)"):
        await bot.send_message(ALICE, "one")
    with pytest.raises(RetryAfter):
        await bot.send_chat_action(ALICE, "typing")
    await bot.send_message(ALICE, "two")
    assert [m.text for m in fake.messages(ALICE)] == ["two"]
    assert fake.throttled == 2
    assert fake.rejected == []
    assert [c.throttled for c in fake.calls_to("sendMessage")] == [True, False]


async def test_retry_after_ratio_only_hits_sending_methods() -> None:
    """With ratio 1 every send is throttled, but reads such as getMe are not."""
    async with FakeTelegram(retry_after_ratio=1.0, retry_after=3) as server:
        server.user(ALICE)
        async with Bot(server.token, base_url=server.base_url) as ptb:
            with pytest.raises(RetryAfter, match=r"Retry in (3\b|0:00:03)"):
                await ptb.send_message(ALICE, "x")
        assert server.throttled == 1
        assert [c.ok for c in server.calls_to("getMe")] == [True]


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    """PTB reports a wrong but well-formed token as InvalidToken."""
    wrong = Bot("123456:WRONG-TOKEN", base_url=fake.base_url)
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    assert (fake.rejected[0].status, fake.rejected[0].error) == (401, "Unauthorized")


async def test_unknown_method_is_not_found(bot: Bot, fake: FakeTelegram) -> None:
    """Methods the fake does not implement answer 404 like unknown Bot API methods."""
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathicHint", api_kwargs={"chat_id": ALICE})
    assert fake.rejected[-1].status == 404


# -- editing, callbacks ----------------------------------------------------------------------------


async def test_edit_message_text_and_markup(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """Edits update the stored message; no-op edits and unknown ids fail like Telegram."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(ALICE, "<i>draft</i>", parse_mode="HTML", reply_markup=keyboard)
    edit_seen = asyncio.create_task(alice.wait_edit(sent.message_id, timeout=2))
    edited = await bot.edit_message_text(
        "<b>final</b>",
        chat_id=ALICE,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    stored = await edit_seen
    assert (stored.text, stored.html, stored.edited) == ("final", "<b>final</b>", True)
    with pytest.raises(BadRequest, match=bad_request("Bad Request: message is not modified")):
        await bot.edit_message_text(
            "<b>final</b>",
            chat_id=ALICE,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard,
        )
    with pytest.raises(BadRequest, match=bad_request("Bad Request: message to edit not found")):
        await bot.edit_message_text("x", chat_id=ALICE, message_id=999)
    assert len(fake.rejected) == 2


async def test_edit_without_markup_drops_the_keyboard(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """Telegram removes the inline keyboard when editMessageText omits reply_markup."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(ALICE, "one", reply_markup=keyboard)
    await bot.edit_message_text("two", chat_id=ALICE, message_id=sent.message_id)
    assert fake.message(ALICE, sent.message_id).reply_markup is None


async def test_callback_query_round_trip(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """A press reaches the bot as a real CallbackQuery and can be answered exactly once."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    sent = await bot.send_message(ALICE, "Ready?", reply_markup=keyboard)
    message = await alice.next_message(timeout=1)
    with pytest.raises(ValueError, match="no button"):
        await alice.press(message, "no")
    query_id = await alice.press_button(message, "Yes")
    (update,) = await fetch_updates(bot)
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "yes", ALICE)
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    answered = asyncio.create_task(fake.wait_for_callback_answer(query_id, timeout=2))
    assert await bot.answer_callback_query(query_id, text="Noted", show_alert=True)
    answer = await answered
    assert (answer.text, answer.show_alert) == ("Noted", True)
    invalid = bad_request("query is too old and response timeout expired or query ID is invalid")
    with pytest.raises(BadRequest, match=invalid):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=invalid):
        await bot.answer_callback_query("12345")
    forged = await alice.press(message, "forged:data", force=True)
    assert forged != query_id


# -- updates ---------------------------------------------------------------------------------------


async def test_long_poll_returns_an_update_queued_after_it_started(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """getUpdates parks until an update arrives, then confirms it with the next offset."""
    poll = asyncio.create_task(bot.get_updates(timeout=4))
    await fake.wait_for_long_poll(timeout=2)
    assert not poll.done()
    message_id = await alice.send_text("/start@debrief_test_bot now")
    (update,) = await poll
    assert update.message is not None
    assert update.message.message_id == message_id
    assert update.message.text == "/start@debrief_test_bot now"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@debrief_test_bot")
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "en"
    assert update.message.chat.type == "private"
    assert fake.updates[0].delivered_at is not None
    assert fake.pending_updates == 1
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert fake.pending_updates == 0
    await fake.wait_updates_consumed(timeout=1)


async def test_long_poll_times_out_empty(bot: Bot, fake: FakeTelegram) -> None:
    """With nothing queued the poll returns [] once its timeout expires."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=200)) == ()
    assert loop.time() - started >= 0.19


async def test_stop_releases_a_parked_long_poll(fake: FakeTelegram) -> None:
    """Stopping the server answers a pending long poll immediately."""
    async with Bot(fake.token, base_url=fake.base_url) as ptb:
        poll = asyncio.create_task(ptb.get_updates(timeout=30))
        await fake.wait_for_long_poll(timeout=2)
        async with asyncio.timeout(2):
            await fake.stop()
            assert await poll == ()


async def test_overlapping_polls_conflict(bot: Bot, fake: FakeTelegram) -> None:
    """A second poller terminates the first with 409, as with two running bot instances."""
    first = asyncio.create_task(bot.get_updates(timeout=4))
    await fake.wait_for_long_poll(timeout=2)
    async with Bot(fake.token, base_url=fake.base_url) as other:
        assert await other.get_updates(timeout=dtm.timedelta(milliseconds=50)) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert fake.rejected[-1].status == 409


async def test_offset_limit_and_allowed_updates(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """limit caps a batch, offset confirms, allowed_updates filters and persists."""
    for text in ("a", "b", "c"):
        await alice.send_text(text)
    batch = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in batch if u.message] == ["a", "b"]
    rest = await bot.get_updates(offset=batch[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["c"]
    assert await bot.get_updates(allowed_updates=["callback_query"], timeout=0) == ()
    await alice.send_text("ignored")
    assert await fetch_updates(bot) == ()


async def test_user_content_parses_as_ptb_updates(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """Every simulated kind of user message becomes the matching PTB object."""
    group = fake.group(-100200, "Team")
    first = await alice.send_text("hello")
    await alice.edit_text(first, "hello, edited")
    await alice.send_sticker()
    await alice.send_photo(caption="pic")
    await alice.send_location(1.5, 2.5)
    await alice.send_audio(b"ID3 fake", 7, title="Call")
    await alice.send_document(b"%PDF", "cv.pdf", mime_type="application/pdf")
    await alice.send_text("/help", chat_id=group.chat_id)
    updates = await fetch_updates(bot)
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "hello, edited"
    assert updates[1].edited_message.edit_date is not None
    messages = [u.message for u in updates if u.message is not None]
    assert messages[1].sticker is not None
    assert messages[2].photo[-1].width == 800
    assert messages[2].caption == "pic"
    assert messages[3].location is not None
    assert messages[3].location.latitude == 1.5
    assert messages[4].audio is not None
    assert messages[4].audio.mime_type == "audio/ogg"
    assert messages[5].document is not None
    assert messages[5].document.file_name == "cv.pdf"
    assert messages[6].chat.type == "group"
    assert messages[6].chat.title == "Team"
    assert fake.rejected == []


# -- files & commands ------------------------------------------------------------------------------


async def test_voice_download_round_trip(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """The bot can getFile a voice note and download the exact bytes."""
    audio = b"OggS\x00\x02fake-opus-payload"
    await alice.send_voice(audio, duration=3)
    (update,) = await fetch_updates(bot)
    assert update.message is not None
    voice = update.message.voice
    assert voice is not None
    assert (voice.mime_type, voice.file_size) == ("audio/ogg", len(audio))
    assert fake.updates[0].payload["message"]["voice"]["duration"] == 3
    file = await bot.get_file(voice.file_id)
    assert file.file_path is not None
    assert file.file_path.startswith(f"{fake.url}/file/bot{fake.token}/voice/")
    assert bytes(await file.download_as_bytearray()) == audio
    with pytest.raises(BadRequest, match=bad_request("Bad Request: invalid file_id")):
        await bot.get_file("nope")


async def test_files_over_20_mb_cannot_be_fetched_as_on_telegram(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """getFile refuses a file over 20 MB with Telegram's error, whether or not its size was sent."""
    await alice.send_voice(b"\0" * (MAX_DOWNLOAD_BYTES + 1), duration=3000, size_known=False)
    (update,) = await fetch_updates(bot)
    assert update.message is not None
    voice = update.message.voice
    assert voice is not None
    assert voice.file_size is None
    with pytest.raises(BadRequest, match=bad_request("Bad Request: file is too big")):
        await bot.get_file(voice.file_id)


async def test_a_chat_action_can_be_awaited(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """A test can wait for the bot's next chat action instead of polling for it."""
    waiting = asyncio.create_task(fake.wait_for_chat_action(ALICE, after=1, timeout=2))
    assert await bot.send_chat_action(ALICE, "typing")
    assert not waiting.done()
    assert await bot.send_chat_action(ALICE, "record_voice")
    assert await waiting == "record_voice"
    assert await fake.wait_for_chat_action(ALICE) == "typing"


async def test_send_document_upload(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """A multipart upload is stored with its name and bytes, and can be fetched back."""
    payload = b"# Debrief\n\n- went well\n"
    sent = await bot.send_document(
        ALICE, payload, filename="debrief.md", caption="<b>Your notes</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert sent.document.file_name == "debrief.md"
    assert sent.caption == "Your notes"
    stored = fake.messages(ALICE)[-1]
    assert (stored.document_name, stored.document_bytes, stored.text) == (
        "debrief.md",
        payload,
        "Your notes",
    )
    assert fake.calls[-1].params["document"]["upload"] == "debrief.md"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_send_media_group_of_documents(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """An album of uploaded documents arrives as one message each, with their captions."""
    album = [
        InputMediaDocument(
            b"From: a\n", filename=f"draft-{n}.eml", caption=f"<i>{n}</i>", parse_mode="HTML"
        )
        for n in range(3)
    ]
    sent = await bot.send_media_group(ALICE, album)
    assert [m.document.file_name for m in sent if m.document] == [
        "draft-0.eml",
        "draft-1.eml",
        "draft-2.eml",
    ]
    assert [m.text for m in fake.messages(ALICE)[-3:]] == ["0", "1", "2"]


def png(width: int, height: int) -> bytes:
    """Return a valid grey PNG of the given size."""
    row = b"\x00" + b"\x80" * width
    pixels = zlib.compress(row * height)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_send_photo_with_caption(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """A PNG arrives as a photo with its size, its caption parsed, and its bytes downloadable."""
    image = png(320, 200)
    sent = await bot.send_photo(ALICE, image, caption="<b>Rounds</b> per month", parse_mode="HTML")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (320, 200)
    assert sent.caption == "Rounds per month"
    stored = fake.messages(ALICE)[-1]
    assert stored.is_photo
    assert stored.photo_size == (320, 200)
    assert fake.file_bytes(stored.photo_file_id or "") == image
    with pytest.raises(BadRequest, match=bad_request("there is no text in the message to edit")):
        await bot.edit_message_text("x", chat_id=ALICE, message_id=sent.message_id)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"GIF89a not a photo Telegram can read here", "IMAGE_PROCESS_FAILED"),
        (png(30, 1000), "PHOTO_INVALID_DIMENSIONS"),
        (png(6000, 4500), "PHOTO_INVALID_DIMENSIONS"),
    ],
)
async def test_send_photo_refuses_what_telegram_refuses(
    bot: Bot, alice: FakeUser, data: bytes, error: str
) -> None:
    """Unreadable images and extreme sizes are refused with Telegram's error."""
    with pytest.raises(BadRequest, match=bad_request(error)):
        await bot.send_photo(ALICE, data)


async def test_watching_a_chat_sees_every_change(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """A watcher hears user messages, bot messages, edits, chat actions and callback answers."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    with fake.watch(ALICE) as changes:
        said = await alice.send_text("hello")
        await bot.send_chat_action(ALICE, "typing")
        sent = await bot.send_message(ALICE, "Ready?", reply_markup=keyboard)
        await bot.edit_message_text("Set.", chat_id=ALICE, message_id=sent.message_id)
        query = await alice.press(sent.message_id, "go", force=True)
        await bot.answer_callback_query(query, text="ok")
        seen = [changes.get_nowait() for _ in range(changes.qsize())]
    assert [(event.change, event.ref) for event in seen] == [
        (Change.USER_MESSAGE, said),
        (Change.ACTION, "typing"),
        (Change.BOT_MESSAGE, sent.message_id),
        (Change.EDIT, sent.message_id),
        (Change.ANSWER, query),
    ]
    assert fake.user_messages(ALICE)[0]["text"] == "hello"
    assert fake.callback_answer(query) is not None


@pytest.mark.parametrize(
    ("count", "error"),
    [
        (1, "(?i)media group must include 2-10 items"),
        (11, "(?i)too much messages to send as an album"),
    ],
)
async def test_send_media_group_refuses_albums_telegram_refuses(
    bot: Bot, alice: FakeUser, count: int, error: str
) -> None:
    """Albums of one or more than ten items are refused with Telegram's error."""
    album = [InputMediaDocument(b"x", filename=f"{n}.txt") for n in range(count)]
    with pytest.raises(BadRequest, match=error):
        await bot.send_media_group(ALICE, album)


async def test_set_my_commands_per_scope_and_language(bot: Bot, fake: FakeTelegram) -> None:
    """Commands are validated and stored per scope and language."""
    commands = [BotCommand("start", "Start a debrief"), BotCommand("cancel", "Stop")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    scope = BotCommandScopeChat(ALICE)
    assert await bot.set_my_commands([BotCommand("help", "Help")], scope=scope)
    assert fake.commands() == [c.to_dict() for c in commands]
    assert [c["command"] for c in fake.commands(language_code="ru")] == ["start"]
    assert fake.commands(scope={"type": "chat", "chat_id": ALICE}) == [
        {"command": "help", "description": "Help"}
    ]
    with pytest.raises(BadRequest, match=bad_request("Bad Request: BOT_COMMAND_INVALID")):
        await bot.set_my_commands([BotCommand("Start", "Upper case")])
    with pytest.raises(BadRequest, match=bad_request("command description must be non-empty")):
        await bot.set_my_commands([BotCommand("start", "")])
    with pytest.raises(BadRequest, match=bad_request("BOT_COMMAND_DESCRIPTION_INVALID")):
        await bot.set_my_commands([BotCommand("start", "x" * 257)])


async def test_webhook_and_lifecycle_methods(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """deleteWebhook can drop pending updates."""
    await alice.send_text("pending")
    assert fake.pending_updates == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake.pending_updates == 0
    assert await bot.send_chat_action(ALICE, "typing")
    assert fake.chat_actions(ALICE) == ["typing"]


async def test_a_webhook_gets_each_update_with_the_secret_until_it_answers_2xx(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """setWebhook: updates are POSTed with the secret header, retried after a failure."""
    failures = [500, 502]
    received: list[tuple[str | None, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(WEBHOOK_SECRET_HEADER), await request.json()))
        return web.Response(status=failures.pop(0) if failures else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret-_token")
        with pytest.raises(Conflict, match="webhook is active"):
            await fetch_updates(bot)
        await alice.send_text("hello")
        await fake.wait_updates_consumed(timeout=5)
        assert [attempt.status for attempt in fake.webhook_attempts] == [500, 502, 200]
        assert [secret for secret, _ in received] == ["s3cret-_token"] * 3
        assert received[-1][1]["message"]["text"] == "hello"

        assert await bot.delete_webhook()
        await alice.send_text("polled")
        assert [update.message.text for update in await fetch_updates(bot) if update.message] == [
            "polled"
        ]
        assert len(received) == 3
    finally:
        await runner.cleanup()


async def test_set_webhook_refuses_what_telegram_refuses(bot: Bot) -> None:
    """A URL that is not http(s), or a secret with other characters, is refused."""
    with pytest.raises(BadRequest, match=bad_request("An HTTPS URL must be provided")):
        await bot.set_webhook("ftp://example.org/hook")
    with pytest.raises(BadRequest, match=bad_request("secret token contains unallowed characters")):
        await bot.set_webhook("https://example.org/hook", secret_token="not allowed!")


# -- raw HTTP shapes -------------------------------------------------------------------------------


async def test_json_and_query_string_bodies(fake: FakeTelegram, alice: FakeUser) -> None:
    """JSON bodies and query parameters work too, and errors use Telegram's envelope."""
    url = f"{fake.base_url}{fake.token}"
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{url}/sendMessage", json={"chat_id": ALICE, "text": "hi", "reply_markup": keyboard}
        ) as response:
            body = await response.json()
        assert body["ok"] is True
        assert body["result"]["reply_markup"] == keyboard
        async with session.get(f"{url}/SENDMESSAGE", params={"chat_id": "1", "text": "x"}) as bad:
            error = await bad.json()
        assert bad.status == 400
        assert error == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: chat not found",
        }
        fake.inject_429(1)
        async with session.post(f"{url}/sendMessage", data={"chat_id": ALICE, "text": "x"}) as r:
            flood = await r.json()
        assert flood == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        async with session.post(f"{fake.url}/bot1:x/getMe") as r:
            assert (r.status, await r.json()) == (
                401,
                {"ok": False, "error_code": 401, "description": "Unauthorized"},
            )


# -- waiting helpers & metrics ---------------------------------------------------------------------


async def test_wait_for_message_reports_recent_messages_on_timeout(
    bot: Bot, fake: FakeTelegram, alice: FakeUser
) -> None:
    """A timeout explains what the chat did contain."""
    await bot.send_message(ALICE, "Tell me about the interview")
    with pytest.raises(TimeoutError, match="Tell me about the interview"):
        await fake.wait_for_message(ALICE, after=1, timeout=0.05)


async def test_inbox_cursor_and_predicate(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """next_message() hands out each message once; a predicate skips ahead."""
    waiting = asyncio.create_task(alice.next_message(timeout=2, predicate=_mentions_summary))
    await bot.send_message(ALICE, "Question 1")
    await bot.send_message(ALICE, "Your summary is ready")
    found: BotMessage = await waiting
    assert found.text == "Your summary is ready"
    await bot.send_message(ALICE, "Anything else?")
    assert (await alice.next_message(timeout=1)).text == "Anything else?"
    later = await fake.wait_for_message(ALICE, after=0, predicate=_mentions_summary, timeout=1)
    assert later is found


def _mentions_summary(message: BotMessage) -> bool:
    """Match the summary message."""
    return "summary" in message.text


async def test_response_latencies(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """Latency runs from getUpdates handing over an update to the next bot message."""
    await alice.send_text("hi")
    await fetch_updates(bot)
    await bot.send_message(ALICE, "hello")
    (latency,) = fake.response_latencies()
    assert 0 <= latency < 1


# -- a whole PTB application ----------------------------------------------------------------------


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back with a button."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])
    await update.effective_message.reply_html(
        f"<i>{html.escape(update.effective_message.text or '')}</i>", reply_markup=keyboard
    )


async def _again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Once more")
    await query.edit_message_text("Done")


async def test_polling_application_end_to_end(fake: FakeTelegram, alice: FakeUser) -> None:
    """A real Application polls, replies, handles a press and shuts down without rejections."""
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    application.add_handler(CallbackQueryHandler(_again))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        await alice.send_text("a < b & c")
        reply = await alice.next_message(timeout=2)
        assert (reply.text, reply.html) == ("a < b & c", "<i>a &lt; b &amp; c</i>")
        query_id = await alice.press_button(reply, "Again")
        answer = await fake.wait_for_callback_answer(query_id, timeout=2)
        edited = await alice.wait_edit(reply.message_id, timeout=2)
        assert (answer.text, edited.text, edited.buttons) == ("Once more", "Done", [])
        await application.updater.stop()
        await application.stop()
    assert fake.rejected == []
    assert fake.pending_updates == 0


async def test_group_messages_and_presses(bot: Bot, fake: FakeTelegram, alice: FakeUser) -> None:
    """Users can talk and press buttons in a registered group chat."""
    group = fake.group(-100300, "Interview prep")
    await alice.send_text("/start@debrief_test_bot", chat_id=group.chat_id)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Join", callback_data="join")]])
    await bot.send_message(group.chat_id, "Who is in?", reply_markup=keyboard)
    posted = await fake.wait_for_message(group.chat_id, timeout=1)
    await alice.press(posted, "join")
    command, press = await fetch_updates(bot)
    assert command.effective_chat is not None
    assert command.effective_chat.id == group.chat_id
    assert press.callback_query is not None
    assert press.callback_query.message is not None
    assert press.callback_query.message.chat.id == group.chat_id
