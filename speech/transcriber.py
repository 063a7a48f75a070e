"""faster-whisper behind a small async API, in worker processes that only use idle CPU time."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import io
import itertools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any, Final

__all__ = [
    "DEFAULT_MEMORY_MIB",
    "ENGINE",
    "PENDING_PER_WORKER",
    "SAMPLE_RATE",
    "Failure",
    "Transcriber",
    "TranscriptionError",
    "decode",
    "usable_cpus",
]

logger = logging.getLogger(__name__)

ENGINE: Final = "faster_whisper"
SAMPLE_RATE: Final = 16_000
# Greedy decoding: a beam of 5 cost 60% more time here for no better key words.
BEAM_SIZE: Final = 1
# Workers only take CPU time that nothing else wants (SCHED_IDLE, Linux), so the event loop and
# other users' replies come first; where that policy is refused, they are niced by this much.
NICENESS: Final = 10
_MAX_NICE: Final = 19
# Recordings fetched or transcribed at once, per worker (one at work, two waiting): the others
# get "busy" before their audio is downloaded, so waiting audio cannot fill the bot's memory.
PENDING_PER_WORKER: Final = 3
# The memory a worker may take (its data segment, RLIMIT_DATA): the base model and a 10-minute
# note need under 500 MiB; a decoder that runs away gets "too large" instead of the machine.
DEFAULT_MEMORY_MIB: Final = 2048


class Failure(StrEnum):
    """Why an audio file gave no text; the value names the reply the user gets."""

    NOT_ENABLED = "not_enabled"
    UNAVAILABLE = "unavailable"
    TOO_LONG = "too_long"
    UNDECODABLE = "undecodable"
    SILENT = "silent"
    BUSY = "busy"
    OUT_OF_MEMORY = "out_of_memory"


class TranscriptionError(Exception):
    """An audio file could not be turned into text, for a reason the user can be told."""

    def __init__(self, failure: Failure | str) -> None:
        # Rebuilt from its value when it comes back from a worker process.
        self.failure = Failure(failure)
        super().__init__(self.failure.value)


def usable_cpus() -> int:
    """Return how many CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start_worker(log_level: int, memory_mib: int) -> None:
    """Set up a worker process: the bot's log level, a memory cap, the lowest CPU priority."""
    logging.basicConfig(
        level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    _cap_memory(memory_mib)
    _lower_priority()


def _cap_memory(memory_mib: int) -> None:
    """Make allocations past `memory_mib` fail in this process (MemoryError), not the machine."""
    if sys.platform != "linux":
        return
    import resource

    # RLIMIT_DATA counts the heap and private writable mappings (Linux 4.7 and later), what a
    # decoder or the model allocate, but not address space merely reserved, as RLIMIT_AS would.
    limit = memory_mib * 1024 * 1024
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _lower_priority() -> None:
    """Run this thread, and every thread it starts later, below everything else."""
    if sys.platform != "linux":
        return
    # On Linux a thread has its own scheduling policy and nice value; threads it creates inherit
    # them, the engine's compute threads included.
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(current + NICENESS, _MAX_NICE))
    with contextlib.suppress(OSError):
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))


@dataclass(frozen=True, slots=True)
class _Engine:
    """What a worker process needs to load the model and transcribe."""

    module: str
    model: str
    cache: str
    cpu_threads: int
    max_seconds: float


