"""Profile newsledger with py-spy during one phase of the benchmark workload.

    .venv/bin/python -m bench.profile_server [--backend sqlite|postgres] [--phase PHASE]

Phases through gRPC (a real server on fresh storage, py-spy attached to it): append
(100-event batches), read (the whole log), view (current, right after an append, as_of,
known_at), negotiation (appends of 10 statements to negotiations of 400). Phases in this
process (py-spy attached to it): inprocess (Ledger.append of 100-event batches) and
inprocess-server (the server's AppendEvents work without gRPC). py-spy (pip install py-spy)
records the phase only; the hottest functions are printed by own time and by time including
callees, over all samples and over newsledger's own code. The collapsed stacks are kept
(--out) for a flame graph (e.g. speedscope or flamegraph.pl).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench import grpc_cases, negotiation_load
from bench.backends import DEFAULT_POSTGRES_URL, Backend, PostgresBackend, SqliteBackend
from bench.inprocess import InProcess, measure
from bench.scale import ScaleLog, past_dates, statement_payload
from bench.server import Server, py_spy
from bench.workload import EVENT_TYPE, plan
from newsledger.client.ledger_client import LedgerClient, proposed

PHASES = ("append", "read", "view", "negotiation", "inprocess", "inprocess-server")

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _frames(line: str) -> tuple[list[str], int]:
    stack, _, count = line.rpartition(" ")
    names = []
    for frame in stack.split(";"):
        match = FRAME.match(frame.strip())
        if match is None:
            names.append(frame.strip())
            continue
        file = match.group("file")
        for marker in ("site-packages/", "service/", "python3.11/"):
            if marker in file:
                file = file.split(marker, 1)[1]
                break
        names.append(f"{match.group('function')} ({file})")
    return names, int(count)


def hot_spots(raw: Path, top: int = 20) -> str:
    """Summarise py-spy's collapsed stacks: own time and inclusive time, overall and ours."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        names, count = _frames(line)
        total += count
        own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count
    if not total:
        return "no samples"

    def rows(counter: Counter[str], only_ours: bool) -> Iterator[str]:
        shown = 0
        for name, count in counter.most_common():
            if only_ours and "newsledger/" not in name:
                continue
            yield f"  {100 * count / total:5.1f}%  {name}"
            shown += 1
            if shown == top:
                return

    parts = [f"{total} samples"]
    parts += ["own time, all code:", *rows(own, False)]
    parts += ["own time, newsledger code:", *rows(own, True)]
    parts += ["including callees, newsledger code:", *rows(inclusive, True)]
    return "\n".join(parts)


def _phase_append(server: Server, out: Path) -> Path:
    requests = grpc_cases.append_requests(plan(100, 20_000))
    raw = out / f"append-{server.site.backend}.txt"
    with LedgerClient(server.target) as client, py_spy(server.pid, raw):
        print(f"append: {grpc_cases.append_rate(client, requests):,.0f} ev/s")
    return raw


def _phase_read(server: Server, out: Path) -> Path:
    requests = grpc_cases.append_requests(plan(100, 20_000))
    raw = out / f"read-{server.site.backend}.txt"
    with LedgerClient(server.target) as client:
        grpc_cases.append_rate(client, requests)
        with py_spy(server.pid, raw):
            for _ in range(3):
                print(f"read: {grpc_cases.read_log_rate(client):,.0f} ev/s")
    return raw


def _phase_view(server: Server, out: Path, log: ScaleLog) -> Path:
    raw = out / f"view-{server.site.backend}.txt"

    def append(number: int) -> None:
        payload = statement_payload(number)
        payload["statement_id"] = f"profile-{number}"
        client.append(log.stream, [proposed(str(uuid.uuid4()), EVENT_TYPE, payload)])

    with LedgerClient(server.target) as client, py_spy(server.pid, raw):
        probe = grpc_cases.ViewProbe(client, log.negotiation_id)
        for name, latencies in (
            ("current", probe.current(200)),
            ("current right after an append", probe.current_after_appends(append, 100)),
            ("as_of", probe.each_as_of(past_dates(200))),
            ("known_at", probe.each_known_at(log.past_instants(200))),
        ):
            print(f"view {name}: median {sorted(latencies)[len(latencies) // 2]:.1f} ms")
    return raw


def _phase_negotiation(backend: Backend, out: Path) -> Path:
    site = backend.fresh("profile_negotiation")
    loaded = negotiation_load.load(site, 10, 400)
    prepared = negotiation_load.requests(loaded, 10, 10)
    raw = out / f"negotiation-{site.backend}.txt"
    with Server(site) as server, LedgerClient(server.target) as client, py_spy(server.pid, raw):
        latencies = negotiation_load.append_latencies(client, prepared)
    print(f"negotiation append of 10: median {sorted(latencies)[len(latencies) // 2]:.1f} ms")
    return raw


def _phase_inprocess(backend: Backend, out: Path, server_path: bool) -> Path:
    site = backend.fresh("profile_inprocess")
    case = InProcess(site)
    name = "inprocess-server" if server_path else "inprocess"
    raw = out / f"{name}-{site.backend}.txt"
    batches = plan(100, 20_000)
    run = case.server_path_runner(batches) if server_path else case.ledger_runner(batches)
    try:
        with py_spy(os.getpid(), raw):
            measured = measure(batches.n_events, run)
    finally:
        case.close()
    print(f"{name}: {measured.rate:,.0f} ev/s, {measured.cpu_us_per_event:.1f} µs CPU per event")
    return raw


def profile_phases(backend: Backend, out: Path, top: int = 12) -> dict[str, str]:
    """Profile the 100-batch append and the whole-log read on fresh sites; return hot spots."""
    found = {}
    for phase, run in (("append", _phase_append), ("read", _phase_read)):
        site = backend.fresh(f"profile_{phase}")
        with Server(site) as server:
            raw = run(server, out)
        if raw.exists():
            found[phase] = hot_spots(raw, top)
    return found


def _phase_served(backend: Backend, phase: str, out: Path, view_events: int) -> Path:
    """Run an append, read or view phase against a server on a fresh site."""
    site = backend.fresh("profile")
    log = ScaleLog(site) if phase == "view" else None
    if log is not None:
        log.grow_to(view_events)
    try:
        with Server(site) as server:
            if phase == "append":
                return _phase_append(server, out)
            if phase == "read":
                return _phase_read(server, out)
            assert log is not None
            return _phase_view(server, out, log)
    finally:
        if log is not None:
            log.close()


def main(argv: list[str] | None = None) -> int:
    """Profile one phase and print its hot spots."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_server", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, metavar="URL")
    parser.add_argument("--phase", choices=PHASES, default="append")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="nl-profile-")))
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument(
        "--view-events", type=int, default=10_000, help="log size of the view phase"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    backend: Backend = (
        SqliteBackend() if args.backend == "sqlite" else PostgresBackend(args.postgres_url)
    )
    try:
        if args.phase == "negotiation":
            raw = _phase_negotiation(backend, args.out)
        elif args.phase.startswith("inprocess"):
            raw = _phase_inprocess(backend, args.out, args.phase == "inprocess-server")
        else:
            raw = _phase_served(backend, args.phase, args.out, args.view_events)
    finally:
        backend.close()
    if raw.exists():
        print(f"collapsed stacks: {raw}")
        print(hot_spots(raw, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
