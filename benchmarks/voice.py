"""Voice benchmark: real-time factor of French notes, peak memory, other users' latency."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from benchmarks.processes import (
    TOKEN,
    BotProcess,
    ProcessExited,
    bot_env,
    check,
    finish,
    git_commit,
    wait_ready,
)
from benchmarks.users import Debriefer, Sample, latency
from bot.fakeapi import BotMessage, FakeTelegram, FakeUser
from conversations.i18n import catalog
from tests.recordings import assemble_model, check_tools, flac_silence, speak

__all__ = ["main"]

JSON = dict[str, Any]

SPEAKER_ID: Final = 69_001
ATTACKER_ID: Final = 69_002
# The attack of issue 10: ten hours of FLAC silence (6.9 MB), sent as an audio document, which
# carries no duration; decoding it whole took a transcription process to 5.5 GiB.
HOSTILE_SECONDS: Final = 36_000.0
TARGET_HOSTILE_MIB: Final = 600.0
HOSTILE_PASS: Final = 20.0
# Then 30 users send a 19 MB recording each at the same moment (issue 10: the bot held them all).
FLOOD_USERS: Final = 30
FLOOD_BYTES: Final = 19_000_000
FLOOD_FIRST_ID: Final = 68_001
FIRST_TYPIST_ID: Final = 70_001
TARGET_RTF: Final = 0.25
TARGET_LATENCY_RATIO: Final = 1.2
NOTES: Final = (("30 s", 30.0), ("2 min", 120.0))
NOTE_TIMEOUT: Final = 300.0
REPLY_TIMEOUT: Final = 30.0
WARM_UP: Final = "Bonjour, je voudrais parler de mon entretien d'hier."
# About 220 words: 76 seconds at espeak-ng's 150 words per minute; said twice for 2 minutes.
FRENCH: Final = (
    "L'entretien s'est bien passé dans l'ensemble. J'ai rencontré la responsable de la"
    " plateforme, qui monte une nouvelle équipe de données. Elle m'a expliqué que l'entreprise"
    " migre la télémétrie de sa flotte de robots vers une architecture événementielle. Le poste"
    " consiste à reprendre la chaîne d'ingestion et à la rendre fiable. L'ambiance était"
    " détendue, les gens plaisantaient dans le couloir, et les horaires sont souples. Il y a une"
    " astreinte une semaine sur six, ce qui me paraît raisonnable. Le trajet prend quarante-cinq"
    " minutes en train. La partie sur la conception des systèmes était difficile, car ils m'ont"
    " demandé de dessiner une file de messages capable de supporter une forte charge. Leur"
    " principale objection est mon manque d'expérience avec Kafka. J'ai répondu que j'avais"
    " exploité un cluster RabbitMQ qui traitait deux millions de messages par jour, et que les"
    " principes sont les mêmes. Ils m'ont aussi demandé pourquoi j'avais quitté mon dernier poste"
    " après dix-huit mois. J'ai expliqué que l'équipe avait été dissoute après un rachat. J'ai"
    " oublié de demander comment se passe l'astreinte en pratique, et quand le poste commence."
    " Mon meilleur argument a été la réduction de soixante pour cent de la latence de notre"
    " interface de paiement. La prochaine étape est un deuxième entretien avec le directeur"
    " technique, avec une réponse attendue avant le cinq décembre."
)
USAGE: Final = """\
passes, against one `python -m bot` process with the Whisper base model (int8, CPU):
  solo      the 30-second and 2-minute French notes, one at a time, nothing else running:
            real-time factor = (the bot's "I heard" message - the note's sending) / its length
  baseline  --typists users answer a debrief question every ~0.5 s for --seconds; reply latency
  voice     as many typists, while a speaker sends 2-minute notes back to back
  hostile   first of all: ten hours of FLAC silence (6.9 MB) sent as an audio document, while
            the typists type for 20 s (and 20 s without it, before); peak memory of the bot and
            its transcription processes, and the typists' latency; then 30 users send a 19 MB
            recording each at once: how many are told busy, the bot's peak (--only-hostile: these)
Baseline and voice passes alternate --rounds times; each kind's latencies are pooled.
The bot runs unpaced (DEBRIEF_MAX_MESSAGES_PER_SECOND=0): with pacing, the typists' latency
is mostly the send queue, which hides what the transcriptions cost them.

