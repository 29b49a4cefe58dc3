"""Progress on long work: a bar on a terminal (tqdm), else plain lines at most once a second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tqdm import tqdm

Progress = Callable[[int, int], None]
"""Called with (done, total) as work advances."""


def progress(what: str, unit: str = "events", stream: TextIO | None = None) -> Progress:
    """Return a callback reporting progress on stderr: a bar on a terminal, else plain lines.

    Plain lines (`what: done/total unit`) come at most once a second and once at the end,
    so a log file or a CI console is not flooded.
    """
    out = stream if stream is not None else sys.stderr
    if out.isatty():
        return _bar(what, unit, out)
    return _lines(what, unit, out)


def _bar(what: str, unit: str, out: TextIO) -> Progress:
    bar: list[tqdm[Any]] = []

    def report(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, desc=what, unit=f" {unit}", file=out, leave=True))
        shown = bar[0]
        shown.total = total
        shown.update(done - shown.n)
        if done >= total:
            shown.close()

    return report


def _lines(what: str, unit: str, out: TextIO) -> Progress:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= 1.0:
            last[0] = now
            print(f"{what}: {done}/{total} {unit}", file=out, flush=True)

    return report
