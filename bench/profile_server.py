"""Profile the newsledger server with py-spy during one phase of the benchmark workload.

    .venv/bin/python -m bench.profile_server [--backend sqlite|postgres] [--phase append|read|view]

Starts a real server on fresh storage, attaches `py-spy record` (pip install py-spy) for the
phase only, and prints the hottest functions: by own time, and by time including callees,
over all samples and over newsledger's own code. The collapsed stacks are kept (--out) for
a flame graph (e.g. speedscope or flamegraph.pl).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench import grpc_cases
from bench.backends import DEFAULT_POSTGRES_URL, Backend, PostgresBackend, SqliteBackend
from bench.scale import ScaleLog, past_dates
from bench.server import Server, py_spy
from bench.workload import plan
from newsledger.client.ledger_client import LedgerClient

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
    with LedgerClient(server.target) as client, py_spy(server.pid, raw):
        probe = grpc_cases.ViewProbe(client, log.negotiation_id)
        for name, latencies in (
            ("current", probe.current(200)),
            ("as_of", probe.each_as_of(past_dates(200))),
            ("known_at", probe.each_known_at(log.past_instants(200))),
        ):
            print(f"view {name}: median {sorted(latencies)[len(latencies) // 2]:.1f} ms")
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


def main(argv: list[str] | None = None) -> int:
    """Profile one phase and print its hot spots."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_server", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, metavar="URL")
    parser.add_argument("--phase", choices=("append", "read", "view"), default="append")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="nl-profile-")))
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    backend: Backend = (
        SqliteBackend() if args.backend == "sqlite" else PostgresBackend(args.postgres_url)
    )
    try:
        site = backend.fresh("profile")
        log = ScaleLog(site) if args.phase == "view" else None
        if log is not None:
            log.grow_to(10_000)
        with Server(site) as server:
            if args.phase == "append":
                raw = _phase_append(server, args.out)
            elif args.phase == "read":
                raw = _phase_read(server, args.out)
            else:
                assert log is not None
                raw = _phase_view(server, args.out, log)
        if log is not None:
            log.close()
    finally:
        backend.close()
    if raw.exists():
        print(f"collapsed stacks: {raw}")
        print(hot_spots(raw, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