The fake Bot API server (bot/fakeapi/), the typists and the speaker run in this
process on 127.0.0.1. Speech comes from espeak-ng, encoded to OGG/Opus like Telegram's voice
notes; the model and the recordings are made once into --cache. JSON goes to benchmarks/results/.
"""


@dataclass(frozen=True, slots=True)
class Note:
    """One transcribed note: its length, and how long the bot took to show what it heard."""

    label: str
    seconds: float
    turnaround: float

    @property
    def rtf(self) -> float:
        """Return the real-time factor: processing time over speech time."""
        return self.turnaround / self.seconds


class Speaker:
    """A French user who answers a debrief's first free-text question by voice, again and again."""

    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.heard = catalog().text("fr", "voice.heard").split("{")[0].strip()

    async def _reply(self, timeout: float = REPLY_TIMEOUT) -> BotMessage:  # noqa: ASYNC109
        """Return the bot's next message."""
        return await self.user.next_message(timeout=timeout)

    async def start(self) -> None:
        """Open a debrief, name the company, skip to what they learned about the company."""
        for text in ("/new", "Acme", "/skip", "/skip", "/skip", "/skip"):
            await self.user.send_text(text)
            await self._reply()

    async def say(self, audio: bytes, label: str, seconds: float) -> Note:
        """Send a note, time it until the bot shows what it heard, then go back to its question.

        (Question 2, the position, takes 200 characters: a note's transcript is longer.)
        """
        sent = time.monotonic()
        await self.user.send_voice(audio, duration=round(seconds))
        reply = await self._reply(NOTE_TIMEOUT)
        if not reply.text.startswith(self.heard):
            raise AssertionError(f"expected the transcript, got {reply.describe()}")
        note = Note(label, seconds, reply.sent_at - sent)
        await self._reply()  # the next question
        await self.user.send_text("/back")
        await self._reply()
        return note


def _env(fake: FakeTelegram, workdir: Path, model: Path) -> dict[str, str]:
    """Return the bot's environment: the fake's URL, a temp database, the local model."""
    # Unpaced, so the latencies show the CPU the transcriptions take, not the send queue.
    settings = {"DEBRIEF_WHISPER_MODEL": str(model), "DEBRIEF_MAX_MESSAGES_PER_SECOND": "0"}
    return bot_env(fake.url, workdir / "data" / "debrief.sqlite3", settings)


async def _typing(
    fake: FakeTelegram,
    people: list[Debriefer],
    seconds: float,
    speaker: Speaker | None = None,
    audio: bytes = b"",
) -> tuple[list[Sample], list[Note], list[str]]:
    """Run the typists for `seconds`, with the speaker (if any) sending 2-minute notes."""
    samples: list[Sample] = []
    notes: list[Note] = []
    stop = asyncio.Event()

    async def speak_on() -> None:
        while speaker is not None and not stop.is_set():
            notes.append(await speaker.say(audio, "2 min", 120.0))

    async def stop_after() -> None:
        await asyncio.sleep(seconds)
        stop.set()

    limit = int(seconds / 0.5) + 10
    tasks = [person.run(samples, stop, limit) for person in people]
    results = await asyncio.gather(stop_after(), speak_on(), *tasks)
    return samples, notes, [error for error in results[2:] if error]


