"""Online backups: a consistent, checked, self-contained copy while another connection writes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from storage.backup import BackupError, BackupRefusedError, backup

WAIT = 10


def _live(path: Path, rows: int = 400) -> Path:
    """Create a WAL database with enough rows to take many backup steps."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        connection.executemany(
            "INSERT INTO notes (text) VALUES (?)", [(f"note {n} " * 20,) for n in range(rows)]
        )
        connection.commit()
    return path


def _ids(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM notes ORDER BY id")]


class _Writer:
    """Commit one row at a time on its own connection until stopped, as the bot would."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stop = threading.Event()
        self._committed = threading.Condition()
        self.last_id = 0
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with closing(sqlite3.connect(self._path)) as connection:
            while not self._stop.is_set():
                cursor = connection.execute("INSERT INTO notes (text) VALUES ('during')")
                connection.commit()
                with self._committed:
                    self.last_id = cursor.lastrowid or 0
                    self._committed.notify_all()

    def wait_for(self, last_id: int) -> bool:
        """Wait until the row last_id is committed; False on timeout."""
        with self._committed:
            return self._committed.wait_for(lambda: self.last_id >= last_id, timeout=WAIT)

    @contextmanager
    def running(self) -> Iterator[_Writer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(WAIT)


def test_a_backup_during_writes_holds_every_row_committed_before_it_and_no_torn_state(
    tmp_path: Path,
) -> None:
    source = _live(tmp_path / "live.sqlite3")
    target = tmp_path / "backups" / "copy.sqlite3"
    steps: list[int] = []
    with _Writer(source).running() as writer:
        assert writer.wait_for(_ids(source)[-1] + 5)
        committed_before = _ids(source)[-1]

        def between_steps(remaining: int, total: int) -> None:
            # The bot's writes go on while the backup holds its snapshot.
            if not steps:
                assert writer.wait_for(writer.last_id + 50)
            steps.append(remaining)

        done = backup(source, target, pages_per_step=4, progress=between_steps)

    copied = _ids(target)
    assert len(steps) > 3
    assert copied == list(range(1, copied[-1] + 1))
    assert copied[-1] >= committed_before
    assert _ids(source)[-1] > copied[-1] + 50
    assert done.path == target
    assert done.size == target.stat().st_size
    assert done.pages * 4096 == done.size
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchall() == [("delete",)]


def test_the_copy_is_a_single_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    source = _live(tmp_path / "live.sqlite3")
    target = tmp_path / "backups" / "copy.sqlite3"

    backup(source, target)

    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.sqlite3"]
    assert target.stat().st_mode & 0o077 == 0


def test_an_existing_file_is_not_replaced_without_force(tmp_path: Path) -> None:
    source = _live(tmp_path / "live.sqlite3")
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"yesterday's backup")

    with pytest.raises(BackupRefusedError, match="--force"):
        backup(source, target)
    assert target.read_bytes() == b"yesterday's backup"

    backup(source, target, force=True)
    assert _ids(target) == _ids(source)


def test_a_missing_database_is_refused_and_not_created(tmp_path: Path) -> None:
    source = tmp_path / "nothing-here.sqlite3"

    with pytest.raises(BackupRefusedError, match="no database"):
        backup(source, tmp_path / "copy.sqlite3")

    assert list(tmp_path.iterdir()) == []


def test_the_database_itself_is_never_the_target(tmp_path: Path) -> None:
    source = _live(tmp_path / "live.sqlite3")

    with pytest.raises(BackupRefusedError, match="itself"):
        backup(source, tmp_path / "." / "live.sqlite3", force=True)

    assert len(_ids(source)) == 400


def test_a_file_that_is_not_a_database_fails_and_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("not a database, but long enough to have a header " * 10)
    backups = tmp_path / "backups"

    with pytest.raises(BackupError, match="SQLite could not copy"):
        backup(source, backups / "copy.sqlite3")

    assert list(backups.iterdir()) == []
