"""reply_markup checked as the Bot API checks it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from bot.fakeapi.formatting import SCHEME_RE, check_link
from bot.fakeapi.model import (
    BUTTON_DATA_INVALID,
    BUTTON_TEXT_INVALID,
    MAX_CALLBACK_DATA_BYTES,
    TEXT_BUTTONS_UNALLOWED,
    JSONDict,
    bad,
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


@dataclass(slots=True)
class Markup:
    """A validated reply_markup."""

    raw: JSONDict | None
    buttons: list[tuple[str, str]]
    keyboard: list[list[str]] | None


NO_MARKUP: Final = Markup(None, [], None)


def inline_markup(markup: JSONDict | None) -> JSONDict | None:
    """Return markup if it is an inline keyboard, else None."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def parse_markup(markup: Any, *, inline_only: bool = False) -> Markup:
    """Validate reply_markup the way the Bot API does and extract its buttons."""
    if markup is None:
        return NO_MARKUP
    if not isinstance(markup, dict):
        raise bad("Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return Markup(markup, _inline_buttons(markup["inline_keyboard"]), None)
    if inline_only:
        raise bad("Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('Bad Request: field "keyboard" must be of type Array')
        keyboard: list[list[str]] = []
        for row in rows:
            labels: list[str] = []
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str):
                    raise bad("Bad Request: can't parse keyboard button: Can't find field \"text\"")
                if not label.strip():
                    raise bad(BUTTON_TEXT_INVALID)
                labels.append(label)
            keyboard.append(labels)
        _check_bools(markup, ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective"))
        return Markup(markup, [], keyboard)
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad('Bad Request: field "remove_keyboard" must be of type Boolean')
        _check_bools(markup, ("selective",))
        return Markup(markup, [], None)
    if "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad('Bad Request: field "force_reply" must be of type Boolean')
        _check_bools(markup, ("selective",))
        return Markup(markup, [], None)
    raise bad("Bad Request: can't parse reply keyboard markup JSON object")


def _check_bools(markup: JSONDict, names: Iterable[str]) -> None:
    """Reject non-boolean flags like Telegram does."""
    for name in names:
        if name in markup and not isinstance(markup[name], bool):
            raise bad(f'Bad Request: field "{name}" must be of type Boolean')


def _inline_buttons(rows: Any) -> list[tuple[str, str]]:
    """Validate an inline keyboard and return (text, callback_data or url) per button."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad('Bad Request: field "inline_keyboard" must be of type Array')
    buttons: list[tuple[str, str]] = []
    prefix = "Bad Request: can't parse inline keyboard button: "
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad(f"{prefix}Object expected")
            if "text" not in button:
                raise bad(f'{prefix}Can\'t find field "text"')
            label = button["text"]
            if not isinstance(label, str):
                raise bad(f'{prefix}Field "text" must be of type String')
            if not label.strip():
                raise bad(BUTTON_TEXT_INVALID)
            actions = [
                name
                for name in _BUTTON_ACTIONS
                if button.get(name) is not None and button.get(name) != ""
            ]
            if not actions:
                raise bad(TEXT_BUTTONS_UNALLOWED)
            if len(actions) > 1:
                raise bad(f"{prefix}exactly one of {', '.join(actions)} must be used")
            buttons.append((label, _button_value(actions[0], button[actions[0]])))
    return buttons


def _button_value(action: str, value: Any) -> str:
    """Validate one button action and return what tests see as its value."""
    if action == "callback_data":
        if not isinstance(value, str):
            raise bad(
                "Bad Request: can't parse inline keyboard button: "
                'Field "callback_data" must be of type String'
            )
        if not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad(BUTTON_DATA_INVALID)
        return value
    if action == "url":
        url = str(value)
        match = SCHEME_RE.match(url)
        if match is not None and match.group(1).lower() not in {"http", "https", "tg"}:
            raise bad(
                f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                "Unsupported URL protocol"
            )
        if check_link(url) is None:
            raise bad(f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return url
    if action == "web_app":
        app_url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(app_url, str) or not app_url.lower().startswith("https://"):
            raise bad(
                f"Bad Request: inline keyboard button Web App URL '{app_url}' is invalid: "
                "Only HTTPS links are allowed"
            )
        return app_url
    if action in {"callback_game", "pay"}:
        raise bad("Bad Request: BUTTON_TYPE_INVALID")
    return json.dumps(value) if not isinstance(value, str) else value