async def _hostile(
    fake: FakeTelegram, process: BotProcess, audio: bytes, typists: int, seconds: float
) -> JSON:
    """Send the ten-hour file while typists type; return the reply, latencies, peak memory."""
    attacker = Speaker(fake.user(ATTACKER_ID, language_code="en"))
    await attacker.start()
    baseline = await _typing(fake, _typists(fake, FIRST_TYPIST_ID + 5000, typists), seconds)
    people = _typists(fake, FIRST_TYPIST_ID + 6000, typists)
    stop = asyncio.Event()
    samples: list[Sample] = []
    limit = int(seconds / 0.5) + 10
    running = [asyncio.create_task(person.run(samples, stop, limit)) for person in people]
    sent = time.monotonic()
    await attacker.user.send_document(audio, "interview.flac", mime_type="audio/flac")
    reply = await attacker._reply(NOTE_TIMEOUT)
    turnaround = reply.sent_at - sent
    await asyncio.sleep(max(0.0, seconds - (time.monotonic() - sent)))
    stop.set()
    errors = [error for error in await asyncio.gather(*running) if error]
    workers = process.children_peak_memory_mib()
    bot = process.peak_memory_mib() or 0.0
    return {
        "file_mb": round(len(audio) / 1e6, 2),
        "seconds_of_audio": HOSTILE_SECONDS,
        "reply": reply.text,
        "turnaround_s": round(turnaround, 2),
        "bot_peak_mib": round(bot, 1),
        "workers_peak_mib": round(sum(workers.values()), 1),
        "total_peak_mib": round(bot + sum(workers.values()), 1),
        "typists_without": latency(baseline[0]),
        "typists_during": {**latency(samples), "errors": errors[:3]},
    }


async def _flood(fake: FakeTelegram, process: BotProcess, users: int) -> JSON:
    """Make `users` users each send a 19 MB audio document at once; return the replies, memory."""
    people = [Speaker(fake.user(FLOOD_FIRST_ID + n, language_code="en")) for n in range(users)]
    for person in people:
        await person.start()
    # Not audio: each one the worker gets is refused at once, so the places free up quickly.
    data = os.urandom(FLOOD_BYTES)
    fetched = len(fake.calls_to("getFile"))
    for person in people:
        await person.user.send_document(data, "interview.ogg", mime_type="audio/ogg")
    replies = [await person._reply(NOTE_TIMEOUT) for person in people]
    busy = catalog().text("en", "voice.busy")
    return {
        "users": users,
        "file_mb": round(FLOOD_BYTES / 1e6, 1),
        "busy": sum(busy in reply.text for reply in replies),
        "downloads": len(fake.calls_to("getFile")) - fetched,
        "bot_peak_mib_after": round(process.peak_memory_mib() or 0.0, 1),
    }


def _typists(fake: FakeTelegram, first_id: int, count: int) -> list[Debriefer]:
    """Return `count` English typists with fresh user ids."""
    return [Debriefer(fake.user(first_id + n, language_code="en")) for n in range(count)]


