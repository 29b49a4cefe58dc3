"""Tables of a run, printed and written to docs/benchmarks.md."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bench.cases import Config
from bench.results import Results, ratio
from bench.targets import TARGETS

CONTENDERS = ("newsledger", "peer-recorder", "peer-app", "raw")
HEADERS = (
    "newsledger (gRPC)",
    "eventsourcing recorder",
    "eventsourcing Application",
    "raw, same lock",
)


def _fmt(value: float, unit: str = "") -> str:
    if math.isnan(value):
        return "—"
    if unit == "\u00d7":
        return f"{value:.2f}\u00d7"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.0f}"


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """Return a Markdown table."""
    head = list(headers)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Layout:
    """What the run measured, so the report shows exactly those rows."""

    batch_sizes: list[int]
    scale_steps: dict[str, list[int]]

    @classmethod
    def of(cls, config: Config) -> Layout:
        """Return the layout of a run's configuration."""
        steps = {"sqlite": config.scale_steps, "postgres": config.postgres_scale_steps}
        return cls(list(config.batch_events), steps)

    def steps(self, backend: str) -> list[int]:
        """Return the scale steps of one backend."""
        return self.scale_steps.get(backend, [])


def side_by_side(results: Results, backend: str, layout: Layout) -> str:
    """Return the appends and read table of one backend, with newsledger's ratios."""
    rows = []
    cases = [(f"append_b{b}", f"append, batches of {b} (ev/s)") for b in layout.batch_sizes]
    cases.append(("read", "read whole log, pages of 1,000 (ev/s)"))
    for case, label in cases:
        figures = [results.get(backend, f"{case}/{c}") for c in CONTENDERS]
        ours = figures[0]
        rows.append(
            [
                label,
                *(_fmt(f) for f in figures),
                _fmt(ratio(ours, figures[1]), "\u00d7"),
                _fmt(ratio(ours, figures[2]), "\u00d7"),
                _fmt(ratio(ours, figures[3]), "\u00d7"),
            ]
        )
    round_trip = results.get(backend, "round_trip/newsledger")
    if not math.isnan(round_trip):
        raw_single = results.get(backend, "append_b1/raw")
        rows.append(
            [
                "gRPC round trip alone, health Check (calls/s)",
                _fmt(round_trip),
                "",
                "",
                "",
                "",
                "",
                _fmt(ratio(round_trip, raw_single), "\u00d7") + " of raw batches of 1",
            ]
        )
    copy = results.get(backend, "append_b100/raw-copy")
    if not math.isnan(copy):
        rows.append(["append, batches of 100, raw COPY (ev/s)", "", "", "", _fmt(copy), "", "", ""])
    headers = ["case", *HEADERS, "÷ recorder", "÷ Application", "÷ raw"]
    return table(headers, rows)


def targets_table(results: Results) -> str:
    """Return every target on every backend: figure, goal, met or missed."""
    rows = []
    for target in TARGETS:
        for backend in results.backends():
            value, status = target.evaluate(results, backend)
            mark = {"met": "✅ met", "missed": "❌ missed"}.get(status, status)
            steps = results.info.get("scale_steps", {}).get(backend, [])
            at = f"{max(steps):,} events" if target.at_scale and steps else "workload"
            figure = _fmt(value, target.unit)
            rows.append([target.name, backend, at, figure, target.goal(), mark])
    return table(["target", "backend", "measured on", "figure", "goal", "status"], rows)


def scale_table(results: Results, backend: str, layout: Layout) -> str:
    """Return how the costs grow with the log on one backend."""
    rows = []
    for step in layout.steps(backend):
        key = f"scale/{step}"
        size = results.get(backend, f"{key}/size")
        rows.append(
            [
                _fmt(size if not math.isnan(size) else float(step)),
                _fmt(results.get(backend, f"{key}/append_b100")),
                _fmt(results.get(backend, f"{key}/read")),
                _fmt(results.get(backend, f"{key}/view_current_p50"), "ms"),
                _fmt(results.get(backend, f"{key}/view_current_p99"), "ms"),
                _fmt(results.get(backend, f"{key}/view_fresh_p50"), "ms"),
                _fmt(results.get(backend, f"{key}/view_fresh_p99"), "ms"),
                _fmt(results.get(backend, f"{key}/view_as_of_p99"), "ms"),
                _fmt(results.get(backend, f"{key}/view_known_at_p50"), "ms"),
                _fmt(results.get(backend, f"{key}/view_known_at_p99"), "ms"),
            ]
        )
    headers = [
        "events in log",
        "append b100 (ev/s)",
        "read window (ev/s)",
        "view p50, repeated",
        "view p99, repeated",
        "view p50 after an append",
        "view p99 after an append",
        "as_of p99",
        "known_at p50",
        "known_at p99",
    ]
    return table(headers, rows)


def memory_and_live(results: Results, layout: Layout) -> str:
    """Return the subscriber latencies and the server's memory while reading and replaying."""
    rows = []
    for backend in results.backends():
        step = max(layout.steps(backend), default=0)
        rows.append(
            [
                backend,
                _fmt(float(step)),
                _fmt(results.get(backend, "subscribers/p50"), "ms"),
                _fmt(results.get(backend, "subscribers/p99"), "ms"),
                _fmt(results.get(backend, "subscribers/missing")),
                _fmt(results.get(backend, f"scale/{step}/rss_start") / 1e6, "MB"),
                _fmt(results.get(backend, f"scale/{step}/rss_peak") / 1e6, "MB"),
                _fmt(results.get(backend, f"scale/{step}/read_all")),
                _fmt(results.get(backend, f"scale/{step}/replay")),
            ]
        )
    headers = [
        "backend",
        "log size (events)",
        "subscriber p50",
        "subscriber p99",
        "missed deliveries",
        "RSS before",
        "RSS peak, ReadLog + replay",
        "ReadLog all (ev/s)",
        "Subscribe replay (ev/s)",
    ]
    return table(headers, rows)


def runs_table(results: Results, backend: str, keys: Iterable[str]) -> str:
    """Return each repetition of some keys, to show the spread behind the medians."""
    rows = []
    for key in keys:
        runs = results.runs(backend, key)
        if runs:
            rows.append([key, ", ".join(_fmt(v) for v in runs), _fmt(results.get(backend, key))])
    return table(["case", "repetitions", "median"], rows)
