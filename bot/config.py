"""Settings, read from the environment or a .env file in the working directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from speech.transcriber import DEFAULT_MEMORY_MIB

__all__ = [
    "MISSING_TOKEN_HELP",
    "REJECTED_TOKEN_HELP",
    "DemoSettings",
    "RunSettings",
    "Settings",
    "StorageSettings",
]

MISSING_TOKEN_HELP = """\
Debrief needs a Telegram bot token, and TELEGRAM_BOT_TOKEN is {problem}.

1. In Telegram, open a chat with @BotFather (https://t.me/BotFather) and send /newbot.
2. Choose a name and a username; BotFather answers with a token like 123456789:AAH3xr…
3. Put it in a file named .env in this folder (it is git-ignored):

       TELEGRAM_BOT_TOKEN=123456789:AAH3xr…

   or export it in your shell, then run `make run` again."""

REJECTED_TOKEN_HELP = """\
Debrief cannot start: Telegram rejected the bot token (401 Unauthorized).

TELEGRAM_BOT_TOKEN is not the token of a live bot: it was mistyped, or revoked in @BotFather
(/revoke). Copy the current token from @BotFather (/mybots, then API Token) into
TELEGRAM_BOT_TOKEN and start again."""

_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_PLACEHOLDERS = {"changeme", "your-token-here", "token", "xxx", "<token>"}
# Telegram's rule for setWebhook's secret_token.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LISTEN = re.compile(r"^(?P<host>\[[0-9A-Fa-f:]+\]|[^:\s]*):(?P<port>\d{1,5})$")


class StorageSettings(BaseSettings):
    """Where the database is: all that commands other than the bot itself need (no token)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    db_path: Path = Field(Path("data/debrief.sqlite3"), validation_alias="DEBRIEF_DB_PATH")


class DemoSettings(StorageSettings):
    """The local demo's settings: the page's port, and a database of its own beside the real one."""

    demo_port: int = Field(8080, ge=0, le=65535, validation_alias="DEBRIEF_DEMO_PORT")

    @property
    def demo_db_path(self) -> Path:
        """Return the demo's database: debrief-demo.sqlite3 beside debrief.sqlite3."""
        return self.db_path.with_name(f"{self.db_path.stem}-demo{self.db_path.suffix}")


class RunSettings(StorageSettings):
    """How Telegram reaches the bot: long polling, or a webhook when DEBRIEF_WEBHOOK_URL is set."""

    webhook_url: str | None = Field(None, validation_alias="DEBRIEF_WEBHOOK_URL")
    webhook_listen: str = Field("0.0.0.0:8443", validation_alias="DEBRIEF_WEBHOOK_LISTEN")

    @field_validator("webhook_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        """Accept an http(s) URL with a host; empty means long polling."""
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL, like https://bot.example.org/tg")
        return value.strip()

    @field_validator("webhook_listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        """Accept host:port (an IPv6 host in brackets)."""
        match = _LISTEN.match(value.strip())
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError("must be host:port, like 0.0.0.0:8443")
        return value.strip()

    @property
    def listen_address(self) -> tuple[str, int]:
        """Return the host and port the webhook listens on."""
        match = _LISTEN.match(self.webhook_listen)
        assert match is not None
        return match["host"].strip("[]"), int(match["port"])

    @property
    def webhook_path(self) -> str:
        """Return the path of the webhook URL, which the listener serves."""
        assert self.webhook_url is not None
        return urlsplit(self.webhook_url).path or "/"


class Settings(RunSettings):
    """Every setting of the bot; names are the environment variables."""

    token: SecretStr = Field(validation_alias="TELEGRAM_BOT_TOKEN")
    api_url: str = Field("https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    allowed_users: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias="DEBRIEF_ALLOWED_USERS"
    )
    max_messages_per_second: float = Field(
        30, ge=0, validation_alias="DEBRIEF_MAX_MESSAGES_PER_SECOND"
    )
    default_timezone: str = Field("Europe/Paris", validation_alias="DEBRIEF_DEFAULT_TIMEZONE")
    reminder_interval: float = Field(30, gt=0, validation_alias="DEBRIEF_REMINDER_INTERVAL")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias="DEBRIEF_LOG_LEVEL"
    )
    whisper_model: str = Field("base", min_length=1, validation_alias="DEBRIEF_WHISPER_MODEL")
    whisper_cache: Path | None = Field(None, validation_alias="DEBRIEF_WHISPER_CACHE")
    transcription_workers: int = Field(
        1, ge=1, le=16, validation_alias="DEBRIEF_TRANSCRIPTION_WORKERS"
    )
    voice_max_seconds: int = Field(600, gt=0, validation_alias="DEBRIEF_VOICE_MAX_SECONDS")
    transcription_memory_mib: int = Field(
        DEFAULT_MEMORY_MIB, ge=256, validation_alias="DEBRIEF_TRANSCRIPTION_MEMORY_MIB"
    )
    webhook_secret: SecretStr | None = Field(
        None, validation_alias="DEBRIEF_WEBHOOK_SECRET", validate_default=True
    )

    @field_validator("token")
    @classmethod
    def _token_looks_real(cls, value: SecretStr) -> SecretStr:
        """Refuse an empty, placeholder or malformed token before any network call."""
        secret = value.get_secret_value().strip()
        if not secret or secret.lower() in _PLACEHOLDERS:
            raise ValueError("empty or a placeholder")
        if not _TOKEN.match(secret):
            raise ValueError("not shaped like a BotFather token (digits:letters)")
        return SecretStr(secret)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_with_webhook(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """Require a secret with a webhook, made of what Telegram allows."""
        if info.data.get("webhook_url") is None:
            return value
        if value is None or not value.get_secret_value():
            raise ValueError("DEBRIEF_WEBHOOK_SECRET is required with DEBRIEF_WEBHOOK_URL")
        if not _SECRET.match(value.get_secret_value()):
            raise ValueError("DEBRIEF_WEBHOOK_SECRET: 1 to 256 characters among A-Z a-z 0-9 _ -")
        return value

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        """Accept the URL with or without a trailing slash."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("allowed_users", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Read a comma-separated list of Telegram user ids."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Refuse a timezone name the tz database does not know."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    @property
    def timezone(self) -> ZoneInfo:
        """Return the default timezone as a ZoneInfo."""
        return ZoneInfo(self.default_timezone)

    @property
    def whisper_folder(self) -> Path:
        """Return where Whisper models are downloaded: the setting, else beside the database."""
        return self.whisper_cache or self.db_path.parent / "whisper"
