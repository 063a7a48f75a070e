"""A consistent copy of the live database, taken with SQLite's online backup while the bot runs."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Backup", "BackupError", "BackupRefusedError", "backup"]

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """The copy could not be made, or did not pass the integrity check."""


class BackupRefusedError(BackupError):
    """The backup was not attempted: no source, or a target that must not be replaced."""


@dataclass(frozen=True, slots=True)
class Backup:
    """What a backup wrote."""

    path: Path
    pages: int
    size: int
    seconds: float


def backup(
    source: Path,
    target: Path,
    *,
    force: bool = False,
    pages_per_step: int = 1024,
    progress: Progress | None = None,
) -> Backup:
    """Copy the database at source to target, a single self-contained file, checked for integrity.

    The copy reads one snapshot of the database from start to end. In WAL mode a reader never
    blocks the bot's writes, which go on meanwhile, and holding the snapshot keeps SQLite from
    restarting the copy each time the bot commits, which it does between steps otherwise.
    Steps of pages_per_step pages report progress(remaining, total). The copy is written to a
    temporary file beside target and renamed over it only once complete and checked.
    """
    if not source.is_file():
        raise BackupRefusedError(f"there is no database at {source}")
    if target.resolve() == source.resolve():
        raise BackupRefusedError("the backup would replace the database itself")
    if target.exists() and not force:
        raise BackupRefusedError(f"{target} already exists (--force replaces it)")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    started = time.monotonic()
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        try:
            pages = _copy(source, partial, pages_per_step=pages_per_step, progress=progress)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not copy {source}: {error}") from error
        _sync(partial)
        if target.exists() and not force:
            raise BackupRefusedError(f"{target} appeared during the backup (--force replaces it)")
        partial.replace(target)
        _sync(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        Path(f"{partial}-journal").unlink(missing_ok=True)
        raise
    return Backup(target, pages, target.stat().st_size, time.monotonic() - started)


def _copy(source: Path, target: Path, *, pages_per_step: int, progress: Progress | None) -> int:
    """Copy one snapshot of source into target, make it a rollback-journal file; its page count."""
    # mode=rw: never create a database where there was none.
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)) as reader,
        closing(sqlite3.connect(target, isolation_level=None)) as copy,
    ):
        reader.isolation_level = None
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_schema").fetchall()
        reader.backup(copy, pages=pages_per_step, progress=_reporting(progress))
        reader.execute("COMMIT")
        # The copy inherits WAL mode from the header; a backup is better one file on its own.
        copy.execute("PRAGMA journal_mode = DELETE").fetchall()
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise BackupError("the copy failed its integrity check: " + "; ".join(problems[:5]))
        pages: int = copy.execute("PRAGMA page_count").fetchone()[0]
        return pages


def _reporting(progress: Progress | None) -> Callable[[int, int, int], None] | None:
    """Adapt progress(remaining, total) to sqlite3's progress(status, remaining, total)."""
    if progress is None:
        return None
    report = progress
    return lambda _, remaining, total: report(remaining, total)


def _sync(path: Path) -> None:
    """Flush a file, or a folder's entries, to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
