"""Simulated users and groups: what tests (and the demo page) do as a person on Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.fakeapi.formatting import command_entities
from bot.fakeapi.model import BotMessage, JSONDict, MessagePredicate

if TYPE_CHECKING:
    from bot.fakeapi.server import FakeTelegram


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
