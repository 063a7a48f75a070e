"""Settings come from the environment, are validated early, and never show the token."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot import app
from bot.__main__ import main
from bot.config import Settings, StorageSettings
from conversations.checklist import load_checklist, require_keys

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.split(":", 1)[1]
_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DEBRIEF_DB_PATH",
    "DEBRIEF_ALLOWED_USERS",
    "DEBRIEF_MAX_MESSAGES_PER_SECOND",
    "DEBRIEF_DEFAULT_TIMEZONE",
    "DEBRIEF_LOG_LEVEL",
    "DEBRIEF_WHISPER_MODEL",
    "DEBRIEF_WHISPER_CACHE",
    "DEBRIEF_TRANSCRIPTION_WORKERS",
    "DEBRIEF_VOICE_MAX_SECONDS",
    "DEBRIEF_WEBHOOK_URL",
    "DEBRIEF_WEBHOOK_SECRET",
    "DEBRIEF_WEBHOOK_LISTEN",
    "DEBRIEF_DEMO_PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test from an environment without any Debrief setting."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def with_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provide a well-formed token."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)


def _settings() -> Settings:
    return Settings(_env_file=None)


def test_a_missing_token_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as raised:
        _settings()

    [issue] = raised.value.errors()
    assert issue["loc"] == ("TELEGRAM_BOT_TOKEN",)
    assert issue["type"] == "missing"


@pytest.mark.parametrize(
    "token", ["", "   ", "changeme", "CHANGEME", "your-token-here", "<token>", "xxx"]
)
def test_an_empty_or_placeholder_token_is_rejected(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)

    with pytest.raises(ValidationError, match="placeholder"):
        _settings()


@pytest.mark.parametrize("token", ["12345", "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5", "123456789:short"])
def test_a_token_not_shaped_like_botfathers_is_rejected(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)

    with pytest.raises(ValidationError, match="BotFather"):
        _settings()


@pytest.mark.usefixtures("with_token")
def test_defaults_apply_when_only_the_token_is_set() -> None:
    settings = _settings()

    assert settings.token.get_secret_value() == TOKEN
    assert settings.api_url == "https://api.telegram.org"
    assert settings.db_path == Path("data/debrief.sqlite3")
    assert settings.allowed_users == frozenset()
    assert settings.max_messages_per_second == 30
    assert settings.default_timezone == "Europe/Paris"
    assert settings.timezone.key == "Europe/Paris"
    assert settings.log_level == "INFO"
    assert settings.whisper_model == "base"
    assert settings.whisper_folder == Path("data/whisper")
    assert settings.transcription_workers == 1
    assert settings.voice_max_seconds == 600


@pytest.mark.usefixtures("with_token")
def test_the_whisper_model_and_its_cache_can_be_chosen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEBRIEF_DB_PATH", str(tmp_path / "db" / "debrief.sqlite3"))
    assert _settings().whisper_folder == tmp_path / "db" / "whisper"

    monkeypatch.setenv("DEBRIEF_WHISPER_MODEL", "small")
    monkeypatch.setenv("DEBRIEF_WHISPER_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("DEBRIEF_TRANSCRIPTION_WORKERS", "2")
    settings = _settings()

    assert settings.whisper_model == "small"
    assert settings.whisper_folder == tmp_path / "models"
    assert settings.transcription_workers == 2


@pytest.mark.usefixtures("with_token")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBRIEF_WHISPER_MODEL", ""),
        ("DEBRIEF_TRANSCRIPTION_WORKERS", "0"),
        ("DEBRIEF_VOICE_MAX_SECONDS", "0"),
    ],
)
def test_impossible_voice_settings_are_rejected(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        _settings()


def test_surrounding_spaces_in_the_token_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f"  {TOKEN} ")

    assert _settings().token.get_secret_value() == TOKEN


@pytest.mark.usefixtures("with_token")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1, 2,3", frozenset({1, 2, 3})),
        ("123456789", frozenset({123456789})),
        ("1,,2,", frozenset({1, 2})),
        ("", frozenset()),
    ],
)
def test_allowed_users_are_read_from_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: frozenset[int]
) -> None:
    monkeypatch.setenv("DEBRIEF_ALLOWED_USERS", value)

    assert _settings().allowed_users == expected


@pytest.mark.usefixtures("with_token")
def test_allowed_users_that_are_not_numbers_are_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEBRIEF_ALLOWED_USERS", "1,alice")

    with pytest.raises(ValidationError):
        _settings()


@pytest.mark.usefixtures("with_token")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://localhost:8081/", "http://localhost:8081"),
        ("https://api.telegram.org//", "https://api.telegram.org"),
        ("https://api.telegram.org", "https://api.telegram.org"),
    ],
)
def test_api_url_trailing_slash_is_stripped(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", value)

    assert _settings().api_url == expected


@pytest.mark.usefixtures("with_token")
def test_api_url_without_http_scheme_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "api.telegram.org")

    with pytest.raises(ValidationError, match="http"):
        _settings()


@pytest.mark.usefixtures("with_token")
@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "Europe/Pariss", "", "../etc/passwd"])
def test_an_unknown_timezone_is_rejected(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DEBRIEF_DEFAULT_TIMEZONE", value)

    with pytest.raises(ValidationError, match="timezone"):
        _settings()


@pytest.mark.usefixtures("with_token")
def test_a_known_timezone_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_DEFAULT_TIMEZONE", "America/Montreal")

    assert _settings().timezone.key == "America/Montreal"


@pytest.mark.usefixtures("with_token")
def test_other_settings_are_read_from_their_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_DB_PATH", "/var/lib/debrief/db.sqlite3")
    monkeypatch.setenv("DEBRIEF_MAX_MESSAGES_PER_SECOND", "0")
    monkeypatch.setenv("DEBRIEF_LOG_LEVEL", "DEBUG")

    settings = _settings()

    assert settings.db_path == Path("/var/lib/debrief/db.sqlite3")
    assert settings.max_messages_per_second == 0
    assert settings.log_level == "DEBUG"


@pytest.mark.usefixtures("with_token")
def test_negative_rate_and_unknown_log_level_are_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEBRIEF_MAX_MESSAGES_PER_SECOND", "-1")
    with pytest.raises(ValidationError):
        _settings()
    monkeypatch.setenv("DEBRIEF_MAX_MESSAGES_PER_SECOND", "30")
    monkeypatch.setenv("DEBRIEF_LOG_LEVEL", "TRACE")
    with pytest.raises(ValidationError):
        _settings()


@pytest.mark.usefixtures("with_token")
def test_the_token_never_appears_when_settings_are_printed() -> None:
    settings = _settings()

    for shown in (repr(settings), str(settings), repr(settings.token), str(settings.token)):
        assert SECRET not in shown
        assert TOKEN not in shown


def test_a_rejected_token_does_not_leak_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    malformed = "123456789:bad token with spaces that is long enough"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", malformed)

    with pytest.raises(ValidationError) as raised:
        _settings()

    assert "bad token with spaces" not in str(raised.value)


def test_the_env_file_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nDEBRIEF_ALLOWED_USERS=5,6\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    settings = Settings()

    assert settings.token.get_secret_value() == TOKEN
    assert settings.allowed_users == frozenset({5, 6})


def test_running_with_a_placeholder_token_explains_it_is_invalid(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key not in _VARIABLES}
    environment["TELEGRAM_BOT_TOKEN"] = "changeme"

    finished = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 2
    assert "@BotFather" in finished.stderr
    assert "TELEGRAM_BOT_TOKEN is invalid" in finished.stderr
    assert "changeme" not in finished.stderr


def test_storage_settings_need_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert StorageSettings(_env_file=None).db_path == Path("data/debrief.sqlite3")

    monkeypatch.setenv("DEBRIEF_DB_PATH", "/data/debrief.sqlite3")

    assert StorageSettings(_env_file=None).db_path == Path("/data/debrief.sqlite3")


@pytest.mark.usefixtures("with_token")
def test_a_checklist_without_a_key_the_code_reads_stops_start_up_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    shipped = (resources.files("conversations") / "checklist.toml").read_text("utf-8")
    renamed = shipped.replace('"company"', '"employer"')
    monkeypatch.setattr(app, "checklist", lambda: require_keys(load_checklist(renamed)))

    assert main([]) == 2

    error = capsys.readouterr().err
    assert "Debrief cannot start" in error
    assert "company" in error
    assert "Traceback" not in error


def test_without_a_webhook_url_the_bot_long_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_WEBHOOK_URL", "")

    settings = Settings(token=TOKEN, _env_file=None)

    assert settings.webhook_url is None
    assert settings.listen_address == ("0.0.0.0", 8443)


def test_a_webhook_url_needs_a_secret_telegram_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_WEBHOOK_URL", "https://bot.example.org/telegram/updates")
    with pytest.raises(ValidationError, match="DEBRIEF_WEBHOOK_SECRET is required"):
        Settings(token=TOKEN, _env_file=None)
    monkeypatch.setenv("DEBRIEF_WEBHOOK_SECRET", "not allowed!")
    with pytest.raises(ValidationError, match="1 to 256 characters"):
        Settings(token=TOKEN, _env_file=None)

    monkeypatch.setenv("DEBRIEF_WEBHOOK_SECRET", "s3cret_-token")
    monkeypatch.setenv("DEBRIEF_WEBHOOK_LISTEN", "[::1]:8080")
    settings = Settings(token=TOKEN, _env_file=None)
    assert settings.webhook_path == "/telegram/updates"
    assert settings.listen_address == ("::1", 8080)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBRIEF_WEBHOOK_URL", "ftp://bot.example.org/hook"),
        ("DEBRIEF_WEBHOOK_URL", "https:///no-host"),
        ("DEBRIEF_WEBHOOK_LISTEN", "8443"),
        ("DEBRIEF_WEBHOOK_LISTEN", "0.0.0.0:70000"),
    ],
)
def test_a_wrong_webhook_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("DEBRIEF_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings(token=TOKEN, _env_file=None)
