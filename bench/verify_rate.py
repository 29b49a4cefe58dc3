"""How fast `newsledger verify` audits a served log: events per second, end to end.

The command runs as a user runs it, in its own process against the server, with a fresh
trusted state (trust on first use): the checkpoint, every entry streamed and re-hashed into
the tree, the spot inclusion proofs and the negotiations' views. Its rate is the log's size
(the tree size it reports) divided by the command's wall time, start-up included.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.server import newsledger_command

VERIFIED = re.compile(r"verified: (\d+) entries")


@dataclass(frozen=True, slots=True)
class VerifyRate:
    """The entries verified, the seconds it took, and their ratio."""

    entries: int
    seconds: float

    @property
    def rate(self) -> float:
        """Return entries per second."""
        return self.entries / self.seconds if self.seconds > 0 else float("inf")


def verify_rate(target: str, timeout_seconds: float = 3600.0) -> VerifyRate:
    """Run `newsledger verify --server target` once; raise if it fails or finds a problem."""
    with tempfile.TemporaryDirectory(prefix="nl-verify-") as folder:
        state = Path(folder) / "trusted-state.json"
        command = [*newsledger_command(), "verify", "--server", target, "--state", str(state)]
        started = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_seconds, cwd=folder
        )
        seconds = time.perf_counter() - started
    found = VERIFIED.search(done.stdout)
    if done.returncode != 0 or found is None:
        tail = (done.stdout + done.stderr).strip()[-500:]
        raise RuntimeError(f"newsledger verify exited {done.returncode}: {tail}")
    return VerifyRate(int(found.group(1)), seconds)
