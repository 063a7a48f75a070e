"""Bot API requests in (query, form, multipart or JSON) and answers out."""

from __future__ import annotations

import json
from typing import Any, Final

from aiohttp import web

from bot.fakeapi.model import JSONDict, bad

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


def json_response(status: int, body: JSONDict) -> web.Response:
    """Serialise a Bot API answer."""
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


def error_body(status: int, description: str, parameters: JSONDict | None) -> JSONDict:
    """Build Telegram's error envelope."""
    body: JSONDict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


async def read_params(request: web.Request) -> JSONDict:
    """Merge query-string, form/multipart or JSON parameters and decode their types."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("Bad Request: can't parse JSON encoded request parameters") from None
            if not isinstance(body, dict):
                raise bad("Bad Request: request parameters must be a JSON object")
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
            raise bad(f"Bad Request: can't parse {_JSON_PARAMS[name]} JSON object") from None
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in {"true", "1"}
    return value


def int_param(params: JSONDict, name: str, default: int) -> int:
    """Read an integer parameter or raise Telegram-style 400."""
    value = params.get(name, default)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value)))
    except ValueError:
        raise bad(f'Bad Request: field "{name}" must be of type Integer') from None


def float_param(params: JSONDict, name: str, default: float) -> float:
    """Read a numeric parameter or raise Telegram-style 400."""
    value = params.get(name, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad(f'Bad Request: field "{name}" must be of type Integer') from None


def loggable(params: JSONDict) -> JSONDict:
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
