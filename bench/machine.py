"""What the run ran on: CPU, cores, memory, load, and the versions that matter."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import threading
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _git_revision(root: Path) -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}"


def load_average() -> str:
    """Return the 1/5/15-minute load averages."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def describe(root: Path) -> dict[str, str]:
    """Return the machine and software facts for the report."""
    import psutil

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": _cpu_model(),
        "cores": f"{psutil.cpu_count(logical=False)} physical, {os.cpu_count()} logical",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "newsledger": _git_revision(root),
        "eventsourcing": _package("eventsourcing"),
        "grpcio": _package("grpcio"),
        "SQLAlchemy": _package("SQLAlchemy"),
        "psycopg": _package("psycopg"),
        "load average at start": load_average(),
    }


class LoadSampler:
    """Samples, in a thread, the load average and the CPU other processes use during a run.

    The load average counts the benchmark's own processes (the client and the server keep
    about one core busy); the CPU of other processes, whole-machine busy time minus this
    process and its children, is the noise the figures carry.
    """

    def __init__(self, interval: float = 5.0) -> None:
        import psutil

        self._psutil = psutil
        self.interval = interval
        self.loads: list[float] = []
        self.others: list[float] = []  # cores' worth of CPU used by other processes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _busy(self) -> float:
        times = self._psutil.cpu_times()
        return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))

    def _ours(self) -> float:
        me = self._psutil.Process()
        own = me.cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in me.children(recursive=True):
            with contextlib.suppress(self._psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
        return float(total)

    def _run(self) -> None:
        busy, ours, at = self._busy(), self._ours(), time.monotonic()
        while not self._stop.wait(self.interval):
            now_busy, now_ours, now = self._busy(), self._ours(), time.monotonic()
            elapsed = now - at
            if elapsed > 0:
                others = ((now_busy - busy) - (now_ours - ours)) / elapsed
                self.others.append(max(0.0, others))
            self.loads.append(os.getloadavg()[0])
            busy, ours, at = now_busy, now_ours, now

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def stop(self) -> dict[str, str]:
        """Stop sampling; return the samples' summary for the report."""
        self._stop.set()
        self._thread.join()
        if not self.loads:
            return {}

        def spread(values: list[float]) -> str:
            ordered = sorted(values)
            middle = ordered[len(ordered) // 2]
            return f"min {ordered[0]:.2f}, median {middle:.2f}, max {ordered[-1]:.2f}"

        return {
            "load average (1 min) during the run": spread(self.loads),
            "CPU of other processes during the run (cores)": spread(self.others),
        }
