"""`python -m bot backup PATH`: needs only the database path, never the bot token."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """Create a small WAL database where DEBRIEF_DB_PATH will point."""
    path = tmp_path / "data" / "debrief.sqlite3"
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('Zéphyr 😬')")
        connection.commit()
    return path


def _backup(cwd: Path, database: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the backup command with DEBRIEF_DB_PATH set and no Debrief setting besides."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DEBRIEF_"))
    }
    environment["DEBRIEF_DB_PATH"] = str(database)
    return subprocess.run(
        [sys.executable, "-m", "bot", "backup", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _notes(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT text FROM notes")]


def test_backup_writes_a_copy_without_a_token(tmp_path: Path, live: Path) -> None:
    finished = _backup(tmp_path, live, "backups/monday.sqlite3")

    assert finished.returncode == 0, finished.stderr
    assert "Backed up" in finished.stdout
    assert "integrity ok" in finished.stdout
    assert _notes(tmp_path / "backups" / "monday.sqlite3") == ["Zéphyr 😬"]


def test_backup_refuses_to_replace_a_file_unless_forced(tmp_path: Path, live: Path) -> None:
    target = tmp_path / "monday.sqlite3"
    target.write_bytes(b"keep me")

    refused = _backup(tmp_path, live, str(target))
    forced = _backup(tmp_path, live, str(target), "--force")

    assert refused.returncode == 2
    assert "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert _notes(target) == ["Zéphyr 😬"]


def test_backup_of_a_missing_database_exits_2_and_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "nothing.sqlite3"

    finished = _backup(tmp_path, missing, "copy.sqlite3")

    assert finished.returncode == 2
    assert f"no database at {missing}" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not missing.exists()
    assert not (tmp_path / "copy.sqlite3").exists()


def test_backup_without_a_path_is_a_usage_error(tmp_path: Path, live: Path) -> None:
    finished = _backup(tmp_path, live)

    assert finished.returncode == 2
    assert "PATH" in finished.stderr
