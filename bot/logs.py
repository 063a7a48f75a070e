"""Logging set-up: secrets never reach a log line, and neither do users' answers."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from urllib.parse import quote

__all__ = ["REDACTED", "Redact", "configure_logging"]

REDACTED = "[redacted]"


class Redact(logging.Filter):
    """Replace secrets in a record's message and traceback, whichever logger wrote it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # A token also appears percent-encoded in URLs (its colon as %3A).
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
        self._secrets = sorted(forms, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        """Return text with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Log to stderr with secrets redacted; loggers that would print contents stay quiet."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    redact = Redact(secrets)
    # On the handlers, not on loggers: a handler sees every record that propagates to it.
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    floor = max(logging.INFO, logging.getLevelName(level))
    # At DEBUG, python-telegram-bot logs whole updates, that is, the user's answers, and
    # aiosqlite logs every statement with its parameters.
    logging.getLogger("telegram").setLevel(floor)
    logging.getLogger("aiosqlite").setLevel(floor)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
