"""How appends and views cost as one negotiation grows: append 10, then read its view.

For each size, one negotiation (the seed story) gets that many statements, appended
in-process in batches; then 10 single-statement appends are timed one by one, and a
GetNegotiation through the service object (serialised, as the server would send it), then
another right after one more append (`next_view_ms`: the view as readers see it live).

    python -m bench.negotiation_growth 400 5000 60000 [--url DATABASE_URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.scale import SEED_STORY, statement_payload
from bench.workload import EVENT_TYPE
from newsledger.api.services.negotiations import NegotiationService
from newsledger.bootstrap import build_application
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import negotiations_pb2 as pb

LOAD_BATCH = 1000
TIMED_APPENDS = 10


def measure(url: str, statements: int) -> dict[str, Any]:
    """Load a negotiation of `statements` statements at url; time appends and a view read."""
    engine = create_engine(url)
    try:
        upgrade_to_head(engine)
        app = build_application(EventStore(engine))
        report = ingest_story_in_process(app.ledger, SEED_STORY)
        started = time.perf_counter()
        for first in range(0, statements, LOAD_BATCH):
            batch = [
                ProposedEvent(uuid.uuid4(), EVENT_TYPE, statement_payload(n))
                for n in range(first, min(statements, first + LOAD_BATCH))
            ]
            app.ledger.append(report.stream, batch)
        load_seconds = time.perf_counter() - started
        appends = []
        for n in range(statements, statements + TIMED_APPENDS):
            event = ProposedEvent(uuid.uuid4(), EVENT_TYPE, statement_payload(n))
            began = time.perf_counter()
            app.ledger.append(report.stream, [event])
            appends.append((time.perf_counter() - began) * 1000)
        service = NegotiationService(app.queries)
        request = pb.GetNegotiationRequest(negotiation_id=report.negotiation_id)
        began = time.perf_counter()
        size = len(service.GetNegotiation(request, None).SerializeToString())  # type: ignore[arg-type]
        view_ms = (time.perf_counter() - began) * 1000
        last = statements + TIMED_APPENDS
        app.ledger.append(
            report.stream, [ProposedEvent(uuid.uuid4(), EVENT_TYPE, statement_payload(last))]
        )
        began = time.perf_counter()
        service.GetNegotiation(request, None)  # type: ignore[arg-type]
        next_view_ms = (time.perf_counter() - began) * 1000
        return {
            "statements": statements,
            "load_s": round(load_seconds, 1),
            "append_ms_p50": round(statistics.median(appends), 2),
            "append_ms_max": round(max(appends), 2),
            "view_bytes": size,
            "view_ms": round(view_ms, 1),
            "next_view_ms": round(next_view_ms, 1),
        }
    finally:
        engine.dispose()


def main() -> None:
    """Measure each size on a fresh database and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--url", default="", help="an empty database (default: a temp SQLite)")
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = args.url or f"sqlite:///{Path(folder) / 'growth.db'}"
            print(measure(url, size), flush=True)


if __name__ == "__main__":
    main()
