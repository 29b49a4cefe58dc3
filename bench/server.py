"""A real `newsledger serve` subprocess per case, its resident memory, and an optional profiler."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.backends import Site

READY = re.compile(r"serving on [^\s:]+:(\d+)")


def newsledger_command() -> list[str]:
    """Return the command that runs the newsledger CLI of this environment."""
    script = Path(sys.executable).with_name("newsledger")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "newsledger"]


class Server:
    """`newsledger serve --migrate` on a free loopback port, over one site's database."""

    def __init__(self, site: Site, start_timeout: float = 60.0) -> None:
        self.site = site
        self.folder = Path(tempfile.mkdtemp(prefix="newsledger-serve-"))
        env = {**os.environ, "NEWSLEDGER_DATABASE_URL": site.newsledger_url}
        env.pop("NEWSLEDGER_SIGNING_KEY", None)
        if site.signing_key is not None:
            env["NEWSLEDGER_SIGNING_KEY"] = str(site.signing_key)
        self.log_path = self.folder / "server.log"
        self._log = self.log_path.open("w")
        command = [*newsledger_command(), "serve", "--migrate", "--address", "127.0.0.1:0"]
        self.process = subprocess.Popen(
            [*command, "--log-format", "text"],
            cwd=self.folder,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.port = self._wait_ready(start_timeout)
        self.target = f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Return the server process id."""
        return self.process.pid

    def _wait_ready(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = READY.search(self.log_path.read_text(errors="replace"))
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        tail = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"newsledger serve did not start:\n{tail}")

    def rss_bytes(self) -> int:
        """Return the server's resident set size now."""
        import psutil

        return int(psutil.Process(self.pid).memory_info().rss)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), killing it if it lingers; remove its folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class PeakRss:
    """Samples a process's resident memory in a thread; `peak` is the highest seen."""

    def __init__(self, server: Server, interval: float = 0.02) -> None:
        self.server = server
        self.interval = interval
        self.peak = server.rss_bytes()
        self.start = self.peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.server.rss_bytes())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_bytes())


@contextmanager
def py_spy(pid: int, output: Path, rate: int = 250) -> Iterator[None]:
    """Record the process with py-spy (collapsed stacks) while the block runs, if installed."""
    executable = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(executable).exists():
        print("# py-spy is not installed: pip install py-spy (no profile taken)", flush=True)
        yield
        return
    command = [executable, "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate)]
    recorder = subprocess.Popen(
        [*command, "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)  # let it attach
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        try:
            _, err = recorder.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            _, err = recorder.communicate()
        if not output.exists():
            print(f"# py-spy wrote no profile: {err.decode(errors='replace')[-500:]}", flush=True)
