"""Telegram's HTML: the text and entities Telegram derives, and what it refuses."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Final

from bot.fakeapi.model import JSONDict

_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


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
SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")


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
    match = SCHEME_RE.match(url)
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
    return parse_html_with_links(source, strict=strict)[0]


def parse_html_with_links(source: str, *, strict: bool) -> tuple[ParsedText, list[str]]:
    """Parse Telegram HTML and also return the links kept as text_link entities."""
    parser = _HtmlParser(source, strict=strict)
    text, entities = parser.parse()
    entities.sort(key=lambda e: (e.offset, -e.length))
    return ParsedText(text, [_entity_json(e) for e in entities]), parser.links


def trim(parsed: ParsedText) -> ParsedText:
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
