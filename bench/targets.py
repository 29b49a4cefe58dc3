"""The performance targets (issue 12), each evaluated per backend from one run's medians.

Each compares like with like: a served store with a served store, in-process with
in-process. The raw ceilings and the older ratios stay in the side-by-side tables as
information.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.results import Results, ratio

MB = 1_000_000
TIMES = "\u00d7"
Figure = Callable[[Results, str], float]
SIGNS = {"ge": "≥", "le": "≤", "lt": "<"}


@dataclass(frozen=True, slots=True)
class Target:
    """One target: how to compute its figure, the threshold per backend, and which side passes."""

    name: str
    what: str
    figure: Figure
    threshold: float
    compare: str  # "ge": figure >= threshold passes; "le": <=; "lt": <
    unit: str = TIMES
    at_scale: bool = False  # measured at the backend's largest scale step
    thresholds: dict[str, float] = field(default_factory=dict)  # per backend, if they differ
    backends: tuple[str, ...] = ()  # only these backends (empty: every backend)

    def threshold_for(self, backend: str) -> float:
        """Return the threshold on one backend."""
        return self.thresholds.get(backend, self.threshold)

    def applies_to(self, backend: str) -> bool:
        """Tell whether the target is evaluated on backend."""
        return not self.backends or backend in self.backends

    def evaluate(self, results: Results, backend: str) -> tuple[float, str]:
        """Return (figure, "met" | "missed" | "not measured")."""
        value = self.figure(results, backend)
        if math.isnan(value):
            return value, "not measured"
        limit = self.threshold_for(backend)
        ok = {"ge": value >= limit, "le": value <= limit, "lt": value < limit}[self.compare]
        return value, "met" if ok else "missed"

    def goal(self, backend: str) -> str:
        """Return the threshold on backend in words."""
        space = "" if self.unit == TIMES else " "
        return f"{SIGNS[self.compare]} {self.threshold_for(backend):g}{space}{self.unit}"


def _ratio(numerator: str, denominator: str) -> Figure:
    def figure(results: Results, backend: str) -> float:
        return ratio(results.get(backend, numerator), results.get(backend, denominator))

    return figure


def _largest(metric: str, scale: float = 1.0) -> Figure:
    """The figure of the largest scale step measured (1,000,000 events in the full run)."""

    def figure(results: Results, backend: str) -> float:
        steps = results.info.get("scale_steps", {}).get(backend, [])
        if not steps:
            return math.nan
        return results.get(backend, f"scale/{max(steps)}/{metric}") * scale

    return figure


def _largest_of(required: list[Figure], optional: list[Figure]) -> Figure:
    """The largest figure: NaN if a required one was not measured; optional ones may be absent."""

    def figure(results: Results, backend: str) -> float:
        values = [f(results, backend) for f in required]
        if any(map(math.isnan, values)):
            return math.nan
        values += [v for v in (f(results, backend) for f in optional) if not math.isnan(v)]
        return max(values)

    return figure


def _plain(key: str, scale: float = 1.0) -> Figure:
    return lambda results, backend: results.get(backend, key) * scale


TARGETS = [
    Target(
        "append-100 vs Application in-process",
        "100-event batches via gRPC ÷ eventsourcing Application API in-process",
        _ratio("append_b100/newsledger", "append_b100/peer-app"),
        1.0,
        "ge",
        thresholds={"sqlite": 1.0, "postgres": 1.5},
    ),
    Target(
        "append-100 vs served Application",
        "100-event batches via gRPC ÷ eventsourcing Application behind bench.peer_server",
        _ratio("append_b100/newsledger", "append_b100/served-app"),
        1.5,
        "ge",
    ),
    Target(
        "append-100 in-process vs raw own rows",
        "Ledger.append of 100-event batches in-process ÷ raw driver writing newsledger's own "
        "rows (events, audit leaves, subtree hashes) under the same lock",
        _ratio("append_b100/inprocess-ledger", "append_b100/raw-own-rows"),
        0.5,
        "ge",
    ),
    Target(
        "single appends vs served Application",
        "one event per call via gRPC ÷ the served Application's single appends",
        _ratio("append_b1/newsledger", "append_b1/served-app"),
        1.0,
        "ge",
    ),
    Target(
        "append path CPU in-process",
        "CPU per event of the server's AppendEvents work without gRPC (parse, limits walk, "
        "servicer, Ledger.append, response), 100-event batches",
        _plain("cpu_b100/inprocess-server-path"),
        40.0,
        "le",
        "µs",
        backends=("sqlite",),
    ),
    Target(
        "read log vs recorder in-process",
        "whole log in pages of 1,000 via gRPC ÷ eventsourcing recorder select_notifications "
        "in-process",
        _ratio("read/newsledger", "read/peer-recorder"),
        1.5,
        "ge",
    ),
    Target(
        "negotiation append p50",
        "append of 10 statements via gRPC to a negotiation of 400 statements, p50",
        _plain("negotiation/append_p50"),
        2.0,
        "le",
        "ms",
    ),
    Target(
        "current view after an append p99",
        "GetNegotiation (current view) right after an append to the negotiation (uncached), "
        "p99, at the backend's largest log size",
        _largest("view_fresh_p99"),
        5.0,
        "lt",
        "ms",
        at_scale=True,
    ),
    Target(
        "past-point view p99",
        "GetNegotiation with as_of, known_at (or reported_by, once the API has it): the "
        "largest p99",
        _largest_of(
            [_largest("view_as_of_p99"), _largest("view_known_at_p99")],
            [_largest("view_reported_by_p99")],
        ),
        50.0,
        "lt",
        "ms",
        at_scale=True,
    ),
    Target(
        "subscriber p99",
        "append → delivery to each of 50 live subscribers under steady appends, p99",
        _plain("subscribers/p99"),
        50.0,
        "lt",
        "ms",
    ),
    Target(
        "server RSS",
        "peak server RSS while reading and replaying the whole log at the largest size",
        _largest("rss_peak", 1 / MB),
        300.0,
        "lt",
        "MB",
        at_scale=True,
    ),
]
