"""Sample the bot process with py-spy and summarise where its CPU time goes."""

from __future__ import annotations

import linecache
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Final

from benchmarks.processes import BotProcess

__all__ = ["Hotspot", "hotspots", "py_spy", "start_sampling"]

SAMPLE_RATE: Final = 250
_FRAME: Final = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
# Non-blocking sampling cannot tell a thread blocked in C from a busy one: these leaves are waits.
_IDLE: Final = (
    ("selectors.py", re.compile(r"\.poll\(")),
    ("aiosqlite/core.py", re.compile(r"\btx\.get\(")),
    ("threading.py", re.compile(r"\.acquire\(")),
)
_PROJECT: Final = ("(bot/", "(conversations/", "(storage/")
# Frames on every stack of their thread (run loop, thread start-up): they say nothing.
_PLUMBING: Final = frozenset(
    {
        "_run_module_as_main",
        "_run_code",
        "<module>",
        "main",
        "run_polling",
        "Application.run_polling",
        "Application.__run",
        "BaseEventLoop.run_forever",
        "BaseEventLoop.run_until_complete",
        "BaseEventLoop._run_once",
        "Handle._run",
        "Thread._bootstrap",
        "Thread._bootstrap_inner",
        "Thread.run",
    }
)
_SHORTEN: Final = ("site-packages/", "lib/python3.11/", "/main/")

Hotspot = tuple[str, float]


def py_spy() -> str | None:
    """Return the py-spy executable next to this Python, or on PATH."""
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def start_sampling(target: BotProcess, output: Path, env: dict[str, str]) -> BotProcess:
    """Start py-spy on the target (collapsed stacks, without pausing it); stop() writes the file."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    argv = [
        executable,
        "record",
        "--pid",
        str(target.pid),
        "--rate",
        str(SAMPLE_RATE),
        "--format",
        "raw",
        "--nonblocking",
        "--threads",
        "--output",
        str(output),
    ]
    return BotProcess.start_command("py-spy", argv, env, output.parent)


def _split(frame: str) -> tuple[str, str, int]:
    """Split 'function (path:line)' into its parts."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip(), "", 0
    return match.group("function"), match.group("file"), int(match.group("line") or 0)


def _short(path: str) -> str:
    """Shorten a path to what follows site-packages, the stdlib or the repository."""
    for marker in _SHORTEN:
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _is_idle(leaf: str) -> bool:
    """Tell whether a sampled leaf frame is a thread waiting, not working."""
    _, path, line = _split(leaf)
    source = linecache.getline(path, line) if line else ""
    return any(path.endswith(suffix) and pattern.search(source) for suffix, pattern in _IDLE)


def _library(path: str, line: int) -> str:
    """Name the package (or stdlib module) a leaf frame belongs to."""
    short = _short(path)
    if short.startswith("aiosqlite/core.py") and "function()" in linecache.getline(path, line):
        return "sqlite3 (C, in the aiosqlite thread)"
    if short.startswith("<frozen importlib"):
        return "importlib (imports at run time, e.g. httpcore's `import sniffio`)"
    head = short.split("/", 1)[0]
    return head.removesuffix(".py") or short


def hotspots(collapsed: Path, top: int = 15) -> dict[str, object]:
    """Return the busiest threads, libraries and functions, in % of busy samples."""
    own: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    main_libraries: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = idle = main_total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if len(frames) > 1 and _is_idle(frames[-1]):
            idle += count
            continue
        total += count
        thread = frames[0].split(": ", 1)[-1]
        threads[thread] += count
        names = [f"{function} ({_short(path)})" for function, path, _ in map(_split, frames[1:])]
        own[names[-1] if names else frames[0]] += count
        _, leaf_path, leaf_line = _split(frames[-1])
        library = _library(leaf_path, leaf_line) if len(frames) > 1 else "(no Python frame)"
        libraries[library] += count
        if thread == "MainThread":
            main_total += count
            main_libraries[library] += count
        for name in set(names):
            inclusive[name] += count
    if not total:
        return {}

    def share(items: list[tuple[str, int]], whole: int = total) -> list[Hotspot]:
        """Turn sample counts into percentages of the whole."""
        return [(name, round(100 * n / max(whole, 1), 1)) for name, n in items]

    informative = [
        (name, n) for name, n in inclusive.most_common() if name.split(" (")[0] not in _PLUMBING
    ]
    project = [(name, n) for name, n in informative if any(p in name for p in _PROJECT)]
    return {
        "busy_samples": total,
        "idle_samples_excluded": idle,
        "threads": share(threads.most_common(5)),
        "libraries": share(libraries.most_common(top)),
        "main_thread_libraries": share(main_libraries.most_common(top), main_total),
        "self": share(own.most_common(top)),
        "inclusive": share(informative[: top * 2]),
        "project": share(project[:top]),
    }
