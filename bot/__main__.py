"""Start the bot with long polling: `python -m bot`."""

from __future__ import annotations

import logging
import sys

from pydantic import ValidationError
from telegram import Update

from bot.app import build_application
from bot.config import MISSING_TOKEN_HELP, Settings


def _configure_logging(level: str) -> None:
    """Log to stderr; library loggers that would print tokens or message contents stay quiet."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs whole updates, that is, the user's answers.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _settings_or_help() -> Settings | None:
    """Load the settings, or explain what is missing and return None."""
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            where = ".".join(str(part) for part in issue["loc"])
            if where == "TELEGRAM_BOT_TOKEN":
                missing = issue["type"] == "missing"
                detail = "not set" if missing else f"invalid ({issue['msg']})"
                sys.stderr.write(MISSING_TOKEN_HELP.format(problem=detail) + "\n")
                return None
            problems.append(f"  {where}: {issue['msg']}")
        sys.stderr.write("Debrief cannot start, a setting is wrong:\n" + "\n".join(problems) + "\n")
        return None


def main() -> int:
    """Run the bot until interrupted; return the process exit code."""
    settings = _settings_or_help()
    if settings is None:
        return 2
    _configure_logging(settings.log_level)
    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
