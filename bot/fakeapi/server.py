"""Fake Telegram Bot API server for offline end-to-end tests and benchmarks."""

from __future__ import annotations

import asyncio
import bisect
import json
import random
import re
import string
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final

from aiohttp import web

JSONDict = dict[str, Any]
MessagePredicate = Callable[["BotMessage"], bool]

DEFAULT_TOKEN: Final = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024

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
EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
DELETE_NOT_FOUND: Final = "Bad Request: message to delete not found"
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

_METHODS: Final = {
    name.lower(): name
    for name in {
        "getMe",
        "logOut",
        "close",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "sendChatAction",
        "sendDocument",
        "sendMediaGroup",
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
_BUTTON_ACTIONS: Final = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_INT_PARAMS: Final = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
    }
)
_BOOL_PARAMS: Final = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
    }
)
_JSON_PARAMS: Final = {
    "reply_markup": "reply keyboard markup",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "allowed_updates": "allowed updates",
    "commands": "bot commands",
    "scope": "bot command scope",
    "entities": "message entities",
    "caption_entities": "caption entities",
    "media": "input media",
}
_TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_FILE_ID_ALPHABET: Final = string.ascii_letters + string.digits + "-_"


class HtmlParseError(ValueError):
    """Text is not valid Telegram HTML; str() is the Bot API's wording after the prefix."""


@dataclass(frozen=True, slots=True)
class ParsedText:
    """Plain text and MessageEntity dicts, as Telegram derives them from a formatted text."""

    text: str
    entities: list[JSONDict]


@dataclass(slots=True)
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    argument: str
    utf16_offset: int
    out_index: int
    expandable: bool


@dataclass(slots=True)
class _Entity:
    """An entity under construction; argument is a URL, language or custom emoji id."""

    type: str
    offset: int
    length: int
    argument: str = ""


