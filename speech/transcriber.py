"""faster-whisper behind a small async API: one model, loaded on first use, run off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any, Final

__all__ = ["ENGINE", "SAMPLE_RATE", "Failure", "Transcriber", "TranscriptionError", "usable_cpus"]

logger = logging.getLogger(__name__)

ENGINE: Final = "faster_whisper"
SAMPLE_RATE: Final = 16_000
# Greedy decoding: a beam of 5 cost 60% more time here for no better key words.
BEAM_SIZE: Final = 1
# Added to the workers' nice value (Linux): the event loop, at the normal priority, takes the CPU
# it needs first, so other users' replies stay fast while a note is transcribed.
NICENESS: Final = 10
_MAX_NICE: Final = 19


class Failure(StrEnum):
    """Why an audio file gave no text; the value names the reply the user gets."""

    NOT_ENABLED = "not_enabled"
    UNAVAILABLE = "unavailable"
    TOO_LONG = "too_long"
    UNDECODABLE = "undecodable"
    SILENT = "silent"


class TranscriptionError(Exception):
    """An audio file could not be turned into text, for a reason the user can be told."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.value)
        self.failure = failure


def usable_cpus() -> int:
    """Return how many CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _lower_priority() -> None:
    """Run this worker thread, and the engine threads it starts, below the event loop."""
    if sys.platform != "linux":
        return
    # On Linux a thread has its own nice value, and threads it creates inherit it.
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(current + NICENESS, _MAX_NICE))


class Transcriber:
    """Transcribe audio with one Whisper model, in a few low-priority worker threads.

    `model` is a Whisper size name (`base`, `small`…), fetched into `cache` on first use, or the
    path of a local model folder. `engine` is the module to import (tests name a missing one).
    """

    def __init__(
        self,
        *,
        model: str,
        cache: Path,
        workers: int = 1,
        max_seconds: float = 600,
        engine: str = ENGINE,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.model = model
        self.max_seconds = max_seconds
        self._cache = cache
        self._workers = workers
        # Each worker gets an equal share of the CPUs: more threads than cores only adds switching.
        self._cpu_threads = max(1, usable_cpus() // workers)
        self._engine_name = engine
        self._engine: ModuleType | None = None
        self._installed: bool | None = None
        self._loaded: Any = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="transcriber", initializer=_lower_priority
        )

    async def installed(self) -> bool:
        """Tell whether the engine is installed; the first call imports it, off the event loop."""
        if self._installed is None:
            self._installed = await asyncio.to_thread(self._import) is not None
        return self._installed

    async def transcribe(self, audio: bytes, *, language: str) -> str:
        """Return the words spoken in an audio file (OGG/Opus, MP3, WAV…) in a language."""
        if not await self.installed():
            raise TranscriptionError(Failure.NOT_ENABLED)
        loop = asyncio.get_running_loop()
        # The executor's workers bound how many notes are transcribed at once; others queue.
        return await loop.run_in_executor(self._executor, self._transcribe, audio, language)

    def _import(self) -> ModuleType | None:
        """Import the engine once; None when it is not installed."""
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = importlib.import_module(self._engine_name)
                except ImportError:
                    logger.warning(
                        "Voice notes are off: %s is not installed (pip install '.[voice]')",
                        self._engine_name,
                    )
                    return None
            return self._engine

    def _model(self, engine: ModuleType) -> Any:
        """Return the model, loading it the first time (in a worker thread)."""
        with self._lock:
            if self._loaded is None:
                started = time.monotonic()
                if not Path(self.model).is_dir():
                    self._cache.mkdir(parents=True, exist_ok=True)
                try:
                    self._loaded = engine.WhisperModel(
                        self.model,
                        device="cpu",
                        compute_type="int8",
                        cpu_threads=self._cpu_threads,
                        num_workers=self._workers,
                        download_root=str(self._cache),
                    )
                except Exception as error:
                    # A missing folder, no network for the first download, a damaged model file:
                    # the user is told voice is unavailable, and the next note tries again.
                    logger.exception("Could not load the Whisper model %r", self.model)
                    raise TranscriptionError(Failure.UNAVAILABLE) from error
                logger.info(
                    "Whisper model %r loaded in %.1f s (%d CPU threads per worker, %d workers)",
                    self.model,
                    time.monotonic() - started,
                    self._cpu_threads,
                    self._workers,
                )
            return self._loaded

    def _transcribe(self, audio: bytes, language: str) -> str:
        """Decode, check and transcribe one audio file (runs in a worker thread)."""
        engine = self._import()
        assert engine is not None
        samples = self._decode(engine, audio)
        if len(samples) > self.max_seconds * SAMPLE_RATE:
            raise TranscriptionError(Failure.TOO_LONG)
        segments, _ = self._model(engine).transcribe(
            samples,
            language=language,
            beam_size=BEAM_SIZE,
            # Silence is cut out first; an empty note gives no segment rather than a hallucination.
            vad_filter=True,
            # Each 30-second window on its own: a misheard window cannot derail the next ones.
            condition_on_previous_text=False,
        )
        text = " ".join(" ".join(segment.text for segment in segments).split())
        if not text:
            raise TranscriptionError(Failure.SILENT)
        return text

    @staticmethod
    def _decode(engine: ModuleType, audio: bytes) -> Any:
        """Decode any audio container to 16 kHz mono samples, through PyAV (no ffmpeg needed)."""
        import av  # installed with faster-whisper

        try:
            samples = engine.decode_audio(io.BytesIO(audio), sampling_rate=SAMPLE_RATE)
        except (av.FFmpegError, IndexError, ValueError) as error:
            raise TranscriptionError(Failure.UNDECODABLE) from error
        if len(samples) == 0:
            raise TranscriptionError(Failure.UNDECODABLE)
        return samples
