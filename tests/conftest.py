"""Shared fixtures: a real SQLite database in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database, open_database


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    """Return where the test database lives (a real file, so WAL and reopening work)."""
    return tmp_path / "data" / "debrief.sqlite3"


@pytest.fixture
async def database(database_path: Path) -> AsyncIterator[Database]:
    """Open and migrate a fresh database file, and close it after the test."""
    db = await open_database(database_path)
    try:
        yield db
    finally:
        await db.close()
