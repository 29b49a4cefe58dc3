"""Measure what a past-point (known_at) query costs on a 100,000-event log, on each backend.

The log holds NEGOTIATIONS negotiations of equal length, written in interleaved batches of
BATCH events (one record time per batch), so a random known_at cuts a stream anywhere between
two snapshots. Each query is answered as the service answers GetNegotiation with known_at:
the cut, the latest snapshot at or before it, and the tail, then the view rendered for a
date. For scale, the same state is also folded from the stream's first event (what a past
point would cost without snapshots); rendering costs the same either way.
The audit observer is left out of the load to keep it quick; it takes no part in a query.
Usage:

    python bench/past_point.py [--events 100000] [--queries 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from newsledger.application.queries import NegotiationQueries
from newsledger.application.subscriptions import LogNotifier
from newsledger.domain.events import time_from_micros
from newsledger.domain.negotiation import fold, render_view
from newsledger.projections.negotiation_views import NegotiationProjector
from newsledger.projections.snapshots import SNAPSHOT_INTERVAL
from newsledger.store.engine import create_engine, normalise_url
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent

NEGOTIATIONS = 100
BATCH = 137
START_US = 1_750_000_000_000_000
AS_OF = date(2025, 12, 31)


def _report(day: int, n: int) -> dict[str, Any]:
    start = (date(2025, 1, 1) + timedelta(days=day % 360)).isoformat()
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": start},
        "summary": "The delegations met again; officials described steady progress.",
        "sources": [
            {
                "source_id": f"wire-{n}",
                "outlet": "Example Wire",
                "kind": "SOURCE_KIND_WIRE",
                "published_date": start,
            }
        ],
    }


def development(index: int) -> tuple[str, dict[str, Any]]:
    """Return the index-th development of a negotiation (after its opening and people)."""
    if index == 0:
        parties = [{"party_id": "aa", "name": "A"}, {"party_id": "bb", "name": "B"}]
        return "NegotiationOpened", {"negotiation_id": "x", "title": "Bench", "parties": parties}
    if index == 1:
        return "PersonRoleAssigned", {
            "person_id": "envoy",
            "name": "Envoy",
            "party_id": "aa",
            "report": _report(0, index),
        }
    kind = index % 4
    if kind == 0:
        return "TalksHeld", {
            "talks_id": f"round-{index}",
            "title": f"Round {index}",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "report": _report(index, index),
        }
    if kind == 1:
        quote = {"speaker_id": "envoy", "text": "We are making progress.", "verbatim": True}
        report = _report(index, index)
        report["sources"][0]["quotes"] = [quote]
        return "StatementMade", {
            "statement_id": f"s-{index}",
            "speaker_id": "envoy",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report,
        }
    if kind == 2:
        return "TariffMeasureChanged", {
            "measure_id": f"m-{index % 40}",
            "description": "Tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["aa"],
            "rate_percent": str(index % 90),
            "report": _report(index, index),
        }
    return "IssuePositionStated", {
        "issue_id": f"i-{index % 30}",
        "title": "Issue",
        "party_id": "bb",
        "position": f"Position {index}",
        "report": _report(index, index),
    }


def proposed(negotiation: int, index: int) -> ProposedEvent:
    """Return a development of one negotiation as a proposed event."""
    event_type, payload = development(index)
    if event_type == "NegotiationOpened":
        payload = {**payload, "negotiation_id": f"bench-{negotiation}"}
    return ProposedEvent(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bench-{negotiation}/{index}"),
        event_type=event_type,
        payload=payload,
        metadata={"development_id": f"d-{index}"},
        schema_version=2 if event_type == "TariffMeasureChanged" else 1,
    )


def load(engine: Engine, total: int) -> None:
    """Write `total` events: interleaved batches across the negotiations, a second apart."""
    clock = iter(range(START_US, START_US + 10**12, 1_000_000))
    store = EventStore(engine, clock=lambda: next(clock))
    projector = NegotiationProjector()
    store.add_observer(projector)
    store.add_commit_listener(projector.cache.committed)
    per = total // NEGOTIATIONS
    written = [0] * NEGOTIATIONS
    started = time.perf_counter()
    while min(written) < per:
        for negotiation in range(NEGOTIATIONS):
            first = written[negotiation]
            last = min(per, first + BATCH)
            if first < last:
                batch = [proposed(negotiation, i) for i in range(first, last)]
                store.append(f"negotiation-bench-{negotiation}", batch)
                written[negotiation] = last
        done = sum(written)
        print(f"  loaded {done}/{total} events ({time.perf_counter() - started:.0f}s)", flush=True)


def measure(engine: Engine, queries: int) -> dict[str, list[float]]:
    """Time random known_at views, with snapshots and by a fold from the first event."""
    store = EventStore(engine)
    reader = NegotiationQueries(store, LogNotifier())
    with engine.connect() as conn:
        spans = {
            stream: (first, last)
            for stream, first, last in conn.execute(
                sa.text(
                    "SELECT stream, min(recorded_at_us), max(recorded_at_us) FROM events "
                    "GROUP BY stream"
                )
            )
        }
    rng = random.Random(7)
    timings: dict[str, list[float]] = {
        "state: snapshot + tail": [],
        "state: fold from event 0": [],
        "render the view": [],
        "GetNegotiation known_at": [],
    }
    for _ in range(queries):
        negotiation = f"bench-{rng.randrange(NEGOTIATIONS)}"
        first_us, last_us = spans[f"negotiation-{negotiation}"]
        known_at = time_from_micros(rng.randrange(first_us, last_us + 1))
        started = time.perf_counter()
        with reader.stored(negotiation, known_at) as stored:
            state_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            view = render_view(stored.state, AS_OF)
            render_ms = (time.perf_counter() - started) * 1000
        timings["state: snapshot + tail"].append(state_ms)
        timings["render the view"].append(render_ms)
        timings["GetNegotiation known_at"].append(state_ms + render_ms)
        started = time.perf_counter()
        events = store.read_stream(
            f"negotiation-{negotiation}", limit=stored.last_stream_version + 1
        )
        replayed = fold(event.to_domain() for event in events)
        timings["state: fold from event 0"].append((time.perf_counter() - started) * 1000)
        assert replayed is not None and render_view(replayed, AS_OF) == view
    return timings


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def databases(postgres: str | None) -> Iterator[tuple[str, Engine]]:
    """Yield a fresh migrated SQLite database, then a fresh PostgreSQL schema if given."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'bench.db'}")
        upgrade_to_head(engine)
        yield "sqlite", engine
        engine.dispose()
    if postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(normalise_url(postgres)).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        engine = create_engine(url.render_as_string(hide_password=False))
        try:
            upgrade_to_head(engine)
            yield "postgresql", engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    """Load the log on each backend and print median and p99 query times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default=None, metavar="URL")
    args = parser.parse_args(argv)
    out(f"{args.events} events, {NEGOTIATIONS} negotiations, snapshot every {SNAPSHOT_INTERVAL}")
    for backend, engine in databases(args.postgres):
        out(f"{backend}: loading")
        load(engine, args.events)
        for name, values in measure(engine, args.queries).items():
            out(
                f"{backend:<10} {name:<26} median {statistics.median(values):7.1f} ms"
                f"   p99 {percentile(values, 0.99):7.1f} ms   ({len(values)} queries)"
            )


if __name__ == "__main__":
    main()
