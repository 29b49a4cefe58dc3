"""Measure how fast `verify` and `ReplayNegotiation` go through a log, in events per second.

A log of realistic negotiation developments (the past-point workload: talks, statements,
tariff measures, positions across NEGOTIATIONS negotiations) is written with the audit tree,
served in-process on a loopback port, then verified end to end as `newsledger verify`
does (entries, subtree hashes, roots, views), and one negotiation is replayed over gRPC, with
changes only and with a full view per event. `measure_audit_rates` is the reusable part;
the benchmark can call it. Usage:

    python -m bench.audit_replay [--events 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from bench.past_point import BATCH, START_US, proposed
from newsledger.api.server import create_server
from newsledger.audit.storage.tree import AuditObserver
from newsledger.audit.verify.live import AuditClient, verify_live
from newsledger.audit.verify.trusted_state import TrustedState
from newsledger.bootstrap import build_application
from newsledger.client.connection import open_channel
from newsledger.projections.negotiation_views import NegotiationProjector
from newsledger.store.engine import create_engine, normalise_url
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.v1 import audit_pb2

ORIGIN = "bench.example/audit"
AS_OF = date(2025, 12, 31)


@dataclass(frozen=True, slots=True)
class AuditRates:
    """Events per second of each audit pass over one log."""

    events: int
    verify_seconds: float
    replay_events: int
    replay_changes_seconds: float
    replay_full_seconds: float

    @property
    def verify_rate(self) -> float:
        """Return the log's events verified per second."""
        return self.events / self.verify_seconds

    @property
    def replay_changes_rate(self) -> float:
        """Return the replayed events per second when only the changes are sent."""
        return self.replay_events / self.replay_changes_seconds

    @property
    def replay_full_rate(self) -> float:
        """Return the replayed events per second with a full view after every event."""
        return self.replay_events / self.replay_full_seconds


def load_log(engine: Engine, total: int, negotiations: int) -> None:
    """Write ``total`` developments across ``negotiations`` negotiations, with the audit tree."""
    clock = iter(range(START_US, START_US + 10**12, 1_000_000))
    store = EventStore(engine, clock=lambda: next(clock))
    projector = NegotiationProjector()
    store.add_observer(projector)
    store.add_commit_listener(projector.cache.committed)
    store.add_observer(AuditObserver(ORIGIN))
    per = total // negotiations
    written = [0] * negotiations
    while min(written) < per:
        for negotiation in range(negotiations):
            first, last = written[negotiation], min(per, written[negotiation] + BATCH)
            if first < last:
                batch = [proposed(negotiation, i) for i in range(first, last)]
                store.append(f"negotiation-bench-{negotiation}", batch)
                written[negotiation] = last


def _replay_seconds(client: AuditClient, negotiation_id: str, changes: bool) -> tuple[int, float]:
    request = audit_pb2.ReplayNegotiationRequest(
        negotiation_id=negotiation_id, as_of=AS_OF.isoformat(), changes_only=changes
    )
    started = time.perf_counter()
    count = sum(1 for _ in client.audit.ReplayNegotiation(request, timeout=3600))
    return count, time.perf_counter() - started


def measure_audit_rates(engine: Engine, total: int, negotiations: int = 100) -> AuditRates:
    """Load a log of ``total`` events into a migrated, empty database and time its audit."""
    load_log(engine, total, negotiations)
    app = build_application(EventStore(engine), log_origin=ORIGIN)
    running = create_server(app, "127.0.0.1:0", max_workers=8)
    try:
        channel = open_channel(f"127.0.0.1:{running.port}")
        client = AuditClient(channel, timeout_seconds=3600)
        state = TrustedState.pin(ORIGIN, app.audit.vkey)
        started = time.perf_counter()
        outcome = verify_live(client, state, AS_OF)
        verify_seconds = time.perf_counter() - started
        if not outcome.report.ok:
            raise RuntimeError(f"the benchmark log did not verify: {outcome.report.findings[:3]}")
        replayed, changes_seconds = _replay_seconds(client, "bench-0", True)
        _, full_seconds = _replay_seconds(client, "bench-0", False)
        channel.close()
    finally:
        running.stop(grace_seconds=1.0)
    return AuditRates(total, verify_seconds, replayed, changes_seconds, full_seconds)


@contextmanager
def _database(postgres: str | None) -> Iterator[Engine]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as directory:
            engine = create_engine(f"sqlite:///{Path(directory) / 'audit.db'}")
            upgrade_to_head(engine)
            yield engine
            engine.dispose()
        return
    url = make_url(normalise_url(postgres))
    name = f"newsledger_audit_bench_{int(time.time())}"
    admin = create_engine(url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    """Measure and print the audit rates on SQLite (and PostgreSQL when a URL is given)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--negotiations", type=int, default=100)
    parser.add_argument("--postgres", default=None, metavar="URL")
    args = parser.parse_args(argv)
    backends = [("sqlite", None)] + ([("postgres", args.postgres)] if args.postgres else [])
    for name, url in backends:
        with _database(url) as engine:
            rates = measure_audit_rates(engine, args.events, args.negotiations)
        out(
            f"{name}: {rates.events} events; verify {rates.verify_rate:,.0f} events/s "
            f"({rates.verify_seconds:.1f} s); replay of one negotiation ({rates.replay_events} "
            f"events) {rates.replay_changes_rate:,.0f} events/s with changes only, "
            f"{rates.replay_full_rate:,.0f} events/s with a full view per event"
        )


if __name__ == "__main__":
    main()
