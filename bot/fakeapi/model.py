"""What the imitation of the Bot API stores: calls, queued updates, chats, the bot's messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

JSONDict = dict[str, Any]
MessagePredicate = Callable[["BotMessage"], bool]

DEFAULT_TOKEN: Final = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024
# sendPhoto: at most 10 MB, width + height at most 10000, a ratio of at most 20.
MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_PHOTO_SIDES: Final = 10_000
MAX_PHOTO_RATIO: Final = 20

CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
TEXT_EMPTY: Final = "Bad Request: message text is empty"
TEXT_BLANK: Final = "Bad Request: text must be non-empty"
TEXT_TOO_LONG: Final = "Bad Request: message is too long"
CAPTION_TOO_LONG: Final = "Bad Request: message caption is too long"
PARSE_ERROR_PREFIX: Final = "Bad Request: can't parse entities: "
BUTTON_DATA_INVALID: Final = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_TEXT_INVALID: Final = "Bad Request: BUTTON_TEXT_INVALID"
TEXT_BUTTONS_UNALLOWED: Final = (
    "Bad Request: can't parse inline keyboard button: "
    "Text buttons are unallowed in the inline keyboard"
)
PHOTO_INVALID: Final = "Bad Request: IMAGE_PROCESS_FAILED"
PHOTO_DIMENSIONS: Final = "Bad Request: PHOTO_INVALID_DIMENSIONS"
PHOTO_TOO_BIG: Final = "Bad Request: PHOTO_SAVE_FILE_INVALID"
WEBHOOK_ACTIVE: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
WEBHOOK_URL_INVALID: Final = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
WEBHOOK_SECRET_INVALID: Final = "Bad Request: secret token contains unallowed characters"
WEBHOOK_SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
BOT_BLOCKED: Final = "Forbidden: bot was blocked by the user"
CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class Change(StrEnum):
    """What happened in a chat, for whoever watches it (the demo's web page)."""

    BOT_MESSAGE = "bot_message"
    EDIT = "edit"
    USER_MESSAGE = "user_message"
    ACTION = "action"
    ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One change in a chat: a message id, a chat action or a callback query id."""

    change: Change
    chat_id: int
    ref: int | str


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram POSTs updates (setWebhook), with the secret it sends back."""

    url: str
    secret: str | None
    max_connections: int


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One POST of an update to the webhook: the HTTP status, or None when it failed."""

    update_id: int
    status: int | None
    at: float


@dataclass(slots=True)
class Call:
    """One Bot API request the bot made; at is time.monotonic() when it arrived."""

    method: str
    params: JSONDict
    ok: bool
    error: str | None
    at: float
    status: int = 200
    throttled: bool = False


@dataclass(slots=True)
class QueuedUpdate:
    """An update queued for the bot; delivered_at is when getUpdates first handed it over."""

    update_id: int
    kind: str
    chat_id: int | None
    user_id: int | None
    payload: JSONDict
    queued_at: float
    delivered_at: float | None = None


@dataclass(slots=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for one callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float


@dataclass(slots=True, eq=False, repr=False)
class BotMessage:
    """A message the bot sent, kept current as the bot edits it."""

    message_id: int
    chat_id: int
    text: str
    html: str
    reply_markup: JSONDict | None
    buttons: list[tuple[str, str]]
    sent_at: float
    edited: bool = False
    document_name: str | None = None
    document_bytes: bytes | None = None
    index: int = 0
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    keyboard: list[list[str]] | None = None
    date: int = 0
    edit_date: int | None = None
    edit_count: int = 0
    edited_at: float | None = None
    disable_notification: bool = False
    link_preview_options: JSONDict | None = None
    reply_to_message_id: int | None = None
    document_mime_type: str | None = None
    document_file_id: str | None = None
    photo_file_id: str | None = None
    photo_size: tuple[int, int] | None = None

    @property
    def labels(self) -> list[str]:
        """Return the texts of the inline buttons, row by row."""
        return [label for label, _ in self.buttons]

    @property
    def is_document(self) -> bool:
        """Tell whether this is a document message (its text is the caption)."""
        return self.document_file_id is not None

    @property
    def is_photo(self) -> bool:
        """Tell whether this is a photo message (its text is the caption)."""
        return self.photo_file_id is not None

    def callback_data(self, label: str) -> str:
        """Return the callback_data of the button labelled label (exact, else unique substring)."""
        callbacks = self._callback_buttons()
        for text, data in callbacks:
            if text == label:
                return data
        needle = label.casefold()
        found = [data for text, data in callbacks if needle in text.casefold()]
        if len(found) == 1:
            return found[0]
        raise KeyError(f"no single callback button {label!r} in message {self.describe()}")

    def has_callback(self, data: str) -> bool:
        """Tell whether an inline button carries this callback_data."""
        return any(value == data for _, value in self._callback_buttons())

    def _callback_buttons(self) -> list[tuple[str, str]]:
        """Return (text, callback_data) for the callback buttons only."""
        if self.reply_markup is None:
            return []
        return [
            (button["text"], button["callback_data"])
            for row in self.reply_markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    def __repr__(self) -> str:
        """Show the summary rather than every field (document bytes included)."""
        return f"BotMessage({self.describe()})"

    def describe(self) -> str:
        """Return a one-line summary for assertion messages."""
        flags = " (edited)" if self.edited else ""
        body = self.text
        if self.is_document:
            body = f"[document {self.document_name!r}] {self.text}"
        elif self.is_photo:
            body = f"[photo] {self.text}"
        shown = body if len(body) <= 300 else body[:297] + "..."
        buttons = f" buttons={self.buttons}" if self.buttons else ""
        return f"#{self.message_id}{flags}: {shown!r}{buttons}"


@dataclass(slots=True)
class StoredFile:
    """Bytes registered under a file_id so getFile and downloads work."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None
    file_name: str | None


@dataclass(slots=True, eq=False)
class Waiter:
    """A test waiting for a bot message in one chat."""

    min_index: int
    check: MessagePredicate
    future: asyncio.Future[BotMessage]


@dataclass(slots=True, eq=False)
class Chat:
    """Everything the fake knows about one chat."""

    id: int
    type: str
    title: str | None
    first_name: str | None
    username: str | None
    instance: str
    next_message_id: int = 1
    blocked: bool = False
    bot_messages: list[BotMessage] = field(default_factory=list)
    sent_times: list[float] = field(default_factory=list)
    by_id: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JSONDict] = field(default_factory=dict)
    waiters: list[Waiter] = field(default_factory=list)
    actions: list[tuple[str, float]] = field(default_factory=list)
    action_sent: asyncio.Event = field(default_factory=asyncio.Event)

    def json(self) -> JSONDict:
        """Render the chat as Bot API Chat JSON."""
        data: JSONDict = {"id": self.id}
        if self.type == "private":
            data["first_name"] = self.first_name
            if self.username:
                data["username"] = self.username
        else:
            data["title"] = self.title
        data["type"] = self.type
        return data

    def take_message_id(self) -> int:
        """Allocate the next message id; private chats share one sequence both ways."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Keep the HTTP status, description and optional ResponseParameters."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    """Build a 400 error."""
    return ApiError(400, description)
