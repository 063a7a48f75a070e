"""A browser's recording made into what Telegram sends as a voice note: Opus in an OGG file.

Browsers record Opus in WebM (Chromium) or OGG (Firefox); the packets are copied, not re-encoded.
PyAV comes with the voice extra (faster-whisper), so without it there are no voice notes to make.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Final

__all__ = ["VoiceNote", "VoiceNoteError", "voice_note"]

MIN_SECONDS: Final = 1


class VoiceNoteError(ValueError):
    """The recording is not Opus audio that can become a voice note."""


@dataclass(frozen=True, slots=True)
class VoiceNote:
    """An OGG/Opus file and its duration in whole seconds, as Telegram reports it."""

    ogg: bytes
    duration: int


def voice_note(recording: bytes) -> VoiceNote:
    """Copy the Opus packets of a WebM or OGG recording into an OGG file."""
    try:
        import av
    except ImportError:
        raise VoiceNoteError("PyAV is not installed (the voice extra)") from None
    out = io.BytesIO()
    try:
        with av.open(io.BytesIO(recording), "r") as source:
            if not source.streams.audio:
                raise VoiceNoteError("the recording has no sound track")
            track = source.streams.audio[0]
            if track.codec_context.name != "opus":
                raise VoiceNoteError(f"the recording is {track.codec_context.name}, not Opus")
            end = 0.0
            with av.open(out, "w", format="ogg") as target:
                copy = target.add_stream_from_template(track)
                for packet in source.demux(track):
                    if packet.dts is None or packet.pts is None:
                        continue  # the demuxer's final flush packet
                    if packet.time_base is not None:
                        length = packet.duration or 0
                        end = max(end, float((packet.pts + length) * packet.time_base))
                    packet.stream = copy
                    target.mux(packet)
    except av.error.FFmpegError as error:
        raise VoiceNoteError(f"the recording cannot be read: {error}") from None
    return VoiceNote(out.getvalue(), max(MIN_SECONDS, math.ceil(end)))
