"""A web page that plays a Telegram client for the imitation: each browser tab is one user.

The page (static/) renders what the bot sent from its text and entities, as Telegram's apps do, and
hears every change through server-sent events. It talks to the bot only through the imitation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, assert_never
from urllib.parse import quote

from aiohttp import web

from bot.fakeapi.model import BotMessage, Change, ChatEvent, JSONDict
from bot.fakeapi.server import FakeTelegram
from bot.fakeapi.voicenotes import VoiceNoteError, voice_note

__all__ = ["WebChat"]

logger = logging.getLogger(__name__)

_STATIC: Final = {
    "index.html": "text/html",
    "chat.css": "text/css",
    "chat.js": "text/javascript",
}
# An SSE comment now and then keeps proxies and the browser from closing a quiet stream.
HEARTBEAT_SECONDS: Final = 15.0
MAX_VOICE_BYTES: Final = 20 * 1024 * 1024
MAX_NAME_LENGTH: Final = 64
_USER_IDS: Final = range(1, 2**52)


class _Refused(Exception):
    """A request the page should never make; answered with 400 and the reason."""


@dataclass(frozen=True, slots=True)
class _Origin:
    """The addresses the page is served under; anything else is another site or a rebinding."""

    hosts: frozenset[str]

    def allows(self, request: web.Request) -> bool:
        """Accept same-origin requests only (the Host and, when sent, the Origin)."""
        if request.host not in self.hosts:
            return False
        origin = request.headers.get("Origin")
        return origin is None or origin.removeprefix("http://") in self.hosts


class WebChat:
    """Serve the chat page and its API on host:port, in front of a running FakeTelegram."""

    def __init__(
        self, fake: FakeTelegram, *, host: str = "127.0.0.1", port: int = 8080, voice: bool = False
    ) -> None:
        """Configure the page; nothing listens until start()."""
        self.fake = fake
        self.host = host
        self.port = port
        self.voice = voice
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._origin = _Origin(frozenset())
        self._streams: set[web.StreamResponse] = set()

    async def start(self) -> None:
        """Listen (port 0 picks a free port) and set url."""
        app = web.Application(client_max_size=MAX_VOICE_BYTES + 1024 * 1024)
        app.router.add_get("/", self._page)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_post("/api/session", self._session)
        app.router.add_get("/api/events", self._events)
        app.router.add_get("/api/commands", self._commands)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/voice", self._voice)
        app.router.add_get("/api/files/{file_id}", self._file)
        app.middlewares.append(self._guard)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        port = runner.addresses[0][1]
        self.url = f"http://{self.host}:{port}/"
        self._origin = _Origin(frozenset({f"{self.host}:{port}", f"localhost:{port}"}))

    async def stop(self) -> None:
        """Close the event streams and stop listening."""
        for stream in list(self._streams):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await stream.write_eof()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse other origins, and turn a refused request into a 400."""
        if not self._origin.allows(request):
            raise web.HTTPForbidden(text="This page only answers itself.")
        try:
            response: web.StreamResponse = await handler(request)
        except _Refused as refused:
            raise web.HTTPBadRequest(text=str(refused)) from None
        return response

    async def _page(self, request: web.Request) -> web.StreamResponse:
        """Serve the chat page."""
        return self._resource("index.html")

    async def _static(self, request: web.Request) -> web.StreamResponse:
        """Serve the page's stylesheet and script."""
        return self._resource(request.match_info["name"])

    def _resource(self, name: str) -> web.Response:
        """Serve one of the page's files from the package."""
        content_type = _STATIC.get(name)
        if content_type is None:
            raise web.HTTPNotFound()
        body = resources.files("bot.fakeapi").joinpath("static", name).read_bytes()
        return web.Response(
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    async def _session(self, request: web.Request) -> web.Response:
        """Register the tab's user (or find it again) and describe the bot."""
        body = await _json_body(request)
        user_id = _user_id(body.get("user"))
        name = str(body.get("name") or "You").strip()[:MAX_NAME_LENGTH] or "You"
        language = str(body.get("language") or "en").lower()[:2]
        self.fake.user(
            user_id, first_name=name, language_code=language if language.isalpha() else "en"
        )
        return web.json_response(
            {
                "user": user_id,
                "bot": {"name": self.fake.bot_first_name, "username": self.fake.bot_username},
                "voice": self.voice,
            }
        )

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Stream the chat: everything so far, then each change as it happens."""
        user_id = self._known_user(request.query.get("user"))
        stream = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await stream.prepare(request)
        self._streams.add(stream)
        try:
            with self.fake.watch(user_id) as changes:
                await _send_event(stream, "reset", {"messages": self._history(user_id)})
                while True:
                    try:
                        async with asyncio.timeout(HEARTBEAT_SECONDS):
                            event = await changes.get()
                    except TimeoutError:
                        await stream.write(b": still here\n\n")
                        continue
                    await self._forward(stream, event)
        except (ConnectionError, RuntimeError):
            pass  # the tab was closed
        finally:
            self._streams.discard(stream)
        return stream

    async def _forward(self, stream: web.StreamResponse, event: ChatEvent) -> None:
        """Send one change to the page."""
        match event.change:
            case Change.BOT_MESSAGE | Change.EDIT:
                message = self.fake.message(event.chat_id, int(event.ref))
                await _send_event(stream, "message", self._bot_json(message))
            case Change.USER_MESSAGE:
                found = [
                    m
                    for m in self.fake.user_messages(event.chat_id)
                    if m["message_id"] == event.ref
                ]
                if found:
                    await _send_event(stream, "message", self._user_json(found[0]))
            case Change.ACTION:
                await _send_event(stream, "action", {"action": event.ref})
            case Change.ANSWER:
                answer = self.fake.callback_answer(str(event.ref))
                if answer is not None:
                    await _send_event(
                        stream,
                        "answer",
                        {"text": answer.text, "alert": answer.show_alert, "url": answer.url},
                    )
            case _:
                assert_never(event.change)

    async def _commands(self, request: web.Request) -> web.Response:
        """Return the command menu for the user's language, as the app would show it."""
        user = self.fake.user(self._known_user(request.query.get("user")))
        language = user.language_code or ""
        for scope in ({"type": "all_private_chats"}, None):
            for code in (language, ""):
                commands = self.fake.commands(scope=scope, language_code=code)
                if commands:
                    return web.json_response({"commands": commands})
        return web.json_response({"commands": []})

    async def _send(self, request: web.Request) -> web.Response:
        """Send a text message as the user."""
        body = await _json_body(request)
        user = self.fake.user(self._known_user(body.get("user")))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            raise _Refused("a message is 1 to 4096 characters")
        message_id = await user.send_text(text)
        return web.json_response({"message_id": message_id})

    async def _press(self, request: web.Request) -> web.Response:
        """Press an inline button of one of the bot's messages."""
        body = await _json_body(request)
        user = self.fake.user(self._known_user(body.get("user")))
        message_id, data = body.get("message"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise _Refused("a press names a message and the button's data")
        try:
            query_id = await user.press(message_id, data)
        except (KeyError, ValueError) as missing:
            raise _Refused(str(missing)) from None
        return web.json_response({"query": query_id})

    async def _voice(self, request: web.Request) -> web.Response:
        """Send a recording from the browser as a Telegram voice note (OGG/Opus)."""
        if not self.voice:
            raise _Refused("voice notes are not installed (pip install -e '.[voice]')")
        form = await request.post()
        user = self.fake.user(self._known_user(form.get("user")))
        upload = form.get("audio")
        if not isinstance(upload, web.FileField):
            raise _Refused("no recording")
        try:
            note = await asyncio.to_thread(voice_note, upload.file.read())
        except VoiceNoteError as error:
            raise _Refused(str(error)) from None
        message_id = await user.send_voice(note.ogg, note.duration)
        return web.json_response({"message_id": message_id})

    async def _file(self, request: web.Request) -> web.Response:
        """Serve a file of the user's chat (a document, a photo, a voice note)."""
        user_id = self._known_user(request.query.get("user"))
        file_id = request.match_info["file_id"]
        name = self._files_of(user_id).get(file_id)
        if name is None:
            raise web.HTTPNotFound()
        stored = self.fake.stored_file(file_id)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
        if request.query.get("download"):
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    def _known_user(self, raw: object) -> int:
        """Return the id of a user this page registered, or refuse."""
        user_id = _user_id(raw)
        if not self.fake.has_user(user_id):
            raise _Refused("unknown user: open the page again")
        return user_id

    def _files_of(self, user_id: int) -> dict[str, str]:
        """Map the file ids seen in the user's chat to a file name."""
        files: dict[str, str] = {}
        for message in self.fake.messages(user_id):
            if message.document_file_id is not None:
                files[message.document_file_id] = message.document_name or "document"
            if message.photo_file_id is not None:
                files[message.photo_file_id] = "photo"
        for sent in self.fake.user_messages(user_id):
            voice = sent.get("voice")
            if isinstance(voice, dict):
                files[voice["file_id"]] = "voice.ogg"
        return files

    def _history(self, user_id: int) -> list[JSONDict]:
        """Return the whole chat, oldest first, as the page draws it."""
        messages = [self._bot_json(m) for m in self.fake.messages(user_id)]
        messages += [self._user_json(m) for m in self.fake.user_messages(user_id)]
        return sorted(messages, key=lambda message: int(message["id"]))

    def _bot_json(self, message: BotMessage) -> JSONDict:
        """Describe a bot message for the page."""
        data: JSONDict = {
            "id": message.message_id,
            "out": False,
            "text": message.text,
            "entities": message.entities,
            "date": message.date,
            "edited": message.edited,
            "buttons": _buttons(message.reply_markup),
        }
        if message.document_file_id is not None:
            data["document"] = {
                "file_id": message.document_file_id,
                "name": message.document_name or "document",
                "size": len(message.document_bytes or b""),
            }
        if message.photo_file_id is not None:
            width, height = message.photo_size or (0, 0)
            data["photo"] = {"file_id": message.photo_file_id, "width": width, "height": height}
        return data

    def _user_json(self, message: JSONDict) -> JSONDict:
        """Describe one of the user's messages for the page."""
        data: JSONDict = {
            "id": message["message_id"],
            "out": True,
            "text": message.get("text") or message.get("caption") or "",
            "entities": message.get("entities", []),
            "date": message.get("date", int(time.time())),
            "edited": "edit_date" in message,
            "buttons": [],
        }
        voice = message.get("voice")
        if isinstance(voice, dict):
            data["voice"] = {"file_id": voice["file_id"], "duration": voice["duration"]}
        return data


def _buttons(markup: JSONDict | None) -> list[list[JSONDict]]:
    """Return the inline keyboard's rows as the page draws them."""
    if markup is None:
        return []
    rows: list[list[JSONDict]] = []
    for row in markup.get("inline_keyboard", []):
        drawn: list[JSONDict] = []
        for button in row:
            if "callback_data" in button:
                drawn.append({"text": button["text"], "data": button["callback_data"]})
            elif "url" in button:
                drawn.append({"text": button["text"], "url": button["url"]})
            elif "copy_text" in button:
                drawn.append({"text": button["text"], "copy": button["copy_text"].get("text", "")})
        rows.append(drawn)
    return rows


async def _json_body(request: web.Request) -> JSONDict:
    """Read a JSON object body, or refuse."""
    if request.content_type != "application/json":
        raise _Refused("send JSON")
    try:
        body = await request.json()
    except ValueError:
        raise _Refused("send JSON") from None
    if not isinstance(body, dict):
        raise _Refused("send a JSON object")
    return body


def _user_id(raw: object) -> int:
    """Read a user id sent by the page."""
    try:
        user_id = int(str(raw))
    except ValueError:
        raise _Refused("a user id is a number") from None
    if user_id not in _USER_IDS:
        raise _Refused("a user id is a positive number")
    return user_id


async def _send_event(stream: web.StreamResponse, name: str, data: JSONDict) -> None:
    """Write one server-sent event."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    await stream.write(f"event: {name}\ndata: {payload}\n\n".encode())


def _quote(name: str) -> str:
    """Percent-encode a file name for Content-Disposition."""
    return quote(name, safe="")
