"""The engine wrapper: real faster-whisper on real speech, and each way a note gives no text."""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tracemalloc
from contextlib import ExitStack
from pathlib import Path

import pytest

from speech import Failure, Transcriber, TranscriptionError
from speech.transcriber import NICENESS, PENDING_PER_WORKER, decode
from tests.recordings import flac_silence, silence, speak

ENGLISH = "The interview went well. The team needs a backend engineer for the payment platform."


async def _failure(transcriber: Transcriber, audio: bytes, language: str = "en") -> Failure:
    """Return why a recording gave no text."""
    with pytest.raises(TranscriptionError) as raised:
        await transcriber.transcribe(audio, language=language)
    return raised.value.failure


async def test_english_speech_is_transcribed_in_english(
    transcriber: Transcriber, recordings: Path
) -> None:
    note = speak(recordings, ENGLISH, voice="en")

    text = await transcriber.transcribe(note, language="en")

    assert "engineer" in text.lower()
    assert "payment platform" in text.lower()


async def test_silence_gives_no_text(transcriber: Transcriber, recordings: Path) -> None:
    assert await _failure(transcriber, silence(recordings, 4.0)) is Failure.SILENT


@pytest.mark.parametrize(
    "audio",
    [b"", b"OggS fake voice", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40],
    ids=["empty", "garbage", "not audio"],
)
async def test_a_file_that_is_not_audio_is_undecodable(
    transcriber: Transcriber, audio: bytes
) -> None:
    assert await _failure(transcriber, audio) is Failure.UNDECODABLE


async def test_a_damaged_recording_is_undecodable(
    transcriber: Transcriber, recordings: Path
) -> None:
    note = speak(recordings, ENGLISH, voice="en")

    assert await _failure(transcriber, note[: len(note) // 20]) is Failure.UNDECODABLE


async def test_a_recording_over_the_limit_is_refused_before_the_model_loads(
    whisper_model: Path, recordings: Path, tmp_path: Path
) -> None:
    short_limit = Transcriber(model=str(whisper_model), cache=tmp_path, max_seconds=2)

    assert await _failure(short_limit, silence(recordings, 4.0)) is Failure.TOO_LONG
    short_limit.close()


async def test_without_the_engine_installed_voice_is_not_enabled(tmp_path: Path) -> None:
    missing = Transcriber(model="base", cache=tmp_path, engine="debrief_no_such_engine")

    assert not missing.installed()
    assert await _failure(missing, b"OggS") is Failure.NOT_ENABLED


async def test_a_model_that_cannot_be_loaded_makes_voice_unavailable(
    recordings: Path, tmp_path: Path
) -> None:
    empty_folder = tmp_path / "model"
    empty_folder.mkdir()
    broken = Transcriber(model=str(empty_folder), cache=tmp_path)

    assert await _failure(broken, speak(recordings, ENGLISH, voice="en")) is Failure.UNAVAILABLE
    broken.close()


async def test_notes_sent_together_are_all_transcribed(
    transcriber: Transcriber, recordings: Path
) -> None:
    note = speak(recordings, ENGLISH, voice="en")
    quiet = silence(recordings, 4.0)

    results = await asyncio.gather(
        transcriber.transcribe(note, language="en"),
        transcriber.transcribe(quiet, language="en"),
        return_exceptions=True,
    )

    assert isinstance(results[0], str)
    assert "engineer" in results[0].lower()
    assert isinstance(results[1], TranscriptionError)


def test_at_least_one_worker_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Transcriber(model="base", cache=tmp_path, workers=0)


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread scheduling is Linux's")
async def test_workers_only_use_cpu_time_nothing_else_wants(
    transcriber: Transcriber, recordings: Path
) -> None:
    assert await _failure(transcriber, silence(recordings, 1.0)) is Failure.SILENT
    loop = asyncio.get_running_loop()
    pool = transcriber._processes()

    policy = await loop.run_in_executor(pool, os.sched_getscheduler, 0)
    nice = await loop.run_in_executor(pool, os.getpriority, os.PRIO_PROCESS, 0)

    assert policy == os.SCHED_IDLE
    assert nice == min(os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19)
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


async def test_a_worker_that_dies_is_replaced(whisper_model: Path, tmp_path: Path) -> None:
    fresh = Transcriber(model=str(whisper_model), cache=tmp_path)
    garbage = b"OggS fake voice"
    assert await _failure(fresh, garbage) is Failure.UNDECODABLE
    [worker] = fresh._processes()._processes.values()

    worker.kill()
    worker.join()

    assert await _failure(fresh, garbage) is Failure.UNAVAILABLE
    assert await _failure(fresh, garbage) is Failure.UNDECODABLE
    fresh.close()


async def test_a_recording_whose_header_is_over_the_limit_is_refused_before_decoding(
    transcriber: Transcriber,
) -> None:
    # Three seconds of sound under a header that announces an hour: none of it is decoded.
    assert await _failure(transcriber, flac_silence(3.0, announced=3600)) is Failure.TOO_LONG


def test_decoding_stops_at_the_limit_when_the_length_is_not_announced() -> None:
    ten_minutes = flac_silence(600.0, announced=0)
    tracemalloc.start()
    try:
        with pytest.raises(TranscriptionError) as raised:
            decode(ten_minutes, max_seconds=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert raised.value.failure is Failure.TOO_LONG
    # Decoded whole, ten minutes are 19 MB of samples, and twice that once turned into floats.
    assert peak < 4 * 1024 * 1024


def test_a_recording_within_the_limit_is_decoded_whole() -> None:
    samples = decode(flac_silence(12.5, announced=0), max_seconds=13)

    assert len(samples) == 12.5 * 16_000


def _data_mib() -> float:
    """Return this process's data segment (Linux's VmData), in MiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmData:"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(
    sys.platform != "linux", reason="RLIMIT_DATA is enforced as documented on Linux"
)
async def test_a_recording_needing_more_memory_than_a_worker_may_take_is_too_large(
    whisper_model: Path, tmp_path: Path
) -> None:
    loop = asyncio.get_running_loop()
    # What a worker takes once the engine is imported (a first recording imports it).
    roomy = Transcriber(model=str(whisper_model), cache=tmp_path)
    assert await _failure(roomy, b"OggS fake voice") is Failure.UNDECODABLE
    ready = await loop.run_in_executor(roomy._processes(), _data_mib)
    roomy.close()
    # Nine minutes are allowed, but decoding them takes about 90 MB.
    cap = round(ready) + 48
    tight = Transcriber(model=str(whisper_model), cache=tmp_path, memory_mib=cap)

    failure = await _failure(tight, flac_silence(540.0))

    limit = await loop.run_in_executor(tight._processes(), resource.getrlimit, resource.RLIMIT_DATA)
    tight.close()
    assert limit == (cap * 1024 * 1024, cap * 1024 * 1024)
    assert failure is Failure.OUT_OF_MEMORY


def test_recordings_past_the_places_of_the_queue_are_told_busy(tmp_path: Path) -> None:
    two_workers = Transcriber(model="base", cache=tmp_path, workers=2)
    assert two_workers.max_pending == 2 * PENDING_PER_WORKER

    with ExitStack() as held:
        for _ in range(two_workers.max_pending):
            held.enter_context(two_workers.reserve())
        with pytest.raises(TranscriptionError) as raised, two_workers.reserve():
            pass
        assert raised.value.failure is Failure.BUSY

    with two_workers.reserve():
        pass
