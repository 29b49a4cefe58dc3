"""The `newsledger` command as a child process: one-shot runs, and `serve` on an ephemeral port."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SERVING = re.compile(r"serving on 127\.0\.0\.1:(\d+) ")
NEWSLEDGER = (sys.executable, "-m", "newsledger")
"""The command line, run by the interpreter of the tests (what `newsledger` runs)."""


def run_newsledger(
    *arguments: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one `newsledger` command to its end; return its exit status and output."""
    return subprocess.run(
        [*NEWSLEDGER, *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class ServeProcess:
    """A `newsledger serve --migrate` subprocess; its stderr goes to a file in cwd."""

    def __init__(
        self,
        database_url: str,
        cwd: Path,
        *arguments: str,
        environment: dict[str, str] | None = None,
    ) -> None:
        env = {**os.environ, "NEWSLEDGER_DATABASE_URL": database_url, **(environment or {})}
        # A database server needs the key's location (every replica shares one key).
        env.setdefault("NEWSLEDGER_SIGNING_KEY", str(cwd / "signing.key"))
        self.stderr_path = cwd / "serve.stderr"
        with self.stderr_path.open("a") as stderr:
            self.process = subprocess.Popen(
                [*NEWSLEDGER, "serve", "--migrate", "--address", "127.0.0.1:0", *arguments],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self.port = self._wait_for_port(timeout=60)
        self.target = f"127.0.0.1:{self.port}"

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _wait_for_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if found := SERVING.search(line):
                return int(found.group(1))
        raise RuntimeError(f"serve did not start: {self.stderr_path.read_text()[-2000:]}")

    def terminate(self) -> float:
        """Send SIGTERM; return the monotonic time it was sent."""
        self.process.send_signal(signal.SIGTERM)
        return time.monotonic()

    def kill(self) -> None:
        """SIGKILL the server: no shutdown code runs, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server gracefully if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
