"""A bare python-telegram-bot echo bot (PTB defaults, no rate limiter): the benchmark baseline."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

__all__ = ["main"]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the text received."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button press and send a message."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    await query.answer()
    await context.bot.send_message(update.effective_chat.id, query.data or "pressed")


def main(argv: list[str] | None = None) -> int:
    """Run the echo bot with long polling until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.echo_bot",
        description=__doc__,
        epilog="Needs TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL (e.g. http://127.0.0.1:PORT).",
    )
    parser.add_argument("--concurrent", action="store_true", help="concurrent_updates(True)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    api_url = os.environ["TELEGRAM_API_URL"].rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
    )
    if args.concurrent:
        builder = builder.concurrent_updates(True)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