def _ten_hours(cache: Path) -> bytes:
    """Return ten hours of FLAC silence, made once (about 30 s) into the cache folder."""
    path = cache / "recordings" / "silence-10h.flac"
    if not path.exists():
        print("▶ making ten hours of FLAC silence (once)", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(flac_silence(HOSTILE_SECONDS))
    return path.read_bytes()


async def _passes(
    fake: FakeTelegram, speaker: Speaker, audio: bytes, typists: int, seconds: float, rounds: int
) -> JSON:
    """Alternate typing passes without and with transcriptions; pool each kind's latencies."""
    pooled: dict[str, list[Sample]] = {"baseline": [], "voice": []}
    per_round: dict[str, list[float | None]] = {"baseline": [], "voice": []}
    errors: dict[str, list[str]] = {"baseline": [], "voice": []}
    notes: list[Note] = []
    next_id = FIRST_TYPIST_ID
    for number in range(rounds):
        for name in ("baseline", "voice"):
            print(f"▶ {name} pass {number + 1}/{rounds}: {typists} typists, {seconds:.0f} s")
            people = _typists(fake, next_id, typists)
            next_id += typists
            talking = speaker if name == "voice" else None
            samples, heard, failed = await _typing(fake, people, seconds, talking, audio)
            pooled[name] += samples
            per_round[name].append(latency(samples)["p95_ms"])
            errors[name] += failed
            notes += heard
    result: JSON = {
        name: {
            **latency(pooled[name]),
            "typists": typists,
            "p95_per_round_ms": per_round[name],
            "errors": errors[name][:3],
        }
        for name in pooled
    }
    result["voice"]["notes"] = _summary(notes)
    return result


def _prepare(cache: Path) -> tuple[Path, dict[str, bytes]]:
    """Assemble the model and record the notes (by label), once, into the cache folder."""
    check_tools()
    model = assemble_model(cache / "whisper-base")
    folder = cache / "recordings"
    notes = {
        label: speak(folder, f"{FRENCH} {FRENCH}", voice="fr", seconds=length)
        for label, length in NOTES
    }
    notes["warm-up"] = speak(folder, WARM_UP, voice="fr")
    return model, notes


def _summary(notes: list[Note]) -> JSON:
    """Return the real-time factors of some notes, per length."""
    result: JSON = {}
    for label, _ in NOTES:
        rtfs = [note.rtf for note in notes if note.label == label]
        if rtfs:
            result[label] = {
                "notes": len(rtfs),
                "rtf_mean": round(sum(rtfs) / len(rtfs), 3),
                "rtf_max": round(max(rtfs), 3),
                "turnaround_s": [
                    round(note.turnaround, 2) for note in notes if note.label == label
                ],
            }
    return result


async def run(
    typists: int, seconds: float, rounds: int, repeat: int, cache: Path, only_hostile: bool
) -> JSON:
    """Run every pass against one bot process and return the report."""
    report: JSON = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
        "typists": typists,
        "pass_seconds": seconds,
        "rounds": rounds,
    }
    model, recordings = _prepare(cache)
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        workdir = Path(tmp)
        async with FakeTelegram(token=TOKEN) as fake:
            process = BotProcess.start(
                "debrief-voice", "bot", [], _env(fake, workdir, model), workdir
            )
            try:
                await wait_ready(fake, process)
                report["memory_before_voice_mib"] = process.peak_memory_mib()
                # First, while no worker has loaded the model: the peak is the attack's alone.
                print("▶ hostile: ten hours of FLAC silence as an audio document", flush=True)
                hostile = _ten_hours(cache)
                report["hostile"] = await _hostile(fake, process, hostile, typists, HOSTILE_PASS)
                print(f"▶ flood: {FLOOD_USERS} users send 19 MB each at once", flush=True)
                report["flood"] = await _flood(fake, process, FLOOD_USERS)
                if only_hostile:
                    return report
                speaker = Speaker(fake.user(SPEAKER_ID, language_code="fr"))
                await speaker.start()
                print("▶ warm-up (loads the model)", flush=True)
                warm = await speaker.say(recordings["warm-up"], "warm-up", 3.0)
                report["first_note_s"] = round(warm.turnaround, 2)
                solo: list[Note] = []
                for number in range(repeat):
                    for label, length in NOTES:
                        print(f"▶ solo {label} note ({number + 1}/{repeat})", flush=True)
                        solo.append(await speaker.say(recordings[label], label, length))
                report["solo"] = _summary(solo)
                report.update(
                    await _passes(fake, speaker, recordings["2 min"], typists, seconds, rounds)
                )
                report["peak_memory_mib"] = process.peak_memory_mib()
                workers = process.children_peak_memory_mib()
                report["workers_peak_memory_mib"] = round(sum(workers.values()), 1)
                process.check_alive()
            except (ProcessExited, TimeoutError, AssertionError) as error:
                report["error"] = f"{type(error).__name__}: {error}"
                print(process.log_tail(), file=sys.stderr)
            finally:
                report["exit_code"] = await process.stop()
    base, loaded = report.get("baseline", {}), report.get("voice", {})
    if base.get("p95_ms") and loaded.get("p95_ms"):
        report["p95_ratio"] = round(loaded["p95_ms"] / base["p95_ms"], 2)
    return report


