"""A negotiation-heavy workload: appends that fold into negotiations of 400 statements.

The side-by-side workload's streams are not negotiations, so nothing folds there. Here each
of several negotiations (copies of the seed story under new ids, so each has its parties and
people) first gets 400 statements by one of its people, appended in-process through the
ledger (validated, folded, audited: what the server would have written). Then a fresh
server takes appends of 10 more statements through gRPC, round-robin over the negotiations,
each call timed on its own: every one folds 10 statements into a state of about 400.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.empty_pb2 import Empty

from bench.backends import Site
from bench.scale import SEED_STORY, statement_payload
from bench.workload import EVENT_TYPE, compact
from newsledger.bootstrap import build_application
from newsledger.client.ledger_client import LedgerClient
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import event_store_pb2 as es

SEED_ID = "us-china-trade-2025"
LOAD_BATCH = 100
TIMEOUT = 120.0


def story_copy(folder: Path, number: int) -> Path:
    """Write the seed story under a new negotiation id; return the file."""
    text = SEED_STORY.read_text(encoding="utf-8")
    marker = f"id: {SEED_ID}\n"
    if marker not in text:
        raise RuntimeError(f"the seed story no longer names its negotiation {SEED_ID!r}")
    path = folder / f"bench-negotiation-{number}.yaml"
    path.write_text(text.replace(marker, f"id: bench-negotiation-{number}\n", 1), "utf-8")
    return path


@dataclass
class Negotiation:
    """One loaded negotiation: its stream, and the last version and statement number."""

    stream: str
    version: int
    statements: int


def load(site: Site, negotiations: int, statements: int) -> list[Negotiation]:
    """Migrate site and write the negotiations with their statements, in-process."""
    engine = create_engine(site.newsledger_url)
    try:
        upgrade_to_head(engine)
        app = build_application(EventStore(engine))
        loaded = []
        with tempfile.TemporaryDirectory() as folder:
            for number in range(negotiations):
                report = ingest_story_in_process(app.ledger, story_copy(Path(folder), number))
                for first in range(0, statements, LOAD_BATCH):
                    batch = [
                        ProposedEvent(uuid.uuid4(), EVENT_TYPE, statement_payload(n))
                        for n in range(first, min(statements, first + LOAD_BATCH))
                    ]
                    app.ledger.append(report.stream, batch)
                version = app.store.stream_version(report.stream)
                assert version is not None
                loaded.append(Negotiation(report.stream, version, statements))
        return loaded
    finally:
        engine.dispose()


def requests(loaded: list[Negotiation], rounds: int, size: int) -> list[es.AppendEventsRequest]:
    """Return the appends of size statements each, round-robin, each expecting its version."""
    out = []
    for _ in range(rounds):
        for negotiation in loaded:
            first = negotiation.statements
            events = [
                es.ProposedEvent(
                    event_id=str(uuid.uuid4()),
                    event_type=EVENT_TYPE,
                    schema_version=1,
                    payload_json=compact(statement_payload(n)),
                    metadata_json="{}",
                )
                for n in range(first, first + size)
            ]
            expected = es.ExpectedVersion(exact=negotiation.version)
            if negotiation.version < 0:
                expected = es.ExpectedVersion(no_stream=Empty())
            out.append(
                es.AppendEventsRequest(
                    stream=negotiation.stream, expected_version=expected, events=events
                )
            )
            negotiation.version += size
            negotiation.statements += size
    return out


def append_latencies(client: LedgerClient, prepared: list[es.AppendEventsRequest]) -> list[float]:
    """Send the appends one after another; return each call's milliseconds."""
    call = client.events.AppendEvents
    latencies = []
    for request in prepared:
        started = time.perf_counter()
        call(request, timeout=TIMEOUT)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies
