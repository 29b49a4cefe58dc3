"""A negotiation of tens of thousands of statements: its view stays small and readable.

The suite appends 20,000 statements; set NEWSLEDGER_LARGE_NEGOTIATION_STATEMENTS=100000 to
append 100,000 (about a minute per backend).
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Connection, Engine

from bench.scale import statement_payload
from newsledger.api.services.negotiations import NegotiationService
from newsledger.bootstrap import build_application
from newsledger.domain.view import VIEW_LIST_LIMIT
from newsledger.projections import negotiation_views
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import negotiations_pb2 as pb
from tests.support.paths import SEED_STORY
from tests.support.served import as_sent

STATEMENTS = int(os.environ.get("NEWSLEDGER_LARGE_NEGOTIATION_STATEMENTS", "20000"))
BATCH = 1000
MAX_VIEW_BYTES = 256 * 1024

pytestmark = pytest.mark.slow


def batch(first: int, count: int) -> list[ProposedEvent]:
    return [
        ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(number))
        for number in range(first, first + count)
    ]


def test_a_negotiation_of_many_statements_is_still_read_whole_and_small(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_application(EventStore(engine))
    report = ingest_story_in_process(app.ledger, SEED_STORY)
    started = time.perf_counter()
    for first in range(0, STATEMENTS, BATCH):
        app.ledger.append(report.stream, batch(first, min(BATCH, STATEMENTS - first)))
    loaded = time.perf_counter() - started

    loads: list[int] = []
    real = negotiation_views.view_at_version

    def counting(conn: Connection, negotiation_id: str, cut: int) -> Any:
        loads.append(cut)
        return real(conn, negotiation_id, cut)

    monkeypatch.setattr(negotiation_views, "view_at_version", counting)
    appends = []
    for number in range(STATEMENTS, STATEMENTS + 10):
        began = time.perf_counter()
        app.ledger.append(report.stream, batch(number, 1))
        appends.append(time.perf_counter() - began)
    assert loads == [], "an append loaded the state instead of folding onto the kept one"

    service = NegotiationService(app.queries)
    request = pb.GetNegotiationRequest(negotiation_id=report.negotiation_id)
    began = time.perf_counter()
    response = as_sent(service.GetNegotiation(request, None), pb.GetNegotiationResponse)  # type: ignore[arg-type]
    view_seconds = time.perf_counter() - began
    size = len(response.SerializeToString())
    print(
        f"\n{STATEMENTS} statements: loaded in {loaded:.1f} s, append p50 "
        f"{sorted(appends)[5] * 1000:.1f} ms, view {size} bytes in {view_seconds * 1000:.0f} ms"
    )

    assert size < MAX_VIEW_BYTES
    assert len(response.view.statements) == VIEW_LIST_LIMIT
    [note] = [n for n in response.view.truncated_lists if n.path == "statements"]
    assert note.total > STATEMENTS + 10
    newest = f"bench-statement-{STATEMENTS + 9}"
    assert newest in {s.statement_id for s in response.view.statements}

    point = app.queries.view_point(report.negotiation_id, datetime.now(UTC).date())
    last = app.queries.statements(point, offset=note.total - 1, limit=10)
    assert last.total == note.total and len(last.statements) == 1
    assert last.next_offset is None
