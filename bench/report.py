"""Tables of a run, printed and written to docs/benchmarks.md."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bench.cases import Config
from bench.results import Results, ratio
from bench.targets import TARGETS

CONTENDERS = (
    "newsledger",
    "served-app",
    "served-recorder",
    "peer-app",
    "peer-recorder",
    "raw",
)
HEADERS = (
    "newsledger (gRPC)",
    "eventsourcing Application, served (gRPC)",
    "eventsourcing recorder, served (gRPC)",
    "eventsourcing Application, in-process",
    "eventsourcing recorder, in-process",
    "raw, same lock",
)
RATIOS = (
    ("served-app", "÷ served Application"),
    ("served-recorder", "÷ served recorder"),
    ("peer-app", "÷ Application in-process"),
    ("peer-recorder", "÷ recorder in-process"),
    ("raw", "÷ raw"),
)


def _fmt(value: float, unit: str = "") -> str:
    if math.isnan(value):
        return "—"
    if unit == "\u00d7":
        return f"{value:.2f}\u00d7"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "µs":
        return f"{value:.1f} µs"
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
    blank = [""] * (len(CONTENDERS) + len(RATIOS) - 2)
    for case, label in cases:
        figures = {c: results.get(backend, f"{case}/{c}") for c in CONTENDERS}
        ours = figures["newsledger"]
        rows.append(
            [
                label,
                *(_fmt(figures[c]) for c in CONTENDERS),
                *(_fmt(ratio(ours, figures[c]), "\u00d7") for c, _ in RATIOS),
            ]
        )
    round_trip = results.get(backend, "round_trip/newsledger")
    if not math.isnan(round_trip):
        raw_single = results.get(backend, "append_b1/raw")
        rows.append(
            [
                "gRPC round trip alone, health Check (calls/s)",
                _fmt(round_trip),
                *blank,
                _fmt(ratio(round_trip, raw_single), "\u00d7") + " of raw batches of 1",
            ]
        )
    copy = results.get(backend, "append_b100/raw-copy")
    if not math.isnan(copy):
        rows.append(["append, batches of 100, raw COPY (ev/s)", *[""] * 5, _fmt(copy), *[""] * 5])
    headers = ["case", *HEADERS, *(label for _, label in RATIOS)]
    return table(headers, rows)


def in_process(results: Results, backend: str) -> str:
    """Return newsledger's 100-batch appends in this process beside the raw own rows."""
    own = results.get(backend, "append_b100/raw-own-rows")
    cases = (
        ("inprocess-ledger", "newsledger in-process, Ledger.append"),
        ("inprocess-server-path", "newsledger in-process, server path without gRPC"),
        ("newsledger", "newsledger through gRPC (for comparison)"),
    )
    rows = []
    for key, label in cases:
        rate = results.get(backend, f"append_b100/{key}")
        cpu = results.get(backend, f"cpu_b100/{key}")
        rows.append(
            [
                label,
                _fmt(rate),
                _fmt(1e6 / rate if rate else math.nan, "µs"),
                _fmt(cpu, "µs"),
                _fmt(ratio(rate, own), "\u00d7"),
                _fmt(ratio(rate, results.get(backend, "append_b100/peer-app")), "\u00d7"),
            ]
        )
    rows.append(["raw driver, newsledger's own rows, same lock", _fmt(own), "", "", "", ""])
    headers = [
        "100-event batches",
        "ev/s",
        "wall per event",
        "CPU per event",
        "÷ raw own rows",
        "÷ Application in-process",
    ]
    return table(headers, rows)


def figures(results: Results) -> str:
    """Return the figures that are not targets: verify rate and the negotiation appends' tail."""
    rows = []
    for backend in results.backends():
        entries = results.get(backend, "verify/entries")
        if not math.isnan(entries):
            rows.append(
                [
                    f"`newsledger verify` of a served log of {entries:,.0f} events (ev/s)",
                    backend,
                    _fmt(results.get(backend, "verify/rate")),
                    "goal ≥ 5,000 ev/s",
                ]
            )
        p99 = results.get(backend, "negotiation/append_p99")
        if not math.isnan(p99):
            rows.append(["negotiation append of 10 statements, p99", backend, _fmt(p99, "ms"), ""])
    return table(["figure", "backend", "value", "note"], rows) if rows else ""


def targets_table(results: Results) -> str:
    """Return every target on every backend: figure, goal, met or missed."""
    rows = []
    for target in TARGETS:
        for backend in results.backends():
            if not target.applies_to(backend):
                continue
            value, status = target.evaluate(results, backend)
            mark = {"met": "✅ met", "missed": "❌ missed"}.get(status, status)
            steps = results.info.get("scale_steps", {}).get(backend, [])
            at = f"{max(steps):,} events" if target.at_scale and steps else "workload"
            figure = _fmt(value, target.unit)
            rows.append([target.name, backend, at, figure, target.goal(backend), mark])
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
                _fmt(results.get(backend, f"{key}/view_reported_by_p99"), "ms"),
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
        "reported_by p99",
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
