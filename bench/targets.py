"""The performance targets, each evaluated per backend from one run's medians."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bench.results import Results, ratio

MB = 1_000_000
TIMES = "\u00d7"


@dataclass(frozen=True, slots=True)
class Target:
    """One target: how to compute its figure, the threshold, and which side passes."""

    name: str
    what: str
    figure: Callable[[Results, str], float]
    threshold: float
    at_least: bool  # True: figure >= threshold passes; False: figure < threshold passes
    unit: str = TIMES
    at_scale: bool = False  # measured at the backend's largest scale step

    def evaluate(self, results: Results, backend: str) -> tuple[float, str]:
        """Return (figure, "met" | "missed" | "not measured")."""
        value = self.figure(results, backend)
        if math.isnan(value):
            return value, "not measured"
        ok = value >= self.threshold if self.at_least else value < self.threshold
        return value, "met" if ok else "missed"

    def goal(self) -> str:
        """Return the threshold in words."""
        sign = "≥" if self.at_least else "<"
        space = "" if self.unit == TIMES else " "
        return f"{sign} {self.threshold:g}{space}{self.unit}"


def _ratio(case: str, numerator: str, denominator: str) -> Callable[[Results, str], float]:
    def figure(results: Results, backend: str) -> float:
        return ratio(
            results.get(backend, f"{case}/{numerator}"),
            results.get(backend, f"{case}/{denominator}"),
        )

    return figure


def _largest(metric: str, scale: float = 1.0) -> Callable[[Results, str], float]:
    """The figure of the largest scale step measured (1,000,000 events in the full run)."""

    def figure(results: Results, backend: str) -> float:
        steps = results.info.get("scale_steps", {}).get(backend, [])
        if not steps:
            return math.nan
        return results.get(backend, f"scale/{max(steps)}/{metric}") * scale

    return figure


def _larger(
    first: Callable[[Results, str], float], second: Callable[[Results, str], float]
) -> Callable[[Results, str], float]:
    """The larger of two figures (NaN when either was not measured)."""

    def figure(results: Results, backend: str) -> float:
        values = (first(results, backend), second(results, backend))
        return math.nan if any(map(math.isnan, values)) else max(values)

    return figure


def _plain(key: str, scale: float = 1.0) -> Callable[[Results, str], float]:
    return lambda results, backend: results.get(backend, key) * scale


TARGETS = [
    Target(
        "append-100 vs peer app",
        "100-event batches via gRPC ÷ eventsourcing Application API (in-process)",
        _ratio("append_b100", "newsledger", "peer-app"),
        2.0,
        True,
    ),
    Target(
        "append-100 vs raw",
        "100-event batches via gRPC ÷ raw database, same lock",
        _ratio("append_b100", "newsledger", "raw"),
        0.5,
        True,
    ),
    Target(
        "read log vs peer recorder",
        "whole log in pages of 1,000 via gRPC ÷ eventsourcing recorder select_notifications",
        _ratio("read", "newsledger", "peer-recorder"),
        1.0,
        True,
    ),
    Target(
        "single appends vs raw",
        "one event per call via gRPC ÷ raw one transaction per event, same lock",
        _ratio("append_b1", "newsledger", "raw"),
        0.7,
        True,
    ),
    Target(
        "current view p99",
        "GetNegotiation (current view), the larger p99 of repeated calls and of calls each "
        "right after an append (uncached), at the backend's largest log size",
        _larger(_largest("view_current_p99"), _largest("view_fresh_p99")),
        5.0,
        False,
        "ms",
        at_scale=True,
    ),
    Target(
        "past-point view p99",
        "GetNegotiation with as_of (valid time) or known_at (record time): the larger p99",
        _larger(_largest("view_as_of_p99"), _largest("view_known_at_p99")),
        50.0,
        False,
        "ms",
        at_scale=True,
    ),
    Target(
        "subscriber p99",
        "append → delivery to each of 50 live subscribers under steady appends, p99",
        _plain("subscribers/p99"),
        50.0,
        False,
        "ms",
    ),
    Target(
        "server RSS",
        "peak server RSS while reading and replaying the whole log at the largest size",
        _largest("rss_peak", 1 / MB),
        300.0,
        False,
        "MB",
        at_scale=True,
    ),
]
