"""Measure the cost of the audit log on append: 100-event batches with and without it.

Both configurations run in the same process, interleaved round by round, on a fresh
database each, so the ratio is fair on a noisy machine. Usage:

    python bench/audit_cost.py [--rounds 5] [--batches 40] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from newsledger.audit.storage.tree import AuditObserver
from newsledger.store.engine import create_engine, normalise_url
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent

BATCH = 100
TEXT = "The delegations met for a second day of talks; officials described progress. " * 4


def batch(round_number: int, number: int) -> list[ProposedEvent]:
    """Return 100 events of about 400 bytes each."""
    return [
        ProposedEvent(
            uuid.uuid4(),
            "StatementMade",
            {"round": round_number, "batch": number, "n": n, "text": TEXT[:360]},
        )
        for n in range(BATCH)
    ]


@contextmanager
def fresh_database(backend: str, postgres_url: str | None) -> Iterator[Engine]:
    """Yield an engine on an empty, migrated database; drop it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            engine = create_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
            upgrade_to_head(engine)
            yield engine
            engine.dispose()
        return
    assert postgres_url is not None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(postgres_url)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def appends_per_second(engine: Engine, audited: bool, round_number: int, batches: int) -> float:
    """Append ``batches`` batches and return events per second."""
    store = EventStore(engine)
    if audited:
        store.add_observer(AuditObserver("bench.local/log"))
    store.append("warm-up", batch(round_number, -1))
    started = time.perf_counter()
    for number in range(batches):
        store.append(f"stream-{number % 10}", batch(round_number, number))
    return batches * BATCH / (time.perf_counter() - started)


def measure(backend: str, postgres_url: str | None, rounds: int, batches: int) -> None:
    """Print the median rates and the cost of the audit on one backend."""
    rates: dict[bool, list[float]] = {False: [], True: []}
    for round_number in range(rounds):
        for audited in (False, True) if round_number % 2 == 0 else (True, False):
            with fresh_database(backend, postgres_url) as engine:
                rates[audited].append(appends_per_second(engine, audited, round_number, batches))
    plain, audited = statistics.median(rates[False]), statistics.median(rates[True])
    print(
        f"{backend:10} without audit {plain:9.0f} ev/s   with audit {audited:9.0f} ev/s   "
        f"cost {100 * (1 - audited / plain):5.1f}%   ({rounds} rounds x {batches} x {BATCH} events)"
    )
    print(f"{'':10} per-round cost {_spread(rates[False], rates[True])}   (how noisy the run was)")


def _spread(plain: list[float], audited: list[float]) -> str:
    """Return the lowest and highest cost of the audit over the rounds, pairing them in order."""
    costs = [100 * (1 - a / p) for p, a in zip(plain, audited, strict=True)]
    return f"{min(costs):5.1f}% .. {max(costs):5.1f}%"


def main() -> None:
    """Parse the options and measure each backend."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--postgres", default=None, metavar="URL")
    args = parser.parse_args()
    measure("sqlite", None, args.rounds, args.batches)
    if args.postgres:
        measure("postgresql", args.postgres, args.rounds, args.batches)


if __name__ == "__main__":
    main()