def render(report: JSON) -> str:
    """Render the human-readable report."""
    out = [
        "",
        f"Debrief voice benchmark — Whisper base, int8, {report['cpus']} CPUs,"
        f" Python {report['python']}, commit {report['commit']}",
        "",
    ]
    if "error" in report:
        out.append(f"  ✗ {report['error']}")
    if "first_note_s" in report:
        out.append(f"  first note (3 s, loads the model)   {report['first_note_s']:.2f} s")
    for label, figures in report.get("solo", {}).items():
        rtf = figures["rtf_mean"]
        out.append(
            f"  solo {label:<6} real-time factor      {rtf:.3f} (max {figures['rtf_max']:.3f})"
            f"  {check(figures['rtf_max'] <= TARGET_RTF)} target ≤ {TARGET_RTF}"
            f"  turnaround {figures['turnaround_s']} s"
        )
    for name in ("baseline", "voice"):
        figures = report.get(name)
        if figures:
            out.append(
                f"  {name:<8} typists' replies p50 / p95 / max"
                f"  {figures['p50_ms']} / {figures['p95_ms']} / {figures['max_ms']} ms"
                f"  ({figures['answers']} answers, {figures['typists']} typists;"
                f" p95 per pass {figures['p95_per_round_ms']})"
            )
            out += [f"    ✗ {error}" for error in figures.get("errors", [])]
    ratio = report.get("p95_ratio")
    if ratio is not None:
        out.append(
            f"  p95 with / without transcriptions   {ratio:.2f}"
            f"  {check(ratio <= TARGET_LATENCY_RATIO)} target ≤ {TARGET_LATENCY_RATIO}"
        )
    for label, figures in report.get("voice", {}).get("notes", {}).items():
        out.append(
            f"  under load {label} real-time factor  {figures['rtf_mean']:.3f}"
            f" ({figures['notes']} notes)"
        )
    before, peak = report.get("memory_before_voice_mib"), report.get("peak_memory_mib")
    workers = report.get("workers_peak_memory_mib")
    if peak is not None:
        out.append(
            f"  peak memory (VmHWM)                  bot {peak:.0f} MiB"
            f" ({before:.0f} before voice), transcription processes {workers:.0f} MiB"
        )
    hostile = report.get("hostile")
    if hostile:
        total = hostile["total_peak_mib"]
        without, during = hostile["typists_without"], hostile["typists_during"]
        out += [
            f"  hostile {hostile['file_mb']} MB FLAC, {hostile['seconds_of_audio'] / 3600:.0f} h"
            f" of silence, as a document: reply in {hostile['turnaround_s']} s",
            f"    “{hostile['reply'][:90]}”",
            f"    peak memory bot {hostile['bot_peak_mib']:.0f} + workers"
            f" {hostile['workers_peak_mib']:.0f} = {total:.0f} MiB"
            f"  {check(total < TARGET_HOSTILE_MIB)} target < {TARGET_HOSTILE_MIB:.0f}",
            f"    typists' replies p50 / p95 / max without {without['p50_ms']}"
            f" / {without['p95_ms']} / {without['max_ms']} ms,"
            f" during {during['p50_ms']} / {during['p95_ms']}"
            f" / {during['max_ms']} ms",
        ]
        out += [f"    ✗ {error}" for error in during.get("errors", [])]
    flood = report.get("flood")
    if flood:
        out.append(
            f"  flood {flood['users']} users × {flood['file_mb']} MB at once: {flood['busy']} told"
            f" busy, {flood['downloads']} downloaded;"
            f" bot peak {flood['bot_peak_mib_after']:.0f} MiB"
        )
    out += ["", f"JSON: {report.get('json_path', '—')}", ""]
    return "\n".join(out)


def failed(report: JSON) -> bool:
    """Tell whether the run broke (targets missed are reported, not failures)."""
    return (
        "error" in report
        or bool(report.get("exit_code"))
        or any(report.get(name, {}).get("errors") for name in ("baseline", "voice"))
        or bool(report.get("hostile", {}).get("typists_during", {}).get("errors"))
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the report and write the JSON; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.voice",
        description=__doc__,
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--typists", type=int, default=10, help="typing users (default 10)")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="length of each typing pass (default 60)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="baseline + voice pass pairs, alternated (default 3)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="solo notes of each length (2)")
    parser.add_argument(
        "--only-hostile",
        action="store_true",
        help="only the ten-hour FLAC pass (no model needed for it, a minute or so)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "debrief-benchmarks",
        help="where the model and recordings are kept (default ~/.cache/debrief-benchmarks)",
    )
    args = parser.parse_args(argv)
    if not (
        1 <= args.typists <= 200
        and 10 <= args.seconds <= 1800
        and 1 <= args.rounds <= 9
        and 1 <= args.repeat <= 9
    ):
        parser.error("--typists 1-200, --seconds 10-1800, --rounds 1-9, --repeat 1-9")
    benchmark = run(
        args.typists, args.seconds, args.rounds, args.repeat, args.cache, args.only_hostile
    )
    return finish(benchmark, "voice", render, failed)


if __name__ == "__main__":
    sys.exit(main())