_ALLOWED_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space() also treats NUL as a space, which is how it detects the end of input.
_SPACES: Final = frozenset(" \t\r\n\v\f\0")
_TRIM: Final = " \t\r\n\v\f"
_NAME_TOKEN: Final = frozenset(string.ascii_letters + string.digits + ".-")
_SPECIAL_RE: Final = re.compile(r"[<&]")
_ASCII_LETTERS: Final = frozenset(string.ascii_letters)
_ENTITY_NAME: Final = frozenset(string.ascii_letters + string.digits + "#")
# A scheme is "name:" not followed by a digit, so "example.com:8080" stays a host and port.
_SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, which is how Telegram counts."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of text[index], as used in Telegram's error messages."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at text[pos] ('&') like tdlib does, or return None."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        code = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in string.hexdigits:
                code = code * 16 + int(text[end], 16)
                end += 1
        else:
            while end < n and text[end] in string.digits:
                code = code * 10 + int(text[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < n and text[end] in _ASCII_LETTERS:
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def check_link(url: str) -> str | None:
    """Return the link Telegram would keep for a text link (http(s), tg, mailto), else None."""
    url = url.strip()
    match = _SCHEME_RE.match(url)
    if match is None:
        host = re.split(r"[/?#]", url, maxsplit=1)[0]
        return f"http://{url}" if url and _valid_host(host) else None
    scheme = match.group(1).lower()
    rest = url[match.end() :]
    if scheme == "tg":
        return url if rest.lstrip("/") else None
    if scheme == "mailto":
        return url if "@" in rest else None
    if scheme in {"http", "https"} and rest.startswith("//"):
        host = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
        return url if _valid_host(host) else None
    return None


def _valid_host(host: str) -> bool:
    """Tell whether host (optionally with user info and port) looks like a real host name."""
    host = host.rsplit("@", 1)[-1]
    host = re.sub(r":\d{1,5}$", "", host)
    if host == "localhost" or re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host):
        return True
    labels = host.split(".")
    return len(labels) >= 2 and all(
        label and re.fullmatch(r"[\w-]+", label) and not label.startswith("-") for label in labels
    )


class _HtmlParser:
    """A port of tdlib's parse_html(): same accepted input, same error texts."""

    def __init__(self, source: str, *, strict: bool) -> None:
        """Prepare to parse source."""
        self.src = source
        self.strict = strict
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[_Entity] = []
        self.stack: list[_OpenTag] = []
        self.links: list[str] = []
        self.saw_surrogate = False

    def fail(self, message: str) -> HtmlParseError:
        """Build the parse error for message."""
        return HtmlParseError(message)

    def parse(self) -> tuple[str, list[_Entity]]:
        """Run the parser over the whole source."""
        src = self.src
        n = len(src)
        i = 0
        while i < n:
            match = _SPECIAL_RE.search(src, i)
            stop = match.start() if match else n
            if stop > i:
                chunk = src[i:stop]
                self.out.append(chunk)
                self.utf16 += utf16_len(chunk)
                i = stop
                continue
            if src[i] == "&":
                i = self._entity(i)
            elif i + 1 < n and src[i + 1] == "/":
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        if self.saw_surrogate:
            text = "".join(self.out)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(
                    "Text contains invalid Unicode characters after decoding HTML entities, "
                    "check for unmatched surrogate code units"
                ) from None
        for entity in self.entities:
            if entity.type == "code":
                entity.argument = ""
        return "".join(self.out), self.entities

    def _entity(self, i: int) -> int:
        """Consume a character reference starting at i and return the next index."""
        decoded = _decode_html_entity(self.src, i)
        if decoded is not None:
            char, end = decoded
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                self.saw_surrogate = True
            self.out.append(char)
            self.utf16 += 2 if code > 0xFFFF else 1
            return end
        if self.strict:
            # Telegram shows an unknown or bare '&' literally; strict mode flags it, because it
            # almost always means user text reached parse_mode=HTML without html.escape().
            end = i + 1
            while end < len(self.src) and self.src[end] in _ENTITY_NAME:
                end += 1
            if end > i + 1 and end < len(self.src) and self.src[end] == ";":
                end += 1
            name = self.src[i:end]
            offset = _byte_offset(self.src, i)
            if name == "&":
                raise self.fail(f'Character "&" at byte offset {offset} must be escaped as "&amp;"')
            raise self.fail(f'Unsupported HTML entity "{name}" at byte offset {offset}')
        self.out.append("&")
        self.utf16 += 1
        return i + 1

    def _start_tag(self, begin: int) -> int:
        """Consume a start tag at begin ('<') and return the index after its '>'."""
        src = self.src
        n = len(src)
        i = begin + 1
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        offset = _byte_offset(src, begin)
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {offset}")
        name = src[begin + 1 : i].lower()
        if name not in _ALLOWED_TAGS:
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = ""
        expandable = False
        while True:
            while i < n and src[i] in _SPACES:
                i += 1
            if i < n and src[i] == ">":
                break
            attr_begin = i
            while i < n and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr = src[attr_begin:i]
            if not attr:
                raise self.fail(f'Empty attribute name in the tag "{name}" at byte offset {offset}')
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n or src[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    expandable = True
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {offset}'
                )
            i += 1
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise self.fail(f'Unclosed start tag "{name}" at byte offset {offset}')
            value, i = self._attribute_value(i)
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {offset}")
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out), expandable))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        """Read a quoted or bare attribute value at i; return it and the next index."""
        src = self.src
        n = len(src)
        if src[i] not in "'\"":
            token_begin = i
            while i < n and src[i] in _NAME_TOKEN:
                i += 1
            if i < n and src[i] not in _SPACES and src[i] != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {_byte_offset(src, token_begin)}"
                )
            return src[token_begin:i].lower(), i
        quote = src[i]
        i += 1
        parts: list[str] = []
        while i < n and src[i] != quote:
            if src[i] == "&":
                decoded = _decode_html_entity(src, i)
                if decoded is not None:
                    parts.append(decoded[0])
                    i = decoded[1]
                    continue
            parts.append(src[i])
            i += 1
        if i < n:
            i += 1
        return "".join(parts), i

    def _end_tag(self, begin: int) -> int:
        """Consume an end tag at begin ('<') and return the index after its '>'."""
        src = self.src
        n = len(src)
        offset = _byte_offset(src, begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {offset}")
        i = begin + 2
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i].lower()
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n or src[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {offset}")
        top = self.stack[-1]
        if end_name and end_name != top.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16 > top.utf16_offset:
            self._close(top)
        self.stack.pop()
        return i + 1

    def _close(self, top: _OpenTag) -> None:
        """Turn a closed, non-empty tag into an entity."""
        offset = top.utf16_offset
        length = self.utf16 - offset
        entities = self.entities
        last = entities[-1] if entities else None
        same_span = last is not None and last.offset == offset and last.length == length
        if top.name in _SIMPLE_TAGS:
            entities.append(_Entity(_SIMPLE_TAGS[top.name], offset, length))
        elif top.name == "tg-emoji":
            if not re.fullmatch(r"\d{1,19}", top.argument) or not 0 < int(top.argument) < 2**63:
                raise self.fail("Invalid custom emoji identifier specified")
            entities.append(_Entity("custom_emoji", offset, length, top.argument))
        elif top.name == "a":
            url = top.argument or "".join(self.out[top.out_index :])
            checked = check_link(url)
            # Telegram silently drops links it can't use instead of rejecting the message.
            if checked is not None:
                self.links.append(checked)
                entities.append(_Entity("text_link", offset, length, checked))
        elif top.name == "pre":
            if last is not None and same_span and last.type == "code" and last.argument:
                last.type = "pre"
            else:
                entities.append(_Entity("pre", offset, length))
        elif top.name == "code":
            if last is not None and same_span and last.type == "pre" and top.argument:
                last.argument = top.argument
            else:
                entities.append(_Entity("code", offset, length, top.argument))
        else:
            kind = "expandable_blockquote" if top.expandable else "blockquote"
            entities.append(_Entity(kind, offset, length))


def _entity_json(entity: _Entity) -> JSONDict:
    """Render an entity as Bot API MessageEntity JSON."""
    data: JSONDict = {"offset": entity.offset, "length": entity.length, "type": entity.type}
    if entity.type == "text_link":
        data["url"] = entity.argument
    elif entity.type == "pre" and entity.argument:
        data["language"] = entity.argument
    elif entity.type == "custom_emoji":
        data["custom_emoji_id"] = entity.argument
    return data


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, raising HtmlParseError like the API."""
    return _parse_html_with_links(source, strict=strict)[0]


def _parse_html_with_links(source: str, *, strict: bool) -> tuple[ParsedText, list[str]]:
    """Parse Telegram HTML and also return the links kept as text_link entities."""
    parser = _HtmlParser(source, strict=strict)
    text, entities = parser.parse()
    entities.sort(key=lambda e: (e.offset, -e.length))
    return ParsedText(text, [_entity_json(e) for e in entities]), parser.links


def _trim(parsed: ParsedText) -> ParsedText:
    """Strip surrounding whitespace like Telegram does, keeping entities aligned."""
    text = parsed.text
    core = text.strip(_TRIM)
    if core == text:
        return parsed
    if not core:
        return ParsedText("", [])
    shift = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    limit = utf16_len(core)
    entities: list[JSONDict] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(core, entities)


def command_entities(text: str) -> list[JSONDict]:
    """Return the bot_command entity Telegram attaches to a text starting with a command."""
    match = _BOT_COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"offset": 0, "length": utf16_len(match.group()), "type": "bot_command"}]


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
    """A message the bot sent, kept current as the bot edits or deletes it."""

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
    deleted: bool = False
    disable_notification: bool = False
    link_preview_options: JSONDict | None = None
    reply_to_message_id: int | None = None
    document_mime_type: str | None = None
    document_file_id: str | None = None

    @property
    def labels(self) -> list[str]:
        """Return the texts of the inline buttons, row by row."""
        return [label for label, _ in self.buttons]

    @property
    def is_document(self) -> bool:
        """Tell whether this is a document message (its text is the caption)."""
        return self.document_file_id is not None

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
        flags = (" (edited)" if self.edited else "") + (" (deleted)" if self.deleted else "")
        body = f"[document {self.document_name!r}] {self.text}" if self.is_document else self.text
        shown = body if len(body) <= 300 else body[:297] + "..."
        buttons = f" buttons={self.buttons}" if self.buttons else ""
        return f"#{self.message_id}{flags}: {shown!r}{buttons}"


@dataclass(slots=True)
class _StoredFile:
    """Bytes registered under a file_id so getFile and downloads work."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None
    file_name: str | None


@dataclass(slots=True, eq=False)
class _Waiter:
    """A test waiting for a bot message in one chat."""

    min_index: int
    check: MessagePredicate
    future: asyncio.Future[BotMessage]


@dataclass(slots=True, eq=False)
class _Chat:
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
    waiters: list[_Waiter] = field(default_factory=list)
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


class _ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        """Keep the HTTP status, description and optional ResponseParameters."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> _ApiError:
    """Build a 400 error."""
    return _ApiError(400, description)


class FakeUser:
    """A simulated Telegram user with a private chat with the bot."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        """Create a user; use FakeTelegram.user() rather than calling this directly."""
        self.fake = fake
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.inbox_position = 0

    @property
    def chat_id(self) -> int:
        """Return the id of the private chat with the bot (the user id)."""
        return self.user_id

    def json(self) -> JSONDict:
        """Render the user as Bot API User JSON."""
        data: JSONDict = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data

    @property
    def messages(self) -> list[BotMessage]:
        """Return every bot message in the private chat, oldest first."""
        return self.fake.messages(self.user_id)

    @property
    def last_message(self) -> BotMessage | None:
        """Return the newest bot message in the private chat, if any."""
        messages = self.messages
        return messages[-1] if messages else None

    async def send_text(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        date: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Send a text message (commands get a bot_command entity) and return its message_id."""
        content: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self.fake._user_message(self, chat_id, content, date=date, reply_to=reply_to)

    async def send_sticker(
        self, *, emoji: str = "👍", chat_id: int | None = None, date: int | None = None
    ) -> int:
        """Send a sticker and return its message_id."""
        file = self.fake._register_file("stickers", b"RIFF-webp-sticker", "image/webp", None)
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            **self.fake._file_json(file),
        }
        return self.fake._user_message(self, chat_id, {"sticker": sticker}, date=date)

    async def send_photo(
        self,
        *,
        caption: str | None = None,
        data: bytes = b"\xff\xd8\xff fake jpeg",
        chat_id: int | None = None,
        date: int | None = None,
    ) -> int:
        """Send a photo (two sizes) and return its message_id."""
        small = self.fake._register_file("photos", data[:16], "image/jpeg", None)
        large = self.fake._register_file("photos", data, "image/jpeg", None)
        sizes = [
            {**self.fake._file_json(small), "width": 90, "height": 90},
            {**self.fake._file_json(large), "width": 800, "height": 800},
        ]
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self.fake._user_message(self, chat_id, content, date=date)

    async def send_location(
        self,
        latitude: float = 52.37,
        longitude: float = 4.89,
        *,
        chat_id: int | None = None,
        date: int | None = None,
    ) -> int:
        """Send a location and return its message_id."""
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self.fake._user_message(self, chat_id, content, date=date)

    async def send_voice(
        self,
        ogg_bytes: bytes,
        duration: int,
        *,
        mime_type: str = "audio/ogg",
        size_known: bool = True,
        chat_id: int | None = None,
        date: int | None = None,
    ) -> int:
        """Send a voice note whose bytes the bot can download, and return its message_id.

        Telegram may leave out file_size (size_known=False); getFile still refuses over 20 MB.
        """
        file = self.fake._register_file("voice", ogg_bytes, mime_type, None)
        voice = {"duration": duration, "mime_type": mime_type, **self.fake._file_json(file)}
        if not size_known:
            del voice["file_size"]
        return self.fake._user_message(self, chat_id, {"voice": voice}, date=date)

    async def send_audio(
        self,
        data: bytes,
        duration: int,
        *,
        file_name: str = "recording.ogg",
        mime_type: str = "audio/ogg",
        title: str | None = None,
        performer: str | None = None,
        chat_id: int | None = None,
        date: int | None = None,
    ) -> int:
        """Send an audio file the bot can download, and return its message_id."""
        file = self.fake._register_file("music", data, mime_type, file_name)
        audio: JSONDict = {
            "duration": duration,
            "file_name": file_name,
            "mime_type": mime_type,
            **self.fake._file_json(file),
        }
        if title is not None:
            audio["title"] = title
        if performer is not None:
            audio["performer"] = performer
        return self.fake._user_message(self, chat_id, {"audio": audio}, date=date)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "notes.txt",
        *,
        mime_type: str = "text/plain",
        caption: str | None = None,
        chat_id: int | None = None,
        date: int | None = None,
    ) -> int:
        """Send a document the bot can download, and return its message_id."""
        file = self.fake._register_file("documents", data, mime_type, file_name)
        document = {"file_name": file_name, "mime_type": mime_type, **self.fake._file_json(file)}
        content: JSONDict = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return self.fake._user_message(self, chat_id, content, date=date)

    async def edit_text(
        self, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> None:
        """Edit one of this user's text messages, queueing an edited_message update."""
        self.fake._user_edit(self, chat_id, message_id, new_text)

    async def press(
        self,
        message: BotMessage | int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        force: bool = False,
    ) -> str:
        """Press an inline button (must exist unless force=True); return the callback query id."""
        return self.fake._press(self, message, callback_data, chat_id=chat_id, force=force)

    async def press_button(
        self, message: BotMessage | int, label: str, *, chat_id: int | None = None
    ) -> str:
        """Press the inline button labelled label; return the callback query id."""
        target = self.fake._find_message(chat_id if chat_id is not None else self.chat_id, message)
        return await self.press(target, target.callback_data(label), chat_id=chat_id)

    async def next_message(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
        predicate: MessagePredicate | None = None,
    ) -> BotMessage:
        """Return the next bot message in this chat not yet returned here (skipped ones too)."""
        message = await self.fake.wait_for_message(
            self.chat_id, after=self.inbox_position, predicate=predicate, timeout=timeout
        )
        self.inbox_position = message.index + 1
        return message

    def skip_inbox(self) -> None:
        """Mark every bot message so far as seen by next_message()."""
        self.inbox_position = len(self.messages)

    async def wait_edit(
        self,
        message_id: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> BotMessage:
        """Wait until the bot edits message_id in this chat again; return the message."""
        return await self.fake.wait_for_edit(self.chat_id, message_id, timeout=timeout)


@dataclass(slots=True)
class FakeGroup:
    """A simulated group chat; users talk in it via send_*(..., chat_id=group.chat_id)."""

    chat_id: int
    title: str


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
        self.url = ""
        self.calls: list[Call] = []
        self.rejected: list[Call] = []
        self.throttled = 0
        self.updates: list[QueuedUpdate] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self._rng = random.Random(seed)
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
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
        self._inject_remaining = 0
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
        """Release long polls and shut the server down."""
        self._stopping = True
        self._updates_event.set()
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
        self._chats[user_id] = _Chat(
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
            self._chats[chat_id] = _Chat(
                id=chat_id,
                type="group",
                title=title,
                first_name=None,
                username=None,
                instance=self._chat_instance(),
            )
        return FakeGroup(chat_id, title)

    def block(self, user_id: int) -> None:
        """Make the user block the bot: sends to them now fail with 403."""
        self._chat_or_raise(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """Undo block()."""
        self._chat_or_raise(user_id).blocked = False

    def inject_429(self, count: int) -> None:
        """Answer the next count sending requests with 429 Too Many Requests."""
        self._inject_remaining += count

    def clear_calls(self) -> None:
        """Forget recorded calls, rejections and the throttle count."""
        self.calls.clear()
        self.rejected.clear()
        self.throttled = 0

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Return the bot's messages in chat_id, oldest first (deleted ones included)."""
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
        try:
            async with asyncio.timeout(timeout):
                while len(chat.actions) <= after:
                    chat.action_sent.clear()
                    await chat.action_sent.wait()
        except TimeoutError:
            raise TimeoutError(
                f"no chat action #{after} in chat {chat_id} within {timeout}s"
            ) from None
        return chat.actions[after][0]

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return the commands set for scope (default scope) and language_code."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes stored under file_id."""
        return self._files[file_id].data

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
        try:
            async with asyncio.timeout(timeout):
                await self._drained.wait()
        except TimeoutError:
            raise TimeoutError(
                f"{len(self._pending)} updates still unconfirmed after {timeout}s"
            ) from None

    async def wait_for_long_poll(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bounded wait is the point of these test helpers
    ) -> None:
        """Wait until a getUpdates request is parked waiting for updates."""
        try:
            async with asyncio.timeout(timeout):
                await self._poll_parked.wait()
        except TimeoutError:
            raise TimeoutError(f"no getUpdates long poll parked within {timeout}s") from None

    @property
    def long_polling(self) -> bool:
        """Tell whether a getUpdates request is currently parked."""
        return self._parked_polls > 0

    async def _wait(
        self,
        chat: _Chat,
        min_index: int,
        check: MessagePredicate,
        within: float,
        what: str,
    ) -> BotMessage:
        """Park until a new or edited message at index >= min_index passes check."""
        future: asyncio.Future[BotMessage] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(min_index, check, future)
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

    def _notify(self, chat: _Chat, message: BotMessage) -> None:
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

    def _chat_or_raise(self, chat_id: int) -> _Chat:
        """Return a registered chat or raise KeyError."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} is not registered with the fake (use user()/group())")
        return chat

    def _target_chat(self, user: FakeUser, chat_id: int | None) -> _Chat:
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
    ) -> _StoredFile:
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
        stored = _StoredFile(
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
    def _file_json(file: _StoredFile) -> JSONDict:
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
        if not force:
            if target.deleted:
                raise ValueError(f"message #{target.message_id} was deleted by the bot")
            if not target.has_callback(callback_data):
                raise ValueError(
                    f"no button with callback_data {callback_data!r} on {target.describe()}"
                )
        query_id = str(self._rng.randrange(10**17, 10**19))
        self._open_queries.add(query_id)
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
            return _json_response(404, _error_body(404, "Not Found", None))
        token, method = path[len("/bot") :].split("/", 1)
        return await self._api_call(request, token, method)

    def _download(self, rest: str) -> web.StreamResponse:
        """Serve registered file bytes."""
        token, _, file_path = rest.partition("/")
        stored = self._files_by_path.get(file_path) if token == self.token else None
        if stored is None:
            return _json_response(404, _error_body(404, "Not Found", None))
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
            params = await _read_params(request)
            if token != self.token:
                if _TOKEN_RE.fullmatch(token):
                    raise _ApiError(401, "Unauthorized")
                raise _ApiError(404, "Not Found")
            if method_name.lower() not in _METHODS:
                raise _ApiError(404, "Not Found")
            if method in SENDING_METHODS and self._should_throttle():
                throttled = True
                raise _ApiError(
                    429,
                    f"Too Many Requests: retry after {self.retry_after}",
                    {"retry_after": self.retry_after},
                )
            result = await self._execute(method, params)
        except _ApiError as exc:
            call = Call(method, _loggable(params), False, exc.description, at, exc.status)
            if throttled:
                call.throttled = True
                self.throttled += 1
            elif not (exc.status == 409 and request.transport is None):
                # A long poll superseded after its client hung up is no rejection.
                self.rejected.append(call)
            self.calls.append(call)
            return _json_response(
                exc.status, _error_body(exc.status, exc.description, exc.parameters)
            )
        self.calls.append(Call(method, _loggable(params), True, None, at))
        return _json_response(200, {"ok": True, "result": result})

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
            "logOut": _true,
            "close": _true,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
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
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._drained.set()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        """getWebhookInfo for a bot that uses long polling."""
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }

    def _commands_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        """Return the storage key for a command scope and language."""
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("Bad Request: can't parse BotCommandScope: Unsupported type specified")
        if scope["type"] in {"chat", "chat_administrators", "chat_member"}:
            if "chat_id" not in scope:
                raise _bad("Bad Request: can't parse BotCommandScope: Can't find field \"chat_id\"")
            if scope["type"] == "chat_member" and "user_id" not in scope:
                raise _bad("Bad Request: can't parse BotCommandScope: Can't find field \"user_id\"")
        language = "" if language_code is None else str(language_code)
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("Bad Request: LANG_CODE_INVALID")
        return json.dumps(scope, sort_keys=True), language

    def _set_my_commands(self, params: JSONDict) -> bool:
        """setMyCommands with Telegram's validation."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad('Bad Request: field "commands" must be of type Array')
        if len(commands) > 100:
            raise _bad("Bad Request: too many commands specified")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("Bad Request: can't parse BotCommand: Object expected")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not command:
                raise _bad("Bad Request: command must be non-empty")
            if not isinstance(description, str) or not description.strip():
                raise _bad("Bad Request: command description must be non-empty")
            if not _COMMAND_RE.fullmatch(command):
                raise _bad("Bad Request: BOT_COMMAND_INVALID")
            if len(description) > 256:
                raise _bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = cleaned
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """getMyCommands for the exact scope and language."""
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        """deleteMyCommands."""
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """getUpdates with offset confirmation and long polling."""
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        # Telegram wants whole seconds; fractions are accepted so tests can use short polls.
        timeout = max(_float_param(params, "timeout", 0.0), 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise _bad('Bad Request: field "allowed_updates" must be of type Array')
            self._allowed = frozenset(allowed) if allowed else self._default_allowed()
            self._pending = deque(u for u in self._pending if u.kind in self._allowed)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # Wake an older long poll so it can notice it was superseded.
        self._updates_event.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(409, CONFLICT)
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

    def _resolve_chat(self, params: JSONDict) -> _Chat:
        """Return the chat named by chat_id or raise Telegram's error."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("Bad Request: chat_id is empty")
        chat: _Chat | None = None
        if isinstance(raw, bool):
            chat = None
        elif isinstance(raw, int):
            chat = self._chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.username and f"@{c.username}" == raw), None
            )
        if chat is None:
            raise _bad(CHAT_NOT_FOUND)
        return chat

    @staticmethod
    def _ensure_reachable(chat: _Chat) -> None:
        """Refuse to talk to a user who blocked the bot."""
        if chat.blocked:
            raise _ApiError(403, BOT_BLOCKED)

    def _formatted(
        self, raw: str, parse_mode: Any, entities: Any, *, limit: int, caption: bool
    ) -> tuple[ParsedText, list[str]]:
        """Parse text or a caption per parse_mode and apply Telegram's length rules."""
        links: list[str] = []
        if parse_mode is None or parse_mode == "":
            parsed = ParsedText(raw, list(entities) if isinstance(entities, list) else [])
        elif not isinstance(parse_mode, str):
            raise _bad("Bad Request: unsupported parse_mode")
        elif parse_mode.lower() == "html":
            try:
                parsed, links = _parse_html_with_links(raw, strict=self.strict_html)
            except HtmlParseError as exc:
                raise _bad(f"{PARSE_ERROR_PREFIX}{exc}") from None
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            raise _bad(
                f"Bad Request: the fake Telegram server only implements HTML, not {parse_mode}"
            )
        else:
            raise _bad("Bad Request: unsupported parse_mode")
        if not caption:
            if parsed.text == "":
                raise _bad(TEXT_EMPTY)
            parsed = _trim(parsed)
            if parsed.text == "":
                raise _bad(TEXT_BLANK)
            if utf16_len(parsed.text) > limit:
                raise _bad(TEXT_TOO_LONG)
        else:
            parsed = _trim(parsed)
            if utf16_len(parsed.text) > limit:
                raise _bad(CAPTION_TOO_LONG)
        return parsed, links

    def _reply_target(self, chat: _Chat, params: JSONDict) -> int | None:
        """Validate reply_parameters / reply_to_message_id and return the replied message id."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        if reply is not None:
            if not isinstance(reply, dict):
                raise _bad("Bad Request: can't parse reply parameters JSON object")
            if "message_id" not in reply:
                raise _bad('Bad Request: can\'t find field "message_id"')
            message_id = reply["message_id"]
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") not in (None, chat.id):
                raise _bad("Bad Request: the fake Telegram server only supports same-chat replies")
        if message_id is None:
            return None
        exists = isinstance(message_id, int) and (
            (message_id in chat.by_id and not chat.by_id[message_id].deleted)
            or message_id in chat.user_messages
        )
        if exists:
            return int(message_id)
        if allow_missing:
            return None
        raise _bad("Bad Request: message to be replied not found")

    def _store_bot_message(
        self,
        chat: _Chat,
        params: JSONDict,
        parsed: ParsedText,
        links: list[str],
        markup: _Markup,
        *,
        reply_to: int | None,
        document: _StoredFile | None = None,
    ) -> BotMessage:
        """Record a delivered bot message and wake waiters."""
        now = time.monotonic()
        raw = params.get("caption" if document is not None else "text")
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
        chat.bot_messages.append(message)
        chat.sent_times.append(now)
        chat.by_id[message.message_id] = message
        self._notify(chat, message)
        return message

    def _message_json_by_id(self, chat: _Chat, message_id: int) -> JSONDict | None:
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
            if message.text:
                data["caption"] = message.text
                if message.entities:
                    data["caption_entities"] = message.entities
        else:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.link_preview_options and not message.is_document:
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
            raise _bad(TEXT_EMPTY)
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        parsed, links = self._formatted(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = _parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._store_bot_message(chat, params, parsed, links, markup, reply_to=reply_to)
        return self._bot_message_json(message)

    def _editable(self, params: JSONDict) -> tuple[_Chat, BotMessage]:
        """Resolve the target of an edit or raise Telegram's error."""
        if params.get("inline_message_id"):
            raise _bad("Bad Request: the fake Telegram server does not support inline messages")
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("Bad Request: message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            if message_id in chat.user_messages:
                raise _bad("Bad Request: message can't be edited")
            raise _bad(EDIT_NOT_FOUND)
        self._ensure_reachable(chat)
        return chat, message

    def _apply_edit(self, chat: _Chat, message: BotMessage) -> JSONDict:
        """Bump edit bookkeeping, wake waiters and render the edited message."""
        message.edited = True
        message.edit_count += 1
        message.edited_at = time.monotonic()
        message.edit_date = max(int(time.time()), message.date)
        self._notify(chat, message)
        return self._bot_message_json(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        """editMessageText; without reply_markup the inline keyboard is removed, as on Telegram."""
        text = params.get("text")
        if not isinstance(text, str) or text == "":
            raise _bad(TEXT_EMPTY)
        chat, message = self._editable(params)
        if message.is_document:
            raise _bad("Bad Request: there is no text in the message to edit")
        parsed, links = self._formatted(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            caption=False,
        )
        markup = _parse_markup(params.get("reply_markup"), inline_only=True)
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup.raw == _inline_only(message.reply_markup)
        ):
            raise _bad(NOT_MODIFIED)
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
        """editMessageReplyMarkup; no reply_markup removes the inline keyboard."""
        chat, message = self._editable(params)
        markup = _parse_markup(params.get("reply_markup"), inline_only=True)
        if markup.raw == _inline_only(message.reply_markup):
            raise _bad(NOT_MODIFIED)
        message.reply_markup = markup.raw
        message.buttons = markup.buttons
        return self._apply_edit(chat, message)

    def _delete_message(self, params: JSONDict) -> bool:
        """deleteMessage for bot messages and users' messages."""
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("Bad Request: message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            self._notify(chat, message)
            return True
        if chat.user_messages.pop(message_id, None) is not None:
            return True
        raise _bad(DELETE_NOT_FOUND)

    def _answer_callback_query(self, params: JSONDict) -> bool:
        """answerCallbackQuery; each query can be answered once."""
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or query_id not in self._open_queries:
            raise _bad(QUERY_INVALID)
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            raise _bad('Bad Request: field "text" must be of type String')
        if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("Bad Request: MESSAGE_TOO_LONG")
        url = params.get("url")
        self._open_queries.discard(query_id)
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=bool(params.get("show_alert")),
            url=url if isinstance(url, str) else None,
            cache_time=_int_param(params, "cache_time", 0),
            answered_at=time.monotonic(),
        )
        self.callback_answers[query_id] = answer
        for future in self._answer_futures.pop(query_id, []):
            if not future.done():
                future.set_result(answer)
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        """sendChatAction."""
        chat = self._resolve_chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("Bad Request: wrong parameter action in request")
        self._ensure_reachable(chat)
        chat.actions.append((str(action), time.monotonic()))
        chat.action_sent.set()
        return True

    def _send_document(self, params: JSONDict) -> JSONDict:
        """sendDocument from an upload, a known file_id or an HTTP URL."""
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        document = params.get("document")
        stored: _StoredFile
        if isinstance(document, web.FileField):
            data = document.file.read()
            if not data:
                raise _bad("Bad Request: file must be non-empty")
            stored = self._register_file(
                "documents", data, document.content_type, document.filename or "document"
            )
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            name = document.rstrip("/").rsplit("/", 1)[-1] or "document"
            stored = self._register_file("documents", b"", None, name)
        elif document is None or document == "":
            raise _bad("Bad Request: there is no document in the request")
        else:
            raise _bad("Bad Request: wrong remote file identifier specified: Wrong padding length")
        caption = params.get("caption")
        parsed, links = self._formatted(
            caption if isinstance(caption, str) else "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            caption=True,
        )
        markup = _parse_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._store_bot_message(
            chat, params, parsed, links, markup, reply_to=reply_to, document=stored
        )
        return self._bot_message_json(message)

    def _send_media_group(self, params: JSONDict) -> list[JSONDict]:
        """sendMediaGroup of uploaded documents (an album of 2-10; no reply_markup)."""
        chat = self._resolve_chat(params)
        self._ensure_reachable(chat)
        media = params.get("media")
        if isinstance(media, web.FileField):
            raise _bad("Bad Request: can't parse input media JSON object")
        if not isinstance(media, list) or not media:
            raise _bad('Bad Request: parameter "media" is required')
        if len(media) > MAX_ALBUM:
            raise _bad("Bad Request: too much messages to send as an album")
        if len(media) < MIN_ALBUM:
            # The documented rule ("must include 2-10 items"); the live wording may differ.
            raise _bad("Bad Request: media group must include 2-10 items")
        kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
        if kinds != {"document"}:
            raise _bad("Bad Request: document can't be mixed with other media types")
        uploads: list[tuple[_StoredFile, JSONDict]] = []
        for item in media:
            reference = item.get("media")
            field = None
            if isinstance(reference, str) and reference.startswith("attach://"):
                field = params.get(reference.removeprefix("attach://"))
            if not isinstance(field, web.FileField):
                raise _bad("Bad Request: wrong file identifier/HTTP URL specified")
            data = field.file.read()
            if not data:
                raise _bad("Bad Request: file must be non-empty")
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
                chat, item, parsed, links, _NO_MARKUP, reply_to=None, document=stored
            )
            messages.append(self._bot_message_json(message))
        return messages

    def _get_file(self, params: JSONDict) -> JSONDict:
        """getFile for files the fake created or received."""
        file_id = params.get("file_id")
        if not file_id:
            raise _bad("Bad Request: file_id not specified")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise _bad("Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _bad("Bad Request: file is too big")
        return {**self._file_json(stored), "file_path": stored.file_path}


@dataclass(slots=True)
class _Markup:
    """A validated reply_markup."""

    raw: JSONDict | None
    buttons: list[tuple[str, str]]
    keyboard: list[list[str]] | None


_NO_MARKUP: Final = _Markup(None, [], None)


def _always(message: BotMessage) -> bool:
    """Accept every message."""
    return True


def _true(params: JSONDict) -> bool:
    """Answer True (logOut, close)."""
    return True


def _inline_only(markup: JSONDict | None) -> JSONDict | None:
    """Return markup if it is an inline keyboard, else None."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def _parse_markup(markup: Any, *, inline_only: bool = False) -> _Markup:
    """Validate reply_markup the way the Bot API does and extract its buttons."""
    if markup is None:
        return _NO_MARKUP
    if not isinstance(markup, dict):
        raise _bad("Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _Markup(markup, _inline_buttons(markup["inline_keyboard"]), None)
    if inline_only:
        raise _bad("Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('Bad Request: field "keyboard" must be of type Array')
        keyboard: list[list[str]] = []
        for row in rows:
            labels: list[str] = []
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str):
                    raise _bad(
                        "Bad Request: can't parse keyboard button: Can't find field \"text\""
                    )
                if not label.strip():
                    raise _bad(BUTTON_TEXT_INVALID)
                labels.append(label)
            keyboard.append(labels)
        _check_bools(markup, ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective"))
        return _Markup(markup, [], keyboard)
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise _bad('Bad Request: field "remove_keyboard" must be of type Boolean')
        _check_bools(markup, ("selective",))
        return _Markup(markup, [], None)
    if "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise _bad('Bad Request: field "force_reply" must be of type Boolean')
        _check_bools(markup, ("selective",))
        return _Markup(markup, [], None)
    raise _bad("Bad Request: can't parse reply keyboard markup JSON object")


def _check_bools(markup: JSONDict, names: Iterable[str]) -> None:
    """Reject non-boolean flags like Telegram does."""
    for name in names:
        if name in markup and not isinstance(markup[name], bool):
            raise _bad(f'Bad Request: field "{name}" must be of type Boolean')


def _inline_buttons(rows: Any) -> list[tuple[str, str]]:
    """Validate an inline keyboard and return (text, callback_data or url) per button."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('Bad Request: field "inline_keyboard" must be of type Array')
    buttons: list[tuple[str, str]] = []
    prefix = "Bad Request: can't parse inline keyboard button: "
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise _bad(f"{prefix}Object expected")
            if "text" not in button:
                raise _bad(f'{prefix}Can\'t find field "text"')
            label = button["text"]
            if not isinstance(label, str):
                raise _bad(f'{prefix}Field "text" must be of type String')
            if not label.strip():
                raise _bad(BUTTON_TEXT_INVALID)
            actions = [
                name
                for name in _BUTTON_ACTIONS
                if button.get(name) is not None and button.get(name) != ""
            ]
            if not actions:
                raise _bad(TEXT_BUTTONS_UNALLOWED)
            if len(actions) > 1:
                raise _bad(f"{prefix}exactly one of {', '.join(actions)} must be used")
            buttons.append((label, _button_value(actions[0], button[actions[0]])))
    return buttons


def _button_value(action: str, value: Any) -> str:
    """Validate one button action and return what tests see as its value."""
    if action == "callback_data":
        if not isinstance(value, str):
            raise _bad(
                "Bad Request: can't parse inline keyboard button: "
                'Field "callback_data" must be of type String'
            )
        if not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad(BUTTON_DATA_INVALID)
        return value
    if action == "url":
        url = str(value)
        match = _SCHEME_RE.match(url)
        if match is not None and match.group(1).lower() not in {"http", "https", "tg"}:
            raise _bad(
                f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                "Unsupported URL protocol"
            )
        if check_link(url) is None:
            raise _bad(
                f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            )
        return url
    if action == "web_app":
        app_url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(app_url, str) or not app_url.lower().startswith("https://"):
            raise _bad(
                f"Bad Request: inline keyboard button Web App URL '{app_url}' is invalid: "
                "Only HTTPS links are allowed"
            )
        return app_url
    if action in {"callback_game", "pay"}:
        raise _bad("Bad Request: BUTTON_TYPE_INVALID")
    return json.dumps(value) if not isinstance(value, str) else value


def _json_response(status: int, body: JSONDict) -> web.Response:
    """Serialise a Bot API answer."""
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


def _error_body(status: int, description: str, parameters: JSONDict | None) -> JSONDict:
    """Build Telegram's error envelope."""
    body: JSONDict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


async def _read_params(request: web.Request) -> JSONDict:
    """Merge query-string, form/multipart or JSON parameters and decode their types."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("Bad Request: can't parse JSON encoded request parameters") from None
            if not isinstance(body, dict):
                raise _bad("Bad Request: request parameters must be a JSON object")
            raw.update(body)
        elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            raw.update(form.items())
    return {name: _decode_param(name, value) for name, value in raw.items()}


def _decode_param(name: str, value: Any) -> Any:
    """Turn a form string (or JSON value) into the type the Bot API expects for name."""
    if isinstance(value, web.FileField):
        return value
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"Bad Request: can't parse {_JSON_PARAMS[name]} JSON object") from None
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in {"true", "1"}
    return value


def _int_param(params: JSONDict, name: str, default: int) -> int:
    """Read an integer parameter or raise Telegram-style 400."""
    value = params.get(name, default)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value)))
    except ValueError:
        raise _bad(f'Bad Request: field "{name}" must be of type Integer') from None


def _float_param(params: JSONDict, name: str, default: float) -> float:
    """Read a numeric parameter or raise Telegram-style 400."""
    value = params.get(name, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad(f'Bad Request: field "{name}" must be of type Integer') from None


def _loggable(params: JSONDict) -> JSONDict:
    """Return params with uploads summarised, for Call records."""
    if not any(isinstance(v, web.FileField) for v in params.values()):
        return params
    logged: JSONDict = {}
    for name, value in params.items():
        if isinstance(value, web.FileField):
            logged[name] = {"upload": value.filename, "content_type": value.content_type}
        else:
            logged[name] = value
    return logged
