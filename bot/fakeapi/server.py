"""The Bot API served over HTTP: the methods Debrief calls, checked as Telegram checks them."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import random
import re
import string
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Final

import aiohttp
from aiohttp import web

from bot.fakeapi.formatting import (
    HtmlParseError,
    ParsedText,
    check_link,
    command_entities,
    parse_html_with_links,
    trim,
    utf16_len,
)
from bot.fakeapi.images import image_info
from bot.fakeapi.markup import NO_MARKUP, Markup, inline_markup, parse_markup
from bot.fakeapi.model import (
    BOT_BLOCKED,
    CAPTION_TOO_LONG,
    CHAT_NOT_FOUND,
    CONFLICT,
    DEFAULT_TOKEN,
    EDIT_NOT_FOUND,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_RATIO,
    MAX_PHOTO_SIDES,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    PARSE_ERROR_PREFIX,
    PHOTO_DIMENSIONS,
    PHOTO_INVALID,
    PHOTO_TOO_BIG,
    QUERY_INVALID,
    TEXT_BLANK,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    WEBHOOK_ACTIVE,
    WEBHOOK_SECRET_HEADER,
    WEBHOOK_SECRET_INVALID,
    WEBHOOK_URL_INVALID,
    ApiError,
    BotMessage,
    Call,
    CallbackAnswer,
    Change,
    Chat,
    ChatEvent,
    JSONDict,
    MessagePredicate,
    QueuedUpdate,
    StoredFile,
    Waiter,
    Webhook,
    WebhookAttempt,
    bad,
)
from bot.fakeapi.params import (
    error_body,
    float_param,
    int_param,
    json_response,
    loggable,
    read_params,
)
from bot.fakeapi.users import FakeGroup, FakeUser

_METHODS: Final = {
    name.lower(): name
    for name in {
        "getMe",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "sendChatAction",
        "sendDocument",
        "sendMediaGroup",
        "sendPhoto",
        "getFile",
    }
}
SENDING_METHODS: Final = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendDocument",
        "sendMediaGroup",
        "sendPhoto",
        "sendChatAction",
    }
)
# An album holds 2 to 10 items (Bot API, sendMediaGroup).
MIN_ALBUM: Final = 2
MAX_ALBUM: Final = 10
# The Bot API's default when allowed_updates is empty: everything except these three.
_OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPE_TYPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_SECRET_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)
_WEBHOOK_MAX_DELAY: Final = 2.0
_TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_FILE_ID_ALPHABET: Final = string.ascii_letters + string.digits + "-_"


class FakeTelegram:
    """An in-process fake of the Telegram Bot API, served over real HTTP with aiohttp."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "debrief_test_bot",
        bot_first_name: str = "Debrief",
        retry_after_ratio: float = 0.0,
        retry_after: int = 1,
        webhook_retry_delay: float = 0.05,
        seed: int = 0,
        strict_html: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        """Configure the fake; nothing listens until start()."""
        if not 0.0 <= retry_after_ratio <= 1.0:
            raise ValueError("retry_after_ratio must be within [0, 1]")
        if retry_after < 1:
            # PTB only raises RetryAfter for a truthy retry_after.
            raise ValueError("retry_after must be at least 1")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.retry_after_ratio = retry_after_ratio
        self.retry_after = retry_after
        self.strict_html = strict_html
        self.host = host
        # Telegram retries a failed delivery later, waiting longer each time; tests wait less.
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook: Webhook | None = None
        self.webhook_attempts: list[WebhookAttempt] = []
        self._deliveries: asyncio.Task[None] | None = None
        self._attempted = asyncio.Event()
        self.url = ""
        self.calls: list[Call] = []
        self.rejected: list[Call] = []
        self.throttled = 0
        self.updates: list[QueuedUpdate] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self._rng = random.Random(seed)
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._pending: deque[QueuedUpdate] = deque()
        self._next_update_id = self._rng.randrange(100_000_000, 900_000_000)
        self._allowed = self._default_allowed()
        self._updates_event = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._poll_generation = 0
        self._parked_polls = 0
        self._poll_parked = asyncio.Event()
        self._open_queries: set[str] = set()
        self._answer_futures: dict[str, list[asyncio.Future[CallbackAnswer]]] = {}
        self._query_chats: dict[str, int] = {}
        self._watchers: dict[int, set[asyncio.Queue[ChatEvent]]] = {}
        self._inject_remaining = 0
        self._injected: list[tuple[str, int, str, dict[str, str]]] = []
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._handlers = self._handler_table()

    async def start(self) -> None:
        """Serve the fake API on 127.0.0.1 at a free port and set url."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        port = runner.addresses[0][1]
        self._runner = runner
        self._stopping = False
        self.url = f"http://{self.host}:{port}"

    async def stop(self) -> None:
        """Release long polls, stop webhook deliveries and shut the server down."""
        self._stopping = True
        self._updates_event.set()
        await self._stop_deliveries()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def base_url(self) -> str:
        """Return the value for python-telegram-bot's base_url."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for python-telegram-bot's base_file_url."""
        return f"{self.url}/file/bot"

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Alice",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        """Register (or return) a user and their private chat with the bot."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(self, user_id, first_name, language_code, username)
        self._users[user_id] = user
        self._chats[user_id] = Chat(
            id=user_id,
            type="private",
            title=None,
            first_name=first_name,
            username=username,
            instance=self._chat_instance(),
        )
        return user

    def group(self, chat_id: int, title: str = "Debrief group") -> FakeGroup:
        """Register a group chat (negative id) the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_id not in self._chats:
            self._chats[chat_id] = Chat(
                id=chat_id,
                type="group",
                title=title,
                first_name=None,
                username=None,
                instance=self._chat_instance(),
            )
        return FakeGroup(chat_id, title)

    def has_user(self, user_id: int) -> bool:
        """Tell whether user() registered this user."""
        return user_id in self._users

    def block(self, user_id: int) -> None:
        """Make the user block the bot: sends to them now fail with 403."""
        self._chat_or_raise(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self._chat_or_raise(user_id).blocked = False

    def inject_429(self, count: int) -> None:
        """Answer the next count sending requests with 429 Too Many Requests."""
        self._inject_remaining += count

    def inject_response(
        self,
        method: str,
        *,
        status: int,
        body: str = "",
        headers: dict[str, str] | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next count calls of method with this raw HTTP response, doing nothing.

        What a proxy in front of Telegram answers when it fails: a 502 page, a body that is
        not JSON, a redirect. The calls are recorded (with the status), not as rejections.
        """
        self._injected.extend([(method, status, body, headers or {})] * count)

    def clear_calls(self) -> None:
        """Forget recorded calls, rejections and the throttle count."""
        self.calls.clear()
        self.rejected.clear()
        self.throttled = 0

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Return the bot's messages in chat_id, oldest first."""
        chat = self._chats.get(chat_id)
        return list(chat.bot_messages) if chat is not None else []

    def message(self, chat_id: int, message_id: int) -> BotMessage:
        """Return one bot message by id."""
        return self._find_message(chat_id, message_id)

    def chat_actions(self, chat_id: int) -> list[str]:
        """Return the chat actions (typing, ...) the bot sent to chat_id, in order."""
        return [action for action, _ in self._chat_or_raise(chat_id).actions]

    async def wait_for_chat_action(
        self,
        chat_id: int,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> str:
        """Return the chat action at index `after` in chat_id, waiting until the bot sends it."""
        chat = self._chat_or_raise(chat_id)
        await _until(
            chat.action_sent,
            lambda: len(chat.actions) > after,
            timeout,
            lambda: f"no chat action #{after} in chat {chat_id} within {timeout}s",
        )
        return chat.actions[after][0]

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return the commands set for scope (default scope) and language_code."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes stored under file_id."""
        return self._files[file_id].data

    def stored_file(self, file_id: str) -> StoredFile:
        """Return a file the bot sent or a user sent (KeyError if unknown)."""
        return self._files[file_id]

    def user_messages(self, chat_id: int) -> list[JSONDict]:
        """Return the users' messages in chat_id as Bot API Message JSON, oldest first."""
        chat = self._chat_or_raise(chat_id)
        return [chat.user_messages[key] for key in sorted(chat.user_messages)]

    def user_message(self, chat_id: int, message_id: int) -> JSONDict:
        """Return one of the users' messages as Bot API Message JSON."""
        return self._chat_or_raise(chat_id).user_messages[message_id]

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """Return the bot's answer to a callback query, if it answered."""
        return self.callback_answers.get(query_id)

    @contextlib.contextmanager
    def watch(self, chat_id: int) -> Iterator[asyncio.Queue[ChatEvent]]:
        """Yield a queue that receives every change in chat_id while the block runs."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        watchers = self._watchers.setdefault(chat_id, set())
        watchers.add(queue)
        try:
            yield queue
        finally:
            watchers.discard(queue)

    def _emit(self, change: Change, chat_id: int, ref: int | str) -> None:
        """Tell the watchers of chat_id what changed."""
        for queue in self._watchers.get(chat_id, ()):
            queue.put_nowait(ChatEvent(change, chat_id, ref))

    def calls_to(self, method: str) -> list[Call]:
        """Return the recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    @property
    def pending_updates(self) -> int:
        """Return how many queued updates the bot has not confirmed yet."""
        return len(self._pending)

    def response_latencies(
        self, kinds: Iterable[str] = ("message", "callback_query")
    ) -> list[float]:
        """Return, per delivered update, seconds until the bot's next message in that chat."""
        wanted = frozenset(kinds)
        latencies: list[float] = []
        for update in self.updates:
            if update.kind not in wanted or update.delivered_at is None:
                continue
            chat = self._chats.get(update.chat_id) if update.chat_id is not None else None
            if chat is None:
                continue
            index = bisect.bisect_left(chat.sent_times, update.delivered_at)
            if index < len(chat.sent_times):
                latencies.append(chat.sent_times[index] - update.delivered_at)
        return latencies

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        after: int = 0,
        predicate: MessagePredicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> BotMessage:
        """Return the first bot message at index >= after in chat_id matching predicate."""
        chat = self._chat_or_raise(chat_id)
        check: MessagePredicate = predicate if predicate is not None else _always
        for message in chat.bot_messages[after:]:
            if check(message):
                return message
        what = "new bot message" if predicate is None else "new bot message matching the predicate"
        return await self._wait(chat, after, check, timeout, what)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> BotMessage:
        """Wait until the bot edits message_id (again) and return the edited message."""
        chat = self._chat_or_raise(chat_id)
        target = self._find_message(chat_id, message_id)
        baseline = target.edit_count

        def edited(message: BotMessage) -> bool:
            """Match a newer edit of the target message."""
            return message is target and message.edit_count > baseline

        return await self._wait(
            chat, target.index, edited, timeout, f"edit of message #{message_id}"
        )

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> CallbackAnswer:
        """Wait until the bot answers the callback query and return the answer."""
        answer = self.callback_answers.get(query_id)
        if answer is not None:
            return answer
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._answer_futures.setdefault(query_id, []).append(future)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer callback query {query_id} within {timeout}s"
                f"{self._recent_rejections()}"
            ) from None
        finally:
            futures = self._answer_futures.get(query_id, [])
            if future in futures:
                futures.remove(future)

    async def wait_updates_consumed(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> None:
        """Wait until the bot has confirmed (via getUpdates offset) every queued update."""
        await _until(
            self._drained,
            self._drained.is_set,
            timeout,
            lambda: f"{len(self._pending)} updates still unconfirmed after {timeout}s",
        )

    def redeliver(self, update_id: int) -> None:
        """Queue an update again, as Telegram does when the webhook's 200 did not reach it."""
        update = next(u for u in self.updates if u.update_id == update_id)
        if update not in self._pending:
            self._pending.append(update)
            self._drained.clear()
            self._updates_event.set()

    async def wait_for_webhook_attempts(
        self,
        count: int,
        predicate: Callable[[WebhookAttempt], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> list[WebhookAttempt]:
        """Wait until count POSTs to the webhook (those matching predicate) were made."""

        def matching() -> list[WebhookAttempt]:
            return [a for a in self.webhook_attempts if predicate is None or predicate(a)]

        await _until(
            self._attempted,
            lambda: len(matching()) >= count,
            timeout,
            lambda: f"{len(matching())} of {count} webhook attempts within {timeout}s",
        )
        return matching()

    async def wait_for_long_poll(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> None:
        """Wait until a getUpdates request is parked waiting for updates."""
        await _until(
            self._poll_parked,
            self._poll_parked.is_set,
            timeout,
            lambda: f"no getUpdates long poll parked within {timeout}s",
        )

    @property
    def long_polling(self) -> bool:
        """Tell whether a getUpdates request is currently parked."""
        return self._parked_polls > 0

    async def _wait(
        self,
        chat: Chat,
        min_index: int,
        check: MessagePredicate,
        within: float,
        what: str,
    ) -> BotMessage:
        """Park until a new or edited message at index >= min_index passes check."""
        future: asyncio.Future[BotMessage] = asyncio.get_running_loop().create_future()
        waiter = Waiter(min_index, check, future)
        chat.waiters.append(waiter)
        try:
            async with asyncio.timeout(within):
                return await future
        except TimeoutError:
            recent = "\n".join(f"  {m.describe()}" for m in chat.bot_messages[-5:]) or "  (none)"
            raise TimeoutError(
                f"no {what} in chat {chat.id} within {within}s "
                f"(looking from index {min_index}, {len(chat.bot_messages)} bot messages so far)."
                f"\nLast bot messages:\n{recent}{self._recent_rejections()}"
            ) from None
        finally:
            chat.waiters.remove(waiter)

    def _recent_rejections(self) -> str:
        """Describe the last rejected requests, which often explain a missing reply."""
        if not self.rejected:
            return ""
        lines = "\n".join(f"  {c.method}: {c.error}" for c in self.rejected[-3:])
        return f"\nRecent rejected requests:\n{lines}"

    def _notify(self, chat: Chat, message: BotMessage) -> None:
        """Wake waiters interested in a new or changed message."""
        for waiter in chat.waiters:
            if waiter.future.done() or message.index < waiter.min_index:
                continue
            try:
                matched = waiter.check(message)
            except Exception as exc:  # surfaced to the waiting test, not swallowed
                waiter.future.set_exception(exc)
                continue
            if matched:
                waiter.future.set_result(message)

    def _chat_instance(self) -> str:
        """Return a chat_instance-like identifier."""
        return str(self._rng.randrange(-(2**62), 2**62))

    def _chat_or_raise(self, chat_id: int) -> Chat:
        """Return a registered chat or raise KeyError."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is not registered with the fake (use user()/group())")
        return chat

    def _target_chat(self, user: FakeUser, chat_id: int | None) -> Chat:
        """Return the chat a user is acting in (their private chat unless chat_id is given)."""
        return self._chat_or_raise(user.chat_id if chat_id is None else chat_id)

    def _find_message(self, chat_id: int, message: BotMessage | int) -> BotMessage:
        """Resolve a BotMessage or a message id in chat_id."""
        if isinstance(message, BotMessage):
            return message
        found = self._chat_or_raise(chat_id).by_id.get(message)
        if found is None:
            raise KeyError(f"the bot sent no message #{message} in chat {chat_id}")
        return found

    def _random_id(self, prefix: str, length: int) -> str:
        """Return a Telegram-looking random identifier."""
        return prefix + "".join(self._rng.choice(_FILE_ID_ALPHABET) for _ in range(length))

    def _register_file(
        self, folder: str, data: bytes, mime_type: str | None, file_name: str | None
    ) -> StoredFile:
        """Store bytes under a fresh file_id with a downloadable file_path."""
        prefixes = {
            "voice": "AwACAgIAAxkBAAI",
            "music": "CQACAgIAAxkBAAI",
            "documents": "BQACAgIAAxkBAAI",
            "photos": "AgACAgIAAxkBAAI",
            "stickers": "CAACAgIAAxkBAAI",
        }
        file_id = self._random_id(prefixes.get(folder, "BQACAgIAAxkBAAI"), 48)
        extension = {"voice": "oga", "photos": "jpg", "stickers": "webp"}.get(folder)
        if extension is None:
            suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
            extension = re.sub(r"[^A-Za-z0-9]", "", suffix) or "bin"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=self._random_id("AgAD", 12),
            file_path=f"{folder}/file_{len(self._files)}.{extension}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _file_json(file: StoredFile) -> JSONDict:
        """Render the id fields shared by every file object."""
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.data),
        }

    def _user_message(
        self,
        user: FakeUser,
        chat_id: int | None,
        content: JSONDict,
        *,
        date: int | None,
        reply_to: int | None = None,
    ) -> int:
        """Create a user message in a chat, queue its update and return its message_id."""
        chat = self._target_chat(user, chat_id)
        message_id = chat.take_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": user.json(),
            "chat": chat.json(),
            "date": int(time.time()) if date is None else date,
            **content,
        }
        if reply_to is not None:
            replied = self._message_json_by_id(chat, reply_to)
            if replied is None:
                raise KeyError(f"no message #{reply_to} in chat {chat.id} to reply to")
            message["reply_to_message"] = replied
        chat.user_messages[message_id] = message
        self._emit(Change.USER_MESSAGE, chat.id, message_id)
        self._enqueue("message", message, chat.id, user.user_id)
        return message_id

    def _user_edit(self, user: FakeUser, chat_id: int | None, message_id: int, text: str) -> None:
        """Edit a user's text message and queue an edited_message update."""
        chat = self._target_chat(user, chat_id)
        original = chat.user_messages.get(message_id)
        if original is None or original["from"]["id"] != user.user_id or "text" not in original:
            raise KeyError(f"user {user.user_id} has no text message #{message_id} in {chat.id}")
        edited = {k: v for k, v in original.items() if k != "entities"}
        edited["text"] = text
        edited["edit_date"] = max(int(time.time()), original["date"])
        entities = command_entities(text)
        if entities:
            edited["entities"] = entities
        chat.user_messages[message_id] = edited
        self._emit(Change.USER_MESSAGE, chat.id, message_id)
        self._enqueue("edited_message", edited, chat.id, user.user_id)

    def _press(
        self,
        user: FakeUser,
        message: BotMessage | int,
        callback_data: str,
        *,
        chat_id: int | None,
        force: bool,
    ) -> str:
        """Queue a callback_query for a button on a bot message and return the query id."""
        if isinstance(message, BotMessage):
            chat = self._chat_or_raise(message.chat_id)
        else:
            chat = self._target_chat(user, chat_id)
        target = self._find_message(chat.id, message)
        if not force and not target.has_callback(callback_data):
            raise ValueError(
                f"no button with callback_data {callback_data!r} on {target.describe()}"
            )
        query_id = str(self._rng.randrange(10**17, 10**19))
        self._open_queries.add(query_id)
        self._query_chats[query_id] = chat.id
        query = {
            "id": query_id,
            "from": user.json(),
            "message": self._bot_message_json(target),
            "chat_instance": chat.instance,
            "data": callback_data,
        }
        self._enqueue("callback_query", query, chat.id, user.user_id)
        return query_id

    def _enqueue(self, kind: str, obj: JSONDict, chat_id: int | None, user_id: int | None) -> None:
        """Append an update to the queue and wake the long poll."""
        update_id = self._next_update_id
        self._next_update_id += 1
        update = QueuedUpdate(
            update_id=update_id,
            kind=kind,
            chat_id=chat_id,
            user_id=user_id,
            payload={"update_id": update_id, kind: obj},
            queued_at=time.monotonic(),
        )
        self.updates.append(update)
        if kind in self._allowed:
            self._pending.append(update)
            self._drained.clear()
            self._updates_event.set()

    @staticmethod
    def _default_allowed() -> frozenset[str]:
        """Return the update kinds delivered when allowed_updates is empty."""
        kinds = set(
            {
                "message",
                "edited_message",
                "channel_post",
                "edited_channel_post",
                "business_connection",
                "business_message",
                "edited_business_message",
                "deleted_business_messages",
                "inline_query",
                "chosen_inline_result",
                "callback_query",
                "shipping_query",
                "pre_checkout_query",
                "purchased_paid_media",
                "poll",
                "poll_answer",
                "my_chat_member",
                "chat_join_request",
                "chat_boost",
                "removed_chat_boost",
            }
        )
        return frozenset(kinds - _OPT_IN_UPDATES)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Route /bot<token>/<method> and /file/bot<token>/<path>."""
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path[len("/file/bot") :])
        if not path.startswith("/bot") or "/" not in path[len("/bot") :]:
            return json_response(404, error_body(404, "Not Found", None))
        token, method = path[len("/bot") :].split("/", 1)
        return await self._api_call(request, token, method)

    def _download(self, rest: str) -> web.StreamResponse:
        """Serve registered file bytes."""
        token, _, file_path = rest.partition("/")
        stored = self._files_by_path.get(file_path) if token == self.token else None
        if stored is None:
            return json_response(404, error_body(404, "Not Found", None))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _api_call(self, request: web.Request, token: str, method_name: str) -> web.Response:
        """Decode, validate, execute and record one Bot API call."""
        at = time.monotonic()
        method = _METHODS.get(method_name.lower(), method_name)
        params: JSONDict = {}
        throttled = False
        try:
            params = await read_params(request)
            if token != self.token:
                if _TOKEN_RE.fullmatch(token):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            if method_name.lower() not in _METHODS:
                raise ApiError(404, "Not Found")
            injected = next((i for i in self._injected if i[0] == method), None)
            if injected is not None:
                self._injected.remove(injected)
                _, status, body, headers = injected
                self.calls.append(Call(method, loggable(params), False, body, at, status))
                return web.Response(status=status, text=body, headers=headers)
            if method in SENDING_METHODS and self._should_throttle():
                throttled = True
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {self.retry_after}",
                    {"retry_after": self.retry_after},
                )
            result = await self._execute(method, params)
        except ApiError as exc:
            call = Call(method, loggable(params), False, exc.description, at, exc.status)
            if throttled:
                call.throttled = True
                self.throttled += 1
            elif not (exc.status == 409 and request.transport is None):
                # A long poll superseded after its client hung up is no rejection.
                self.rejected.append(call)
            self.calls.append(call)
            return json_response(
                exc.status, error_body(exc.status, exc.description, exc.parameters)
            )
        self.calls.append(Call(method, loggable(params), True, None, at))
        return json_response(200, {"ok": True, "result": result})

    def _should_throttle(self) -> bool:
        """Decide whether this sending request gets an injected 429."""
        if self._inject_remaining > 0:
            self._inject_remaining -= 1
            return True
        return self.retry_after_ratio > 0 and self._rng.random() < self.retry_after_ratio

    async def _execute(self, method: str, params: JSONDict) -> Any:
        """Run one validated method."""
        if method == "getUpdates":
            return await self._get_updates(params)
        return self._handlers[method](params)

    def _handler_table(self) -> dict[str, Callable[[JSONDict], Any]]:
        """Map method names to their synchronous implementations."""
        return {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "setMyCommands": self._set_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
        }

    @property
    def bot_user(self) -> JSONDict:
        """Return the bot as Bot API User JSON (what getMe answers)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_me(self, params: JSONDict) -> JSONDict:
        """getMe."""
        return self.bot_user

    def _delete_webhook(self, params: JSONDict) -> bool:
        """deleteWebhook; drop_pending_updates drops the queue."""
        self._remove_webhook()
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._drained.set()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        """setWebhook: from now on updates are POSTed to url, retried until it answers 2xx."""
        url = params.get("url")
        if not isinstance(url, str) or url == "":
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")) or check_link(url) is None:
            raise bad(WEBHOOK_URL_INVALID)
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad(WEBHOOK_SECRET_INVALID)
        connections = int_param(params, "max_connections", 40)
        if not 1 <= connections <= 100:
            connections = 40
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = frozenset(allowed) if allowed else self._default_allowed()
            self._pending = deque(u for u in self._pending if u.kind in self._allowed)
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._drained.set()
        self._remove_webhook()
        self.webhook = Webhook(url, None if secret is None else str(secret), connections)
        self._deliveries = asyncio.get_running_loop().create_task(self._deliver(self.webhook))
        # A parked long poll ends: it would now be a conflict.
        self._updates_event.set()
        return True

    def _remove_webhook(self) -> None:
        """Stop delivering to the webhook, if one is set."""
        self.webhook = None
        if self._deliveries is not None:
            self._deliveries.cancel()
            self._deliveries = None

    async def _stop_deliveries(self) -> None:
        """Cancel the delivery task and wait for it."""
        task, self._deliveries = self._deliveries, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self, hook: Webhook) -> None:
        """POST pending updates to the webhook: one at a time per chat, in order, retried."""
        busy: dict[int, asyncio.Task[None]] = {}

        def finished(key: int) -> Callable[[asyncio.Task[None]], None]:
            def done(_: asyncio.Task[None]) -> None:
                busy.pop(key, None)
                self._updates_event.set()

            return done

        async with aiohttp.ClientSession() as session:
            try:
                while self.webhook is hook and not self._stopping:
                    for update in list(self._pending):
                        if len(busy) >= hook.max_connections:
                            break
                        key = update.chat_id if update.chat_id is not None else -update.update_id
                        if key in busy:
                            continue
                        task = asyncio.create_task(self._post_until_accepted(session, hook, update))
                        task.add_done_callback(finished(key))
                        busy[key] = task
                    self._updates_event.clear()
                    await self._updates_event.wait()
            finally:
                for task in busy.values():
                    task.cancel()
                await asyncio.gather(*busy.values(), return_exceptions=True)

    async def _post_until_accepted(
        self, session: aiohttp.ClientSession, hook: Webhook, update: QueuedUpdate
    ) -> None:
        """POST one update until the webhook answers 2xx, waiting longer after each failure."""
        headers = {} if hook.secret is None else {WEBHOOK_SECRET_HEADER: hook.secret}
        delay = self.webhook_retry_delay
        while self.webhook is hook:
            if update.delivered_at is None:
                update.delivered_at = time.monotonic()
            status: int | None = None
            try:
                async with session.post(
                    hook.url, json=update.payload, headers=headers, timeout=_WEBHOOK_TIMEOUT
                ) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = None
            self.webhook_attempts.append(WebhookAttempt(update.update_id, status, time.monotonic()))
            self._attempted.set()
            if status is not None and 200 <= status < 300:
                self._confirm_one(update)
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, _WEBHOOK_MAX_DELAY)

    def _confirm_one(self, update: QueuedUpdate) -> None:
        """Forget one update the webhook accepted."""
        with contextlib.suppress(ValueError):
            self._pending.remove(update)
        if not self._pending:
            self._drained.set()

    def _commands_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        """Return the storage key for a command scope and language."""
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad("Bad Request: can't parse BotCommandScope: Unsupported type specified")
        if scope["type"] in {"chat", "chat_administrators", "chat_member"}:
            if "chat_id" not in scope:
                raise bad("Bad Request: can't parse BotCommandScope: Can't find field \"chat_id\"")
            if scope["type"] == "chat_member" and "user_id" not in scope:
                raise bad("Bad Request: can't parse BotCommandScope: Can't find field \"user_id\"")
        language = "" if language_code is None else str(language_code)
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad("Bad Request: LANG_CODE_INVALID")
        return json.dumps(scope, sort_keys=True), language

    def _set_my_commands(self, params: JSONDict) -> bool:
        """setMyCommands with Telegram's validation."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad('Bad Request: field "commands" must be of type Array')
        if len(commands) > 100:
            raise bad("Bad Request: too many commands specified")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad("Bad Request: can't parse BotCommand: Object expected")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not command:
                raise bad("Bad Request: command must be non-empty")
            if not isinstance(description, str) or not description.strip():
                raise bad("Bad Request: command description must be non-empty")
            if not _COMMAND_RE.fullmatch(command):
                raise bad("Bad Request: BOT_COMMAND_INVALID")
            if len(description) > 256:
                raise bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = cleaned
        return True

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """getUpdates with offset confirmation and long polling."""
        offset = int_param(params, "offset", 0)
        limit = min(max(int_param(params, "limit", 100), 1), 100)
        # Telegram wants whole seconds; fractions are accepted so tests can use short polls.
        timeout = max(float_param(params, "timeout", 0.0), 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad('Bad Request: field "allowed_updates" must be of type Array')
            self._allowed = frozenset(allowed) if allowed else self._default_allowed()
            self._pending = deque(u for u in self._pending if u.kind in self._allowed)
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # Wake an older long poll so it can notice it was superseded.
        self._updates_event.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT)
            if self.webhook is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
            if self._pending or self._stopping:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._updates_event.clear()
            self._parked_polls += 1
            self._poll_parked.set()
            try:
                async with asyncio.timeout(remaining):
                    await self._updates_event.wait()
            except TimeoutError:
                pass
            finally:
                self._parked_polls -= 1
                if not self._parked_polls:
                    self._poll_parked.clear()
        if self._stopping:
            return []
        batch = [update for _, update in zip(range(limit), self._pending, strict=False)]
        now = time.monotonic()
        for update in batch:
            if update.delivered_at is None:
                update.delivered_at = now
        return [update.payload for update in batch]

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by offset (negative: keep only the last -offset)."""
        pending = self._pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        elif offset > 0:
            while pending and pending[0].update_id < offset:
                pending.popleft()
        if not pending:
            self._drained.set()

    def _resolve_chat(self, params: JSONDict) -> Chat:
        """Return the chat named by chat_id or raise Telegram's error."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad("Bad Request: chat_id is empty")
        chat: Chat | None = None
        if isinstance(raw, bool):
            chat = None
        elif isinstance(raw, int):
            chat = self._chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.username and f"@{c.username}" == raw), None
            )
        if chat is None:
            raise bad(CHAT_NOT_FOUND)
        return chat

    @staticmethod
    def _ensure_reachable(chat: Chat) -> None:
        """Refuse to talk to a user who blocked the bot."""
        if chat.blocked:
            raise ApiError(403, BOT_BLOCKED)

    def _formatted(
        self, raw: str, parse_mode: Any, entities: Any, *, limit: int, caption: bool
    ) -> tuple[ParsedText, list[str]]:
        """Parse text or a caption per parse_mode and apply Telegram's length rules."""
        links: list[str] = []
        if parse_mode is None or parse_mode == "":
            parsed = ParsedText(raw, list(entities) if isinstance(entities, list) else [])
        elif not isinstance(parse_mode, str):
            raise bad("Bad Request: unsupported parse_mode")
        elif parse_mode.lower() == "html":
            try:
                parsed, links = parse_html_with_links(raw, strict=self.strict_html)
            except HtmlParseError as exc:
                raise bad(f"{PARSE_ERROR_PREFIX}{exc}") from None
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            raise bad(
                f"Bad Request: the fake Telegram server only implements HTML, not {parse_mode}"
            )
        else:
            raise bad("Bad Request: unsupported parse_mode")
        if not caption:
            if parsed.text == "":
                raise bad(TEXT_EMPTY)
            parsed = trim(parsed)
            if parsed.text == "":
                raise bad(TEXT_BLANK)
            if utf16_len(parsed.text) > limit:
                raise bad(TEXT_TOO_LONG)
        else:
            parsed = trim(parsed)
            if utf16_len(parsed.text) > limit:
                raise bad(CAPTION_TOO_LONG)
        return parsed, links

    def _reply_target(self, chat: Chat, params: JSONDict) -> int | None:
        """Validate reply_parameters / reply_to_message_id and return the replied message id."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        if reply is not None:
            if not isinstance(reply, dict):
                raise bad("Bad Request: can't parse reply parameters JSON object")
            if "message_id" not in reply:
                raise bad('Bad Request: can\'t find field "message_id"')
            message_id = reply["message_id"]
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat.id):
                raise bad("Bad Request: the fake Telegram server only supports same-chat replies")
        if message_id is None:
            return None
        exists = isinstance(message_id, int) and (
            message_id in chat.by_id or message_id in chat.user_messages
        )
        if exists:
            return int(message_id)
        if allow_missing:
            return None
        raise bad("Bad Request: message to be replied not found")

    def _store_bot_message(
        self,
        chat: Chat,
        params: JSONDict,
        parsed: ParsedText,
        links: list[str],
        markup: Markup,
        *,
        reply_to: int | None,
        document: StoredFile | None = None,
        photo: tuple[StoredFile, tuple[int, int]] | None = None,
    ) -> BotMessage:
        """Record a delivered bot message and wake waiters."""
        now = time.monotonic()
        captioned = document is not None or photo is not None
        raw = params.get("caption" if captioned else "text")
        message = BotMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            text=parsed.text,
            html=raw if isinstance(raw, str) else "",
            reply_markup=markup.raw,
            buttons=markup.buttons,
            sent_at=now,
            index=len(chat.bot_messages),
            parse_mode=params.get("parse_mode") or None,
            entities=parsed.entities,
            links=links,
            keyboard=markup.keyboard,
            date=int(time.time()),
            disable_notification=bool(params.get("disable_notification")),
            link_preview_options=params.get("link_preview_options"),
            reply_to_message_id=reply_to,
        )
        if document is not None:
            message.document_name = document.file_name
            message.document_bytes = document.data
            message.document_mime_type = document.mime_type
            message.document_file_id = document.file_id
        if photo is not None:
            message.photo_file_id = photo[0].file_id
            message.photo_size = photo[1]
        chat.bot_messages.append(message)
        chat.sent_times.append(now)
        chat.by_id[message.message_id] = message
        self._notify(chat, message)
        self._emit(Change.BOT_MESSAGE, chat.id, message.message_id)
        return message

    def _message_json_by_id(self, chat: Chat, message_id: int) -> JSONDict | None:
        """Render any message in chat (user or bot) without its own reply."""
        if message_id in chat.user_messages:
            return {
                k: v for k, v in chat.user_messages[message_id].items() if k != "reply_to_message"
            }
        bot_message = chat.by_id.get(message_id)
        if bot_message is None:
            return None
        return self._bot_message_json(bot_message, with_reply=False)

    def _bot_message_json(self, message: BotMessage, *, with_reply: bool = True) -> JSONDict:
        """Render a bot message as Bot API Message JSON."""
        chat = self._chats[message.chat_id]
        data: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": chat.json(),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.is_document:
            data["document"] = {
                "file_name": message.document_name,
                "mime_type": message.document_mime_type,
                **self._file_json(self._files[message.document_file_id or ""]),
            }
        elif message.is_photo:
            width, height = message.photo_size or (0, 0)
            file = self._files[message.photo_file_id or ""]
            data["photo"] = [{**self._file_json(file), "width": width, "height": height}]
        if message.is_document or message.is_photo:
            if message.text:
                data["caption"] = message.text
                if message.entities:
                    data["caption_entities"] = message.entities
        else:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.link_preview_options and not (message.is_document or message.is_photo):
            data["link_preview_options"] = message.link_preview_options
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if with_reply and message.reply_to_message_id is not None:
            replied = self._message_json_by_id(chat, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = replied
        return data

    def _send_message(self, params: JSONDict) -> JSONDict:
        """sendMessage."""
        text = params.get("text")
        if not isinstance(text, str) or text == "":
            raise bad(TEXT_EMPTY)
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        parsed, links = self._formatted(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._store_bot_message(chat, params, parsed, links, markup, reply_to=reply_to)
        return self._bot_message_json(message)

    def _editable(self, params: JSONDict) -> tuple[Chat, BotMessage]:
        """Resolve the target of an edit or raise Telegram's error."""
        if params.get("inline_message_id"):
            raise bad("Bad Request: the fake Telegram server does not support inline messages")
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad("Bad Request: message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None:
            if message_id in chat.user_messages:
                raise bad("Bad Request: message can't be edited")
            raise bad(EDIT_NOT_FOUND)
        self._ensure_reachable(chat)
        return chat, message

    def _apply_edit(self, chat: Chat, message: BotMessage) -> JSONDict:
        """Bump edit bookkeeping, wake waiters and render the edited message."""
        message.edited = True
        message.edit_count += 1
        message.edited_at = time.monotonic()
        message.edit_date = max(int(time.time()), message.date)
        self._notify(chat, message)
        self._emit(Change.EDIT, chat.id, message.message_id)
        return self._bot_message_json(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        """editMessageText; without reply_markup the inline keyboard is removed, as on Telegram."""
        text = params.get("text")
        if not isinstance(text, str) or text == "":
            raise bad(TEXT_EMPTY)
        chat, message = self._editable(params)
        if message.is_document or message.is_photo:
            raise bad("Bad Request: there is no text in the message to edit")
        parsed, links = self._formatted(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup.raw == inline_markup(message.reply_markup)
        ):
            raise bad(NOT_MODIFIED)
        message.text = parsed.text
        message.html = text
        message.parse_mode = params.get("parse_mode") or None
        message.entities = parsed.entities
        message.links = links
        message.reply_markup = markup.raw
        message.buttons = markup.buttons
        if "link_preview_options" in params:
            message.link_preview_options = params["link_preview_options"]
        return self._apply_edit(chat, message)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """editMessageReplyMarkup; without reply_markup the inline keyboard is removed."""
        chat, message = self._editable(params)
        markup = parse_markup(params.get("reply_markup"), inline_only=True)
        if markup.raw == inline_markup(message.reply_markup):
            raise bad(NOT_MODIFIED)
        message.reply_markup = markup.raw
        message.buttons = markup.buttons
        return self._apply_edit(chat, message)

    def _answer_callback_query(self, params: JSONDict) -> bool:
        """answerCallbackQuery; each query can be answered once."""
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or query_id not in self._open_queries:
            raise bad(QUERY_INVALID)
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            raise bad('Bad Request: field "text" must be of type String')
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("Bad Request: MESSAGE_TOO_LONG")
        url = params.get("url")
        self._open_queries.discard(query_id)
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=bool(params.get("show_alert")),
            url=url if isinstance(url, str) else None,
            cache_time=int_param(params, "cache_time", 0),
            answered_at=time.monotonic(),
        )
        self.callback_answers[query_id] = answer
        for future in self._answer_futures.pop(query_id, []):
            if not future.done():
                future.set_result(answer)
        chat_id = self._query_chats.pop(query_id, None)
        if chat_id is not None:
            self._emit(Change.ANSWER, chat_id, query_id)
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        """sendChatAction."""
        chat = self._resolve_chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise bad("Bad Request: wrong parameter action in request")
        self._ensure_reachable(chat)
        chat.actions.append((str(action), time.monotonic()))
        chat.action_sent.set()
        self._emit(Change.ACTION, chat.id, str(action))
        return True

    def _send_document(self, params: JSONDict) -> JSONDict:
        """sendDocument from an upload, a known file_id or an HTTP URL."""
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        document = params.get("document")
        stored: StoredFile
        if isinstance(document, web.FileField):
            data = document.file.read()
            if not data:
                raise bad("Bad Request: file must be non-empty")
            stored = self._register_file(
                "documents", data, document.content_type, document.filename or "document"
            )
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            name = document.rstrip("/").rsplit("/", 1)[-1] or "document"
            stored = self._register_file("documents", b"", None, name)
        elif document is None or document == "":
            raise bad("Bad Request: there is no document in the request")
        else:
            raise bad("Bad Request: wrong remote file identifier specified: Wrong padding length")
        return self._send_captioned(chat, params, document=stored)

    def _send_photo(self, params: JSONDict) -> JSONDict:
        """sendPhoto of an uploaded PNG or JPEG (or a photo's file_id), with Telegram's limits."""
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        photo = params.get("photo")
        if isinstance(photo, web.FileField):
            data = photo.file.read()
            if not data:
                raise bad("Bad Request: file must be non-empty")
            if len(data) > MAX_PHOTO_BYTES:
                raise bad(PHOTO_TOO_BIG)
            image = image_info(data)
            if image is None:
                raise bad(PHOTO_INVALID)
            size = (image.width, image.height)
            if sum(size) > MAX_PHOTO_SIDES or max(size) > MAX_PHOTO_RATIO * max(min(size), 1):
                raise bad(PHOTO_DIMENSIONS)
            stored = self._register_file("photos", data, image.mime_type, None)
        elif isinstance(photo, str) and photo in self._files:
            stored = self._files[photo]
            known = image_info(stored.data)
            size = (known.width, known.height) if known is not None else (0, 0)
        elif photo is None or photo == "":
            raise bad("Bad Request: there is no photo in the request")
        else:
            raise bad("Bad Request: wrong remote file identifier specified: Wrong padding length")
        return self._send_captioned(chat, params, photo=(stored, size))

    def _send_captioned(
        self,
        chat: Chat,
        params: JSONDict,
        *,
        document: StoredFile | None = None,
        photo: tuple[StoredFile, tuple[int, int]] | None = None,
    ) -> JSONDict:
        """Send a document or a photo with its caption, keyboard and reply."""
        caption = params.get("caption")
        parsed, links = self._formatted(
            caption if isinstance(caption, str) else "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            caption=True,
        )
        markup = parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._store_bot_message(
            chat, params, parsed, links, markup, reply_to=reply_to, document=document, photo=photo
        )
        return self._bot_message_json(message)

    def _send_media_group(self, params: JSONDict) -> list[JSONDict]:
        """sendMediaGroup of uploaded documents (an album of 2-10; no reply_markup)."""
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        media = params.get("media")
        if isinstance(media, web.FileField):
            raise bad("Bad Request: can't parse input media JSON object")
        if not isinstance(media, list) or not media:
            raise bad('Bad Request: parameter "media" is required')
        if len(media) > MAX_ALBUM:
            raise bad("Bad Request: too much messages to send as an album")
        if len(media) < MIN_ALBUM:
            # The documented rule ("must include 2-10 items"); the live wording may differ.
            raise bad("Bad Request: media group must include 2-10 items")
        kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
        if kinds != {"document"}:
            raise bad("Bad Request: document can't be mixed with other media types")
        uploads: list[tuple[StoredFile, JSONDict]] = []
        for item in media:
            reference = item.get("media")
            field = None
            if isinstance(reference, str) and reference.startswith("attach://"):
                field = params.get(reference.removeprefix("attach://"))
            if not isinstance(field, web.FileField):
                raise bad("Bad Request: wrong file identifier/HTTP URL specified")
            data = field.file.read()
            if not data:
                raise bad("Bad Request: file must be non-empty")
            stored = self._register_file(
                "documents", data, field.content_type, field.filename or "document"
            )
            uploads.append((stored, item))
        messages = []
        for stored, item in uploads:
            caption = item.get("caption")
            parsed, links = self._formatted(
                caption if isinstance(caption, str) else "",
                item.get("parse_mode"),
                item.get("caption_entities"),
                limit=MAX_CAPTION_LENGTH,
                caption=True,
            )
            message = self._store_bot_message(
                chat, item, parsed, links, NO_MARKUP, reply_to=None, document=stored
            )
            messages.append(self._bot_message_json(message))
        return messages

    def _get_file(self, params: JSONDict) -> JSONDict:
        """getFile for files the fake created or received."""
        file_id = params.get("file_id")
        if not file_id:
            raise bad("Bad Request: file_id not specified")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise bad("Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad("Bad Request: file is too big")
        return {**self._file_json(stored), "file_path": stored.file_path}


async def _until(
    event: asyncio.Event,
    done: Callable[[], bool],
    timeout: float,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    failure: Callable[[], str],
) -> None:
    """Wait until `done()` holds, checking each time `event` fires; say `failure()` on timeout."""
    try:
        async with asyncio.timeout(timeout):
            while not done():
                event.clear()
                await event.wait()
    except TimeoutError:
        raise TimeoutError(failure()) from None


def _always(message: BotMessage) -> bool:
    """Accept every message."""
    return True
