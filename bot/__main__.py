"""Start the bot (`python -m bot`; without a token, the local demo), or back up its database."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from enum import Enum, auto
from pathlib import Path

from pydantic import ValidationError
from telegram.error import InvalidToken

from bot.app import UPDATE_TYPES, build_application
from bot.config import (
    MISSING_TOKEN_HELP,
    REJECTED_TOKEN_HELP,
    DemoSettings,
    RunSettings,
    Settings,
    StorageSettings,
)
from bot.demo import demo
from bot.health import check
from bot.logs import configure_logging
from bot.webhook import run_webhook
from conversations.checklist import ChecklistError
from storage.backup import BackupError, BackupRefusedError, backup


class _Instead(Enum):
    """What to do when the settings do not describe a bot on Telegram."""

    DEMO = auto()
    STOP = auto()


def _settings_or_help() -> Settings | _Instead:
    """Load the settings; without any token, run the demo; else explain what is wrong and stop."""
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            where = ".".join(str(part) for part in issue["loc"])
            if where == "TELEGRAM_BOT_TOKEN":
                if issue["type"] == "missing":
                    return _Instead.DEMO
                detail = f"invalid ({issue['msg']})"
                sys.stderr.write(MISSING_TOKEN_HELP.format(problem=detail) + "\n")
                return _Instead.STOP
            problems.append(f"  {where}: {issue['msg']}")
        sys.stderr.write("Debrief cannot start, a setting is wrong:\n" + "\n".join(problems) + "\n")
        return _Instead.STOP


def _demo() -> int:
    """Run the local demo, or explain which of its settings is wrong."""
    try:
        settings = DemoSettings()
    except ValidationError as error:
        sys.stderr.write(f"The demo cannot start, a setting is wrong:\n{error}\n")
        return 2
    configure_logging("INFO")
    return demo(settings)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line: nothing runs the bot, `backup PATH [--force]` copies the database."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Run Debrief (no command; without a token, the local demo), check its health,"
        " or back up its database.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    copy = commands.add_parser(
        "backup",
        help="write a consistent copy of the database, even while the bot runs",
        description="Write a consistent copy of the database (DEBRIEF_DB_PATH) to PATH with"
        " SQLite's online backup; the bot can keep running. Needs no bot token.",
    )
    copy.add_argument("path", type=Path, metavar="PATH", help="the file to write")
    copy.add_argument("--force", action="store_true", help="replace PATH if it exists")
    commands.add_parser(
        "health",
        help="exit 0 when the running bot is healthy (the Docker HEALTHCHECK)",
        description="Exit 0 when the database answers and the running bot heard from Telegram"
        " recently (long polling), or its webhook listener answers GET /healthz. Needs no token.",
    )
    return parser.parse_args(argv)


def _backup(target: Path, *, force: bool) -> int:
    """Back up the database to target; report on stdout, or explain the refusal on stderr."""
    try:
        source = StorageSettings().db_path
    except ValidationError as error:
        sys.stderr.write(f"Debrief cannot back up, a setting is wrong:\n{error}\n")
        return 2
    try:
        done = backup(source, target, force=force)
    except BackupRefusedError as refusal:
        sys.stderr.write(f"No backup written: {refusal}.\n")
        return 2
    except (BackupError, OSError) as error:
        sys.stderr.write(f"The backup failed: {error}\n")
        return 1
    sys.stdout.write(
        f"Backed up {source} to {done.path}: {done.pages} pages,"
        f" {done.size / 1024:.0f} KiB, integrity ok, in {done.seconds:.2f} s.\n"
    )
    return 0


def _health() -> int:
    """Judge the running bot; say why on stdout (healthy) or stderr (not)."""
    try:
        settings = RunSettings()
    except ValidationError as error:
        sys.stderr.write(f"Cannot check the bot, a setting is wrong:\n{error}\n")
        return 2
    listen = settings.listen_address if settings.webhook_url is not None else None
    verdict = check(settings.db_path, webhook_listen=listen)
    (sys.stdout if verdict.ok else sys.stderr).write(verdict.reason + "\n")
    return 0 if verdict.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bot until interrupted, or the command given; return the process exit code."""
    arguments = _arguments(argv)
    # Whatever the shell's umask: the database, its WAL and SHM, backups and the model cache
    # hold what users told the bot, and are this account's alone.
    os.umask(0o077)
    if arguments.command == "backup":
        return _backup(arguments.path, force=arguments.force)
    if arguments.command == "health":
        return _health()
    settings = _settings_or_help()
    if isinstance(settings, _Instead):
        return _demo() if settings is _Instead.DEMO else 2
    secrets = [settings.token.get_secret_value()]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(settings.log_level, secrets=secrets)
    try:
        application = build_application(settings)
    except ChecklistError as error:
        sys.stderr.write(f"Debrief cannot start: {error}\n")
        return 2
    try:
        if settings.webhook_url is not None:
            run_webhook(application)
        else:
            application.run_polling(allowed_updates=UPDATE_TYPES)
    except InvalidToken:
        sys.stderr.write(REJECTED_TOKEN_HELP + "\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