class Transcriber:
    """Transcribe audio with one Whisper model per worker process, started on first use.

    `model` is a Whisper size name (`base`, `small`…), fetched into `cache` on first use, or the
    path of a local model folder. `engine` is the module to use (tests name a missing one).
    """

    def __init__(
        self,
        *,
        model: str,
        cache: Path,
        workers: int = 1,
        max_seconds: float = 600,
        memory_mib: int = DEFAULT_MEMORY_MIB,
        engine: str = ENGINE,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.model = model
        self.max_seconds = max_seconds
        self.max_pending = workers * PENDING_PER_WORKER
        self._pending = 0
        self._memory_mib = memory_mib
        self._workers = workers
        # Each worker gets an equal share of the CPUs: more threads than cores only adds switching.
        cpu_threads = max(1, usable_cpus() // workers)
        self._engine = _Engine(engine, model, str(cache), cpu_threads, max_seconds)
        self._installed: bool | None = None
        self._pool: ProcessPoolExecutor | None = None

    def installed(self) -> bool:
        """Tell whether the engine is installed, without importing it here."""
        if self._installed is None:
            try:
                self._installed = importlib.util.find_spec(self._engine.module) is not None
            except (ImportError, ValueError):
                self._installed = False
            if not self._installed:
                logger.warning(
                    "Voice notes are off: %s is not installed (pip install '.[voice]')",
                    self._engine.module,
                )
        return self._installed

    @contextlib.contextmanager
    def reserve(self) -> Iterator[None]:
        """Hold one of the places for a recording being fetched or transcribed; BUSY when none
        is left (the bot runs in one thread: a plain count is enough)."""
        if self._pending >= self.max_pending:
            raise TranscriptionError(Failure.BUSY)
        self._pending += 1
        try:
            yield
        finally:
            self._pending -= 1

    async def transcribe(self, audio: bytes, *, language: str, context: str | None = None) -> str:
        """Return the words spoken in an audio file (OGG/Opus, MP3, WAV…) in a language.

        `context` is text the speech is likely to echo (the question, names already given): the
        decoder reads it as if it came just before, so it spells those words as written there.
        """
        if not self.installed():
            raise TranscriptionError(Failure.NOT_ENABLED)
        loop = asyncio.get_running_loop()
        # The pool's size bounds how many notes are transcribed at once; others wait their turn.
        try:
            pool = self._processes()
            return await loop.run_in_executor(
                pool, _transcribe, self._engine, audio, language, context
            )
        except BrokenProcessPool as error:
            # A worker died (out of memory, a crash in a decoder): the next note gets a new one.
            logger.error("A transcription process died; a new one starts with the next note")
            self.close()
            raise TranscriptionError(Failure.UNAVAILABLE) from error

    def _processes(self) -> ProcessPoolExecutor:
        """Return the worker processes, starting them the first time."""
        if self._pool is None:
            # Spawned, not forked: the bot's event loop and threads must not be copied.
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(logger.getEffectiveLevel(), self._memory_mib),
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker processes; notes still waiting are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


# What follows runs in the worker processes. Each transcribes one note at a time, so the model it
# loads on its first note needs no lock.
_models: dict[_Engine, Any] = {}


def _transcribe(engine: _Engine, audio: bytes, language: str, context: str | None = None) -> str:
    """Decode, check and transcribe one recording."""
    try:
        module = importlib.import_module(engine.module)
    except ImportError as error:
        logger.exception("Could not import %s", engine.module)
        raise TranscriptionError(Failure.UNAVAILABLE) from error
    try:
        return _words(module, engine, audio, language, context)
    except MemoryError as error:
        # Past the worker's memory cap: this recording asks more than the bot gives it.
        logger.warning("A recording needed more memory than a transcription process may take")
        raise TranscriptionError(Failure.OUT_OF_MEMORY) from error


def _words(
    module: ModuleType, engine: _Engine, audio: bytes, language: str, context: str | None
) -> str:
    """Return the words of a recording, or raise TranscriptionError."""
    samples = decode(audio, max_seconds=engine.max_seconds)
    segments, _ = _model(module, engine).transcribe(
        samples,
        language=language,
        beam_size=BEAM_SIZE,
        # Silence is cut out first; an empty note gives no segment rather than a hallucination.
        vad_filter=True,
        # Each 30-second window on its own: a misheard window cannot derail the next ones.
        condition_on_previous_text=False,
        # A window heard with low confidence is kept as it is: re-decoding it at five higher
        # temperatures tripled the time of a 30-second note here for the same words.
        # Repetition loops (compression ratio) are still decoded again.
        log_prob_threshold=None,
        # Primes the first 30-second window (a whole short answer); with condition_on_previous_text
        # off, later windows start afresh.
        initial_prompt=context or None,
    )
    text = " ".join(" ".join(segment.text for segment in segments).split())
    if not text:
        raise TranscriptionError(Failure.SILENT)
    return text


def _model(module: ModuleType, engine: _Engine) -> Any:
    """Return this process's model, loading it the first time."""
    if engine not in _models:
        started = time.monotonic()
        if not Path(engine.model).is_dir():
            Path(engine.cache).mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _models[engine] = module.WhisperModel(
                engine.model,
                device="cpu",
                compute_type="int8",
                cpu_threads=engine.cpu_threads,
                download_root=engine.cache,
            )
        except Exception as error:
            # A missing folder, no network for the first download, a damaged model file: the user
            # is told voice is unavailable, and the next note tries again.
            logger.exception("Could not load the Whisper model %r", engine.model)
            raise TranscriptionError(Failure.UNAVAILABLE) from error
        logger.info(
            "Whisper model %r loaded in %.1f s (%d CPU threads)",
            engine.model,
            time.monotonic() - started,
            engine.cpu_threads,
        )
    return _models[engine]


def decode(audio: bytes, *, max_seconds: float) -> Any:
    """Decode any audio container to 16 kHz mono samples, through PyAV (no ffmpeg needed).

    A recording whose container says it is longer than `max_seconds` is refused before any
    decoding, and decoding stops at the limit: a small file may hold hours of silence.
    """
    import av  # installed with faster-whisper
    import numpy as np

    limit = int(max_seconds * SAMPLE_RATE)
    chunks: list[Any] = []
    decoded = 0
    try:
        with av.open(io.BytesIO(audio), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise TranscriptionError(Failure.UNDECODABLE)
            declared = _declared_seconds(container)
            if declared is not None and declared > max_seconds:
                raise TranscriptionError(Failure.TOO_LONG)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in itertools.chain(_valid_frames(container.decode(audio=0)), [None]):
                for resampled in resampler.resample(frame):
                    chunk = resampled.to_ndarray().reshape(-1)
                    decoded += len(chunk)
                    if decoded > limit:
                        raise TranscriptionError(Failure.TOO_LONG)
                    chunks.append(chunk)
    except (av.FFmpegError, IndexError, ValueError) as error:
        raise TranscriptionError(Failure.UNDECODABLE) from error
    if decoded == 0:
        raise TranscriptionError(Failure.UNDECODABLE)
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _declared_seconds(container: Any) -> float | None:
    """Return the length a container announces (None when it does not say)."""
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # in AV_TIME_BASE units
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _valid_frames(frames: Iterator[Any]) -> Iterator[Any]:
    """Skip frames the decoder finds damaged, as faster-whisper's own decoding does."""
    import av

    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.InvalidDataError:
            continue
