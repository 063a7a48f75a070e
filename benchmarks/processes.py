"""Start a bot as a child process, read its memory and CPU, and always stop it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from bot.fakeapi import FakeTelegram

__all__ = [
    "TOKEN",
    "BotProcess",
    "ProcessExited",
    "bot_env",
    "check",
    "finish",
    "git_commit",
    "kill_all",
    "machine_ticks",
    "positive",
    "save_report",
    "wait_ready",
]

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
TOKEN: Final = "123456789:BENCHMARK-token-for-offline-use"
READY_TIMEOUT: Final = 30.0
_PROXY_VARIABLES: Final = ("http_proxy", "https_proxy", "all_proxy")
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
_RUNNING: set[BotProcess] = set()


class ProcessExited(RuntimeError):
    """The bot process ended before it was asked to."""


@dataclass(eq=False)
class BotProcess:
    """A child process (a bot, or py-spy) in its own session, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    @classmethod
    def start(
        cls, name: str, module: str, args: list[str], env: dict[str, str], cwd: Path
    ) -> BotProcess:
        """Start `python -m module args` in its own session (Ctrl-C reaches only us)."""
        return cls.start_command(name, [sys.executable, "-m", module, *args], env, cwd)

    @classmethod
    def start_command(
        cls, name: str, argv: list[str], env: dict[str, str], cwd: Path
    ) -> BotProcess:
        """Start any command in its own session, with the bot's environment and a log file."""
        log_path = cwd / f"{name}.log"
        log = log_path.open("wb")
        full_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "DEBRIEF_"))
        }
        full_env.update(env)
        full_env["PYTHONPATH"] = str(REPO_ROOT)
        full_env["PYTHONUNBUFFERED"] = "1"
        try:
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            log.close()
            raise
        process = cls(name, popen, log_path, log)
        _RUNNING.add(process)
        return process

    @property
    def pid(self) -> int:
        """Return the process id."""
        return self.popen.pid

    def check_alive(self) -> None:
        """Raise ProcessExited (with the end of the log) if the process has stopped."""
        code = self.popen.poll()
        if code is not None:
            raise ProcessExited(f"{self.name} exited with code {code}:\n{self.log_tail()}")

    def peak_memory_mib(self) -> float | None:
        """Return the peak resident memory (VmHWM) in MiB, while the process runs."""
        return _peak_memory_mib(self.pid)

    def children_peak_memory_mib(self) -> dict[int, float]:
        """Return the peak resident memory of each running descendant (worker processes), MiB."""
        found: dict[int, float] = {}
        pending = [self.pid]
        while pending:
            parent = pending.pop()
            for task in Path(f"/proc/{parent}/task").glob("*/children"):
                try:
                    children = [int(pid) for pid in task.read_text().split()]
                except OSError:
                    continue
                for child in children:
                    peak = _peak_memory_mib(child)
                    if peak is not None:
                        found[child] = peak
                    pending.append(child)
        return found

    def cpu_seconds(self) -> float | None:
        """Return user + system CPU time used so far, from /proc/PID/stat."""
        return _cpu_seconds(self.pid)

    def children_cpu_seconds(self) -> float:
        """Return the CPU time used so far by the running descendants (worker processes)."""
        return sum(_cpu_seconds(pid) or 0.0 for pid in self.children_peak_memory_mib())

    def thread_cpu_seconds(self) -> dict[str, float]:
        """Return CPU seconds used so far by the main thread and by all other threads."""
        totals: dict[str, float] = {}
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            name = "main thread" if task.name == str(self.pid) else "other threads"
            seconds = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
            totals[name] = totals.get(name, 0.0) + seconds
        return totals

    async def wait_exit(self, timeout: float) -> bool:  # noqa: ASYNC109 - bounded by design
        """Wait (on a pidfd, no polling) until the process exits; False on timeout."""
        if self.popen.poll() is not None:
            return True
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()
        descriptor = os.pidfd_open(self.pid)

        def readable() -> None:
            """Resolve the future once the pidfd says the process is gone."""
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(descriptor, readable)
        try:
            async with asyncio.timeout(timeout):
                await exited
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(descriptor)
            os.close(descriptor)
        self.popen.wait()
        return True

    async def stop(self, grace: float = 15.0) -> int | None:
        """Ask for a clean stop (SIGINT), then terminate, then kill; return the exit code."""
        try:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0)):
                if self.popen.poll() is not None:
                    break
                self.popen.send_signal(sig)
                if await self.wait_exit(wait):
                    break
            else:
                self.popen.kill()
                await self.wait_exit(5.0)
        finally:
            self.kill_now()
        return self.popen.returncode

    def kill_now(self) -> None:
        """Synchronous last resort: terminate, then kill, and close the log."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=3)
        self._log.close()
        _RUNNING.discard(self)

    def log_tail(self, lines: int = 25) -> str:
        """Return the last lines of the process output (the child writes the file itself)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def bot_env(
    api_url: str, db_path: Path, settings: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return a bot's environment: the fake server's URL, a database, no proxies, settings."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DEBRIEF_DB_PATH": str(db_path),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **(settings or {}),
    }
    for name in _PROXY_VARIABLES:
        env[name] = env[name.upper()] = ""
    return env


async def wait_ready(
    fake: FakeTelegram,
    process: BotProcess,
    timeout: float = READY_TIMEOUT,  # noqa: ASYNC109 - bounded by design
) -> float:
    """Wait until the bot's getUpdates is parked (it polls); return when, or fail if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        process.check_alive()
        try:
            await fake.wait_for_long_poll(timeout=1.0)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{process.name} did not poll within {timeout}s") from None
        else:
            return time.monotonic()


def _cpu_seconds(pid: int) -> float | None:
    """Return a process's user + system CPU time so far, from /proc/PID/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _peak_memory_mib(pid: int) -> float | None:
    """Return a process's peak resident memory (VmHWM) in MiB, None once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    value = next((line.split(":", 1)[1] for line in lines if line.startswith("VmHWM:")), None)
    return int(value.split()[0]) / 1024 if value else None


def machine_ticks() -> dict[str, int]:
    """Return the machine's CPU ticks so far (busy, idle, steal), from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return {}
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {
        "busy": user + nice + system + irq + softirq,
        "idle": idle + iowait,
        "steal": steal,
    }


def kill_all() -> None:
    """Stop every bot process still running (used on errors and Ctrl-C)."""
    for process in list(_RUNNING):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            process.kill_now()


def git_commit() -> str:
    """Return the short git commit of the repository (with + when dirty), or unknown."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def save_report(report: dict[str, Any], prefix: str) -> None:
    """Write a benchmark's report as JSON under benchmarks/results/ and note where."""
    results = REPO_ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results / f"{prefix}-{stamp}.json"
    report["json_path"] = str(path.relative_to(REPO_ROOT))
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def positive(text: str) -> int:
    """Parse a positive integer command-line argument."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def check(ok: bool) -> str:
    """Return a tick or a cross, for a report line."""
    return "✓" if ok else "✗"


def finish(
    run: Coroutine[Any, Any, dict[str, Any]],
    prefix: str,
    render: Callable[[dict[str, Any]], str],
    failed: Callable[[dict[str, Any]], bool],
) -> int:
    """Run a benchmark, stop the bots it left, save and print the report; return the exit code."""
    try:
        report = asyncio.run(run)
    except KeyboardInterrupt:
        print("\ninterrupted; bot processes stopped", file=sys.stderr)
        return 130
    finally:
        kill_all()
    save_report(report, prefix)
    print(render(report))
    return 1 if failed(report) else 0
