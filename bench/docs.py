"""docs/benchmarks.md: the figures of the latest run, the ratios, the chart and the machine."""

from __future__ import annotations

from pathlib import Path

from bench.cases import Config
from bench.report import (
    Layout,
    figures,
    in_process,
    memory_and_live,
    scale_table,
    side_by_side,
    table,
    targets_table,
)
from bench.results import Results
from bench.workload import PAYLOAD_BYTES


def _workload(config: Config, quick: bool) -> str:
    sizes = ", ".join(f"{n:,} events in batches of {b}" for b, n in config.batch_events.items())
    steps = ", ".join(f"{s:,}" for s in config.scale_steps)
    pg_steps = ", ".join(f"{s:,}" for s in config.postgres_scale_steps)
    return f"""\
- Mode: {"`--quick` (smaller workload, one repetition: indicative only)" if quick else "full"};
  {config.reps} repetition(s) of every side-by-side case, medians reported.
- Events: `StatementMade` payloads of {PAYLOAD_BYTES} bytes of compact JSON (a padded quote),
  valid against the schema; the library and the raw database store the same JSON text.
  Batches of 100 fill 200 streams \u00d7 100 events; batches of 1 go round-robin over 200
  streams (one transaction per event); batches of 10 and 1,000 fill streams of 100 and
  1,000 events. Sizes: {sizes}.
- Every case starts on fresh storage: a new SQLite file, or a new schema in a PostgreSQL
  database created for the run (and dropped after it). newsledger runs as a real
  `newsledger serve --migrate` subprocess; requests are built before the clock starts and
  sent one after another by the project's gRPC client (`newsledger.client.LedgerClient`),
  each append with an exact expected version.
- The `eventsourcing` library (9.5.6) runs in-process, as in the reference harness
  (`shared/bench/peer_bench.py`): recorder `insert_events`/`select_notifications`, and an
  `Application` of aggregates saved batch by batch.
- The same library is also served (`bench/peer_server.py`): a minimal gRPC server in a
  subprocess, with newsledger's server options and worker pool and no interceptors, taking
  newsledger's own `AppendEventsRequest` on one generic method, one RPC per batch, sent by
  the same client code over the same loopback transport. Its recorder level inserts the
  batch with `insert_events`; its Application level creates the stream's aggregate or gets
  it from the repository (the library's aggregate cache, fast-forwarded), records one event
  per parsed payload and saves once.
- newsledger in-process (`bench/inprocess.py`), over `bootstrap.build_application` on a
  fresh store: `Ledger.append` of the 100-event batches (payload objects built before the
  clock, as the Application is handed its events), and the server path without gRPC (parse
  the request bytes, the request guard's limits walk, the servicer, the response), with the
  process's CPU time per event.
- The raw ceilings: the same event rows into a table with newsledger's event columns and
  unique keys, under the same lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL `LOCK TABLE … IN
  EXCLUSIVE MODE`), with `executemany` (pipelined on PostgreSQL), COPY shown as well; and
  newsledger's own rows (events, audit leaves, subtree hashes, as newsledger wrote them for
  the same plan) into its migrated schema under the same lock (`bench/own_rows.py`:
  `executemany` on SQLite, binary COPY on PostgreSQL).
- Negotiation-heavy appends (`bench/negotiation_load.py`): {config.negotiations}
  negotiations (copies of the seed story) of {config.negotiation_statements} statements
  each, loaded in-process; a fresh server then takes {config.negotiation_rounds} appends of
  {config.negotiation_append} statements to each, round-robin, each call timed.
- `newsledger verify --server` of the whole scale log at {config.verify_events:,} events
  ({", ".join(config.verify_backends)}), a fresh trusted state, wall time of the command.
- Repetitions: every side-by-side case and the negotiation appends run once per
  repetition; at the largest scale size the measurements, the live subscribers and the
  whole-log read and replay also run once per repetition; tables show medians.
- Scale checks at {steps} events on SQLite and {pg_steps} on PostgreSQL: the log is
  the seed story plus 200 statements of its negotiation (by one of its people, so the
  fold applies them), plus filler streams
  **bulk-loaded in-process through `EventStore.append`** (batches of 1,000, with the
  service's projector and audit observers, so the database is what the server would
  write; only gRPC and the filler's schema validation are skipped).
  At each size: 100-batch appends via gRPC, a {config.scale_read_window:,}-event ReadLog
  window from the middle of the log, and GetNegotiation calls: {config.view_calls} repeated
  calls for the current view (what a polling client sees: served from the server's view
  cache), {config.view_calls // 2} current views each right after appending a statement to
  the negotiation through the API (the append untimed), {config.view_calls} `as_of` views at
  as many different dates and {config.view_calls} `known_at` views at the record times of
  as many different events. Only the repeated calls can be answered from the cache; every
  other call asks for a point no earlier call asked for. At the largest size the
  whole log is read with ReadLog and, at the same time, replayed with Subscribe from
  position 0, while the server's RSS is sampled every 20 ms (psutil).
- Live subscribers: {config.subscribers} Subscribe streams from the head while
  {config.subscriber_events} single events are appended at {config.appends_per_second:g} per
  second; latency is append call start → delivery, over every (event, subscriber) pair."""


def render(results: Results, config: Config, quick: bool, chart: Path | None, command: str) -> str:
    """Return the whole Markdown document."""
    layout = Layout.of(config)
    parts = [
        "# Benchmarks",
        "",
        "Written by `bench/`; every figure below comes from one run of",
        f"`{command}`. Machines are noisy: compare the ratios measured side by side in one",
        "run, not absolute figures across runs. See the README's Benchmark section to run it,",
        "and [performance.md](performance.md) for what bounds each target that is missed.",
        "",
        "## Targets",
        "",
        targets_table(results),
        "",
    ]
    for backend in results.backends():
        parts += [f"## Side by side: {backend}", "", side_by_side(results, backend, layout), ""]
        parts += [f"### In-process: {backend}", "", in_process(results, backend), ""]
    other = figures(results)
    if other:
        parts += ["## Other figures", "", other, ""]
    if chart is not None:
        parts += [
            "## Throughput by batch size",
            "",
            f"![throughput by batch size]({chart.name})",
            "",
        ]
    parts += ["## Live subscribers and server memory", "", memory_and_live(results, layout), ""]
    for backend in results.backends():
        parts += [f"## Scale checks: {backend}", "", scale_table(results, backend, layout), ""]
    parts += ["## Workload and method", "", _workload(config, quick), ""]
    profiles = results.info.get("profiles", {})
    if profiles:
        parts += ["## Server profiles (py-spy)", ""]
        for backend, phases in profiles.items():
            for phase, text in phases.items():
                title = "100-event batch appends" if phase == "append" else "whole-log reads"
                parts += [f"{backend}, {title}:", "", "```", text, "```", ""]
    if results.notes:
        parts += ["## Notes", "", *(f"- {n}" for n in results.notes), ""]
    machine = results.info.get("machine", {})
    parts += ["## Machine", "", table(["", ""], [[k, str(v)] for k, v in machine.items()]), ""]
    return "\n".join(parts)
