"""Load: concurrent clients mixing appends, queries and subscriptions against a real server.

    python bench/load.py                      # 50 clients, 60 s, SQLite then PostgreSQL
    python bench/load.py --backend sqlite --seconds 20 --clients 20

Each backend gets a fresh `newsledger serve` (seed story loaded) on a loopback port. The
clients run for the duration and record every call's latency; a few deliberately slow
subscribers read one message a second from the start of the log while the log grows,
and the server's resident memory is sampled throughout. PostgreSQL runs when
NEWSLEDGER_TEST_DATABASE_URL names a server (a fresh schema is made and dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.store.engine import create_engine, normalise_url
from newsledger.v1 import event_store_pb2 as es

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "stories" / "us-china-trade-2025.yaml"
SERVING = re.compile(r"serving on 127\.0\.0\.1:(\d+) ")
NEGOTIATION = "us-china-trade-2025"


def statement(n: int) -> dict[str, object]:
    """Return a valid StatementMade payload."""
    source = {"source_id": "src-wire", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE"}
    source["quotes"] = [{"speaker_id": "speaker", "text": f"Remark {n}.", "verbatim": True}]
    return {
        "statement_id": f"statement-{n}",
        "speaker_id": "speaker",
        "kind": "STATEMENT_KIND_REMARK",
        "report": {
            "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
            "sources": [source],
        },
    }


@dataclass
class Results:
    """Latencies per operation, errors, and the server's memory samples."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    rss_kib: list[tuple[float, int]] = field(default_factory=list)
    slow_messages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, seconds: float, error: str | None = None) -> None:
        """Keep one call's outcome."""
        with self.lock:
            if error is None:
                self.latencies[operation].append(seconds)
            else:
                self.errors[operation].append(error)


class Server:
    """`newsledger serve` on a free loopback port, with the seed story loaded."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        env = {**os.environ, "NEWSLEDGER_DATABASE_URL": database_url}
        command = [sys.executable, "-m", "newsledger", "serve", "--migrate"]
        command += ["--ingest", str(SEED), "--address", "127.0.0.1:0", "--log-format", "text"]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if found := SERVING.search(line):
                self.target = f"127.0.0.1:{found.group(1)}"
                break
        else:
            raise RuntimeError("the server did not start")

    def rss_kib(self) -> int:
        """Return the server's resident set size in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop the server gracefully."""
        self.process.terminate()
        self.process.wait(timeout=30)


def timed(results: Results, operation: str, call: Callable[[], object]) -> None:
    """Run call and record its latency or its error."""
    started = time.perf_counter()
    try:
        call()
    except Exception as error:
        results.record(operation, 0.0, f"{type(error).__name__}: {error}"[:200])
        return
    results.record(operation, time.perf_counter() - started)


def subscribe_briefly(client: LedgerClient) -> None:
    """Subscribe near the head, read until caught up, then cancel."""
    head = client.read_log(direction=es.READ_DIRECTION_BACKWARD, page_size=1).events
    after = max(0, head[0].position - 50) if head else 0
    stream = client.subscribe(after_position=after)
    try:
        for message in stream:
            if message.HasField("caught_up"):
                break
    finally:
        stream.cancel()


def mixed_client(target: str, results: Results, until: float, seed: int) -> None:
    """Append (40%), query (40%) or subscribe (20%) in a loop until the deadline."""
    rng = random.Random(seed)
    with LedgerClient(target, timeout_seconds=30) as client:
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.4:
                batch = [
                    proposed(str(uuid.uuid4()), "StatementMade", statement(rng.randrange(10**9)))
                    for _ in range(rng.randint(1, 5))
                ]
                stream = f"load-{rng.randrange(20)}"
                timed(results, "append", lambda s=stream, b=batch: client.append(s, b))
            elif roll < 0.6:
                timed(results, "get_view", lambda: client.negotiation(NEGOTIATION, "2025-06-11"))
            elif roll < 0.8:
                timed(results, "read_log", lambda: client.read_log(page_size=50))
            else:
                timed(results, "subscribe", lambda: subscribe_briefly(client))


