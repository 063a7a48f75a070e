"""Speech to text on this machine: no audio and no transcript ever leaves it."""

from speech.transcriber import Failure, Transcriber, TranscriptionError

__all__ = ["Failure", "Transcriber", "TranscriptionError"]
