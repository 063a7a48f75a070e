"""Log lines never carry the token, and loggers that print contents stay above DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, Redact, configure_logging

TOKEN = "123456:SECRET-token-for-log-tests"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """Return a logger writing through a redacting handler, and what it wrote."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(Redact([TOKEN]))
    log = logging.getLogger("tests.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        yield log, written
    finally:
        log.removeHandler(handler)


def test_the_token_is_redacted_in_messages_arguments_and_tracebacks(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, written = logger
    log.warning("GET /bot%s/getMe failed", TOKEN)
    log.warning("redirected to https://example.org/bot123456%3ASECRET-token-for-log-tests/x")
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
    except ValueError:
        log.exception("Start-up failed")

    text = written.getvalue()
    assert "SECRET-token" not in text
    assert text.count(REDACTED) == 3
    assert "ValueError" in text


@pytest.mark.parametrize("name", ["aiosqlite", "telegram"])
def test_at_debug_the_loggers_that_print_contents_stay_at_info(name: str) -> None:
    levels = {logger: logging.getLogger(logger).level for logger in ("", "aiosqlite", "telegram")}
    handlers = list(logging.getLogger().handlers)
    try:
        configure_logging("DEBUG", secrets=[TOKEN])

        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO
    finally:
        for logger, level in levels.items():
            logging.getLogger(logger).setLevel(level)
        for handler in logging.getLogger().handlers:
            handler.filters = [f for f in handler.filters if not isinstance(f, Redact)]
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
