"""An imitation of the Telegram Bot API over real HTTP, for the tests and the local demo.

It imports nothing else from the bot: the bot talks to it only through python-telegram-bot.
"""

from bot.fakeapi.formatting import HtmlParseError, ParsedText, parse_html, utf16_len
from bot.fakeapi.model import (
    DEFAULT_TOKEN,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_TEXT_LENGTH,
    WEBHOOK_SECRET_HEADER,
    BotMessage,
    Call,
    CallbackAnswer,
    Change,
    ChatEvent,
    JSONDict,
    MessagePredicate,
    QueuedUpdate,
    StoredFile,
    Webhook,
    WebhookAttempt,
)
from bot.fakeapi.server import FakeTelegram
from bot.fakeapi.users import FakeGroup, FakeUser

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_BYTES",
    "MAX_TEXT_LENGTH",
    "WEBHOOK_SECRET_HEADER",
    "BotMessage",
    "Call",
    "CallbackAnswer",
    "Change",
    "ChatEvent",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "HtmlParseError",
    "JSONDict",
    "MessagePredicate",
    "ParsedText",
    "QueuedUpdate",
    "StoredFile",
    "Webhook",
    "WebhookAttempt",
    "parse_html",
    "utf16_len",
]
