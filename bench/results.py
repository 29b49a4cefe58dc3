"""Measurements of a run: every repetition kept, medians on demand."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import median


@dataclass
class Results:
    """Values by (backend, key); a key names a case and a contender, e.g. append_b100/newsledger."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, backend: str, key: str, value: float) -> None:
        """Record one measurement."""
        self.values[(backend, key)].append(value)

    def get(self, backend: str, key: str) -> float:
        """Return the median of a key, NaN if it was not measured."""
        return median(self.values.get((backend, key), []))

    def runs(self, backend: str, key: str) -> list[float]:
        """Return every measurement of a key."""
        return list(self.values.get((backend, key), []))

    def backends(self) -> list[str]:
        """Return the backends measured, in first-seen order."""
        return list(dict.fromkeys(backend for backend, _ in self.values))

    def note(self, text: str) -> None:
        """Keep a remark for the report (a skipped row, a caveat)."""
        if text not in self.notes:
            self.notes.append(text)
            print(f"# note: {text}", flush=True)

    @classmethod
    def load(cls, path: Path) -> Results:
        """Read a file written by save."""
        data = json.loads(path.read_text())
        results = cls(notes=list(data["notes"]), info=dict(data["info"]))
        for name, values in data["values"].items():
            backend, key = name.split(":", 1)
            results.values[(backend, key)] = list(values)
        return results

    def save(self, path: Path) -> None:
        """Write every value as JSON."""
        data = {
            "info": self.info,
            "notes": self.notes,
            "values": {f"{b}:{k}": v for (b, k), v in self.values.items()},
        }
        path.write_text(json.dumps(data, indent=1, default=str))


def ratio(numerator: float, denominator: float) -> float:
    """Return numerator / denominator, NaN when either is missing."""
    if math.isnan(numerator) or math.isnan(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator
