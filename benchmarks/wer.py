"""Word error rate of spoken debrief answers, with and without the context prompt."""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import jiwer

from benchmarks.processes import finish, git_commit
from conversations.checklist import checklist
from conversations.hints import speech_context
from conversations.i18n import Language, fold
from conversations.model import Debrief, Status
from speech import Transcriber
from tests.recordings import assemble_model, check_tools, speak

__all__ = ["main"]

JSON = dict[str, Any]

# What a debrief already knows when these answers are spoken: the names the prompt carries.
KNOWN: Final[dict[Language, dict[str, str]]] = {
    "fr": {
        "company": "Acme Robotique",
        "position": "Développeuse backend",
        "interviewers": "Claire Dubois\nKarim Benali",
    },
    "en": {
        "company": "Acme Robotics",
        "position": "Backend engineer",
        "interviewers": "Claire Dubois\nKarim Benali",
    },
}
# (question key, what is said), as a hurried user answers in the car park.
ANSWERS: Final[dict[Language, tuple[tuple[str, str], ...]]] = {
    "fr": (
        ("interviewers", "Claire Dubois, responsable plateforme, et Karim Benali, le CTO."),
        (
            "next_steps",
            "Réponse avant le 5 décembre, puis un deuxième entretien avec Karim Benali.",
        ),
        ("obstacles", "Karim Benali trouve que je manque d'expérience avec Kafka."),
        (
            "counter_arguments",
            "J'ai exploité un cluster RabbitMQ de deux millions de messages par jour chez Acme.",
        ),
        ("forgotten_questions", "Comment se passe l'astreinte chez Acme Robotique ?"),
        ("how_it_went", "L'entretien avec Claire Dubois s'est bien passé, elle était détendue."),
        ("best_arguments", "La réduction de soixante pour cent de la latence de notre API."),
        ("convinced", "Claire Dubois, grâce à l'histoire de la latence."),
    ),
    "en": (
        ("interviewers", "Claire Dubois, head of platform, and Karim Benali, the CTO."),
        ("next_steps", "An answer before the fifth of December, then a round with Karim Benali."),
        ("obstacles", "Karim Benali thinks I lack experience with Kafka."),
        ("counter_arguments", "I ran a RabbitMQ cluster handling two million messages a day."),
        ("forgotten_questions", "What does on-call look like at Acme Robotics?"),
        ("how_it_went", "The interview with Claire Dubois went well, she was relaxed."),
        ("best_arguments", "I cut the latency of our payment API by sixty percent."),
        ("convinced", "Claire Dubois, thanks to the latency story."),
    ),
}
VOICES: Final[dict[Language, str]] = {"fr": "fr", "en": "en-gb"}
USAGE: Final = """\
Each answer is spoken by espeak-ng (French and English voices), encoded to OGG/Opus like a
Telegram voice note, and transcribed twice by speech.Transcriber with the Whisper base model
(int8, CPU, as the bot runs it): without context, and with the context the bot gives (the names
already answered and the question, conversations.hints.speech_context). WER = (substitutions +
deletions + insertions) / words said, over all answers of a language (jiwer), after lower-casing,
folding accents and apostrophes and dropping punctuation. Lower is better.
"""


def _normal(text: str) -> str:
    """Lower-case, fold accents and apostrophes, and drop punctuation."""
    return " ".join(re.sub(r"[^\w\s']", " ", fold(text)).replace("'", " ").split())


def _context(language: Language, key: str) -> str | None:
    """Return the prompt the bot would give for an answer to `key`."""
    known = KNOWN[language]
    debrief = Debrief(1, 1, Status.ACTIVE, key, key, None, None, answers=dict(known))
    return speech_context(checklist(), debrief, key, language=language)


async def _language(transcriber: Transcriber, folder: Path, language: Language, model: str) -> JSON:
    """Transcribe every answer of a language both ways; return the WERs and the transcripts."""
    said, plain, primed, rows = [], [], [], []
    seconds = {"plain": 0.0, "primed": 0.0}
    for key, words in ANSWERS[language]:
        audio = speak(folder, words, voice=VOICES[language])
        started = time.monotonic()
        heard = await transcriber.transcribe(audio, language=language)
        seconds["plain"] += time.monotonic() - started
        context = _context(language, key)
        started = time.monotonic()
        heard_primed = await transcriber.transcribe(audio, language=language, context=context)
        seconds["primed"] += time.monotonic() - started
        said.append(_normal(words))
        plain.append(_normal(heard))
        primed.append(_normal(heard_primed))
        rows.append({"key": key, "said": words, "plain": heard, "primed": heard_primed})
    return {
        "model": model,
        "answers": len(said),
        "words": sum(len(s.split()) for s in said),
        "wer_plain": jiwer.wer(said, plain),
        "wer_primed": jiwer.wer(said, primed),
        "seconds_plain": seconds["plain"],
        "seconds_primed": seconds["primed"],
        "transcripts": rows,
    }


async def run(cache: Path, models: list[str]) -> JSON:
    """Measure both languages with each model; the base model ships with the test extras."""
    check_tools()
    folder = cache / "recordings"
    report: JSON = {
        "benchmark": "wer",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "results": [],
    }
    for name in models:
        model = str(assemble_model(cache / "whisper-base")) if name == "base" else name
        transcriber = Transcriber(model=model, cache=cache / "whisper")
        try:
            for language in ("fr", "en"):
                result = await _language(transcriber, folder, language, name)
                report["results"].append({"language": language, **result})
        finally:
            transcriber.close()
    return report


def render(report: JSON) -> str:
    """Render the report as a short table."""
    lines = [f"Word error rate, espeak-ng speech ({report['commit']}, {report['machine']})"]
    lines.append("model   language  answers  words  WER plain  WER primed  time plain/primed")
    for result in report["results"]:
        lines.append(
            f"{result['model']:<7} {result['language']:<9} {result['answers']:>7} "
            f"{result['words']:>6}  {result['wer_plain']:>8.1%}  {result['wer_primed']:>10.1%}"
            f"  {result['seconds_plain']:.1f} s / {result['seconds_primed']:.1f} s"
        )
    return "\n".join(lines)


def failed(report: JSON) -> bool:
    """Fail when no result was measured."""
    return not report["results"]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wer",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--models",
        default="base",
        help="comma-separated Whisper sizes or model folders (default base; others download)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "debrief-benchmarks",
        help="where the model and recordings are kept (default ~/.cache/debrief-benchmarks)",
    )
    args = parser.parse_args(argv)
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    return finish(run(args.cache, models), "wer", render, failed)


if __name__ == "__main__":
    sys.exit(main())
