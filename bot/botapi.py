"""The Bot API client: python-telegram-bot's, with the errors that are no failure absorbed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest, InvalidToken
from telegram.ext import ExtBot

__all__ = ["DebriefBot", "is_not_modified", "is_query_expired"]

logger = logging.getLogger(__name__)


def is_not_modified(error: BaseException) -> bool:
    """Tell whether an edit failed only because the message already reads that way."""
    return isinstance(error, BadRequest) and "message is not modified" in error.message.lower()


def is_query_expired(error: BaseException) -> bool:
    """Tell whether a button tap can no longer be answered (answered already, or too old)."""
    text = error.message.lower() if isinstance(error, BadRequest) else ""
    return "query is too old" in text or "query id is invalid" in text


class DebriefBot(ExtBot[Any]):
    """A bot whose edits and tap answers succeed when what they ask for is already so.

    Each getUpdates batch is handed to the inbox (`hand_updates_to`) before it is returned: the
    whole batch is committed in one transaction before the updater moves the offset past it.

    Two taps on one button edit a message to what it already shows ("message is not
    modified"); a tap handled again after a crash (replayed from the inbox) was answered
    already, or is too old to answer. Neither is an error for the user, and the handler that
    met it must go on to its real work.
    """

    _received: Callable[[Sequence[Update]], Awaitable[None]] | None = None

    def hand_updates_to(self, received: Callable[[Sequence[Update]], Awaitable[None]]) -> None:
        """Give every getUpdates batch to `received` before returning it."""
        # The bot is frozen once built; PTB lets underscored attributes be set all the same.
        self._received = received

    async def initialize(self) -> None:
        """Open the transports and check the token; close them again if Telegram rejects it."""
        try:
            await super().initialize()
        except InvalidToken:
            await self.shutdown()
            raise

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetch updates and hand them over before anything else sees them."""
        updates = await super().get_updates(*args, **kwargs)
        if self._received is not None and updates:
            await self._received(updates)
        return updates

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a button tap; False when it was answered already or is too old."""
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if not is_query_expired(error):
                raise
            logger.debug("A button tap could not be answered any more: %s", error.message)
            return False

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Message | bool:
        """Edit a message's text; True when it already read so."""
        try:
            return await super().edit_message_text(*args, **kwargs)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return True

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> Message | bool:
        """Edit a message's buttons; True when they already were so."""
        try:
            return await super().edit_message_reply_markup(*args, **kwargs)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return True
