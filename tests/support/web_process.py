"""The `newsledger web` command as a child process, on an ephemeral loopback port."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from pathlib import Path

from tests.support.serve_process import NEWSLEDGER

WEB_LINE = re.compile(r"newsledger web page on (https?)://127\.0\.0\.1:(\d+)/")


class WebProcess:
    """A `newsledger web --address 127.0.0.1:0` subprocess and the URL it prints."""

    def __init__(self, cwd: Path, *arguments: str) -> None:
        env = {**os.environ, "NEWSLEDGER_DATABASE_URL": f"sqlite:///{cwd / 'unused.db'}"}
        env.pop("NEWSLEDGER_TOKENS", None)
        self.stderr_path = cwd / "web.stderr"
        with self.stderr_path.open("a") as stderr:
            self.process = subprocess.Popen(
                [*NEWSLEDGER, "web", "--address", "127.0.0.1:0", *arguments],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()
        try:
            found = WEB_LINE.search(lines.get(timeout=60))
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"web did not start: {self.stderr_path.read_text()}") from None
        if found is None:
            self.stop()
            raise RuntimeError(f"web did not start: {self.stderr_path.read_text()}")
        self.url = f"{found.group(1)}://127.0.0.1:{found.group(2)}"

    def _read(self, lines: queue.Queue[str]) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            lines.put(line)

    def stop(self) -> None:
        """Stop the page gracefully if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