def slow_subscriber(target: str, results: Results, until: float) -> None:
    """Subscribe from the start of the log and read one message a second."""
    with LedgerClient(target) as client:
        stream = client.subscribe()
        try:
            for _ in stream:
                with results.lock:
                    results.slow_messages += 1
                if time.monotonic() >= until:
                    break
                time.sleep(1.0)
        except Exception as error:
            results.record("slow_subscriber", 0.0, str(error)[:200])
        finally:
            stream.cancel()


def sample_memory(server: Server, results: Results, until: float) -> None:
    """Sample the server's RSS every two seconds."""
    started = time.monotonic()
    while time.monotonic() < until:
        results.rss_kib.append((time.monotonic() - started, server.rss_kib()))
        time.sleep(2.0)


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which fraction of values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(backend: str, results: Results, seconds: float, clients: int, slow: int) -> bool:
    """Print the latency table and the memory samples; return True when nothing failed."""
    print(f"\n== {backend}: {clients} clients and {slow} slow subscribers for {seconds:.0f} s")
    header = ("calls", "per s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"{'operation':<12}" + "".join(f"{h:>9}" for h in header))
    for operation in ("append", "get_view", "read_log", "subscribe"):
        values = results.latencies.get(operation, [])
        errors = len(results.errors.get(operation, []))
        if not values:
            print(f"{operation:<12}{0:>9}" + " " * 36 + f"{errors:>9}")
            continue
        p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.5, 0.95, 0.99))
        rate = len(values) / seconds
        print(
            f"{operation:<12}{len(values):>8}{rate:>8.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{errors:>8}"
        )
    memory = [kib for _, kib in results.rss_kib]
    if memory:
        half = len(memory) // 2
        print(
            f"server RSS: start {memory[0] / 1024:.0f} MiB, peak {max(memory) / 1024:.0f} MiB, "
            f"end {memory[-1] / 1024:.0f} MiB; mean of the first half "
            f"{sum(memory[:half]) / max(half, 1) / 1024:.0f} MiB, of the second half "
            f"{sum(memory[half:]) / max(len(memory) - half, 1) / 1024:.0f} MiB"
        )
    print(f"slow subscribers read {results.slow_messages} messages in all")
    for operation, errors in results.errors.items():
        print(f"errors in {operation}: {len(errors)}, e.g. {errors[0]}")
    return not results.errors


def run_load(database_url: str, seconds: float, clients: int, slow: int) -> Results:
    """Serve database_url, run the load against it, and return the results."""
    results = Results()
    with tempfile.TemporaryDirectory() as scratch:
        server = Server(database_url, Path(scratch))
        try:
            until = time.monotonic() + seconds
            threads = [threading.Thread(target=sample_memory, args=(server, results, until))]
            threads += [
                threading.Thread(target=slow_subscriber, args=(server.target, results, until))
                for _ in range(slow)
            ]
            threads += [
                threading.Thread(target=mixed_client, args=(server.target, results, until, n))
                for n in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.stop()
    return results


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """Create a scratch schema on the PostgreSQL server; yield a URL using it; drop it."""
    schema = f"load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(normalise_url(url)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    """Run the load on the chosen backends; exit 1 if any call failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slow-subscribers", type=int, default=4)
    args = parser.parse_args()
    postgres = os.environ.get("NEWSLEDGER_TEST_DATABASE_URL")
    ok = True
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{Path(scratch) / 'load.db'}"
            results = run_load(url, args.seconds, args.clients, args.slow_subscribers)
        ok &= report("sqlite", results, args.seconds, args.clients, args.slow_subscribers)
    if args.backend in ("postgresql", "both"):
        if not postgres:
            print("NEWSLEDGER_TEST_DATABASE_URL is not set: skipping PostgreSQL")
        else:
            with postgres_schema(postgres) as url:
                results = run_load(url, args.seconds, args.clients, args.slow_subscribers)
            ok &= report("postgresql", results, args.seconds, args.clients, args.slow_subscribers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
