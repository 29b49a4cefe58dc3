"""A growing log for the scale checks: the seed negotiation plus filler, bulk-loaded in-process.

Bulk loading goes through ``EventStore.append`` in this process, in batches of 1,000, with
the service's own observers (the negotiation projector and the audit log), so the database
is exactly what the server would have written — only the gRPC hop and the schema
validation of the filler are skipped, to keep a 1,000,000-event log within the run's budget.
The negotiation gets its 200 extra statements (20 appends of 10, spread over the first
load's record times) during the first load only, so its size — and so
what its views should cost — stays the same while the log grows around it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.backends import Site
from bench.workload import EVENT_TYPE, statement
from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process

ROOT = Path(__file__).resolve().parents[1]
SEED_STORY = ROOT / "data" / "stories" / "us-china-trade-2025.yaml"
BULK_BATCH = 1000
STATEMENT_BATCH = 10  # the negotiation grows by 10 statements per append
PAST_DATE = "2025-06-11"
SPEAKER = "scott-bessent"  # a person of the seed story, so the statements apply


def statement_payload(number: int) -> dict[str, Any]:
    """Return the payload of the negotiation's statement number (valid, and applied by the fold)."""
    payload = statement(9999, number, random.Random(number))
    payload["statement_id"] = f"bench-statement-{number}"
    payload["speaker_id"] = SPEAKER
    for source in payload["report"]["sources"]:
        for quote in source.get("quotes", []):
            quote["speaker_id"] = SPEAKER
    return payload


def past_dates(count: int) -> list[str]:
    """Return count different as_of dates, one a day back from PAST_DATE."""
    last = date.fromisoformat(PAST_DATE)
    return [(last - timedelta(days=days)).isoformat() for days in range(count)]


@dataclass
class ScaleLog:
    """The log of one backend's scale checks, and the negotiation whose views are timed."""

    site: Site
    negotiation_statements: int = 200
    app: Application = field(init=False)
    negotiation_id: str = field(init=False)
    stream: str = field(init=False)
    size: int = field(init=False)
    _filler_streams: int = 0

    def __post_init__(self) -> None:
        engine = create_engine(self.site.newsledger_url)
        upgrade_to_head(engine)
        self.app = build_application(EventStore(engine))
        report = ingest_story_in_process(self.app.ledger, SEED_STORY)
        self.negotiation_id, self.stream = report.negotiation_id, report.stream
        rng = random.Random(7)
        self._payloads = [statement(0, v, rng) for v in range(BULK_BATCH)]
        self.size = self._head() + 1

    def _head(self) -> int:
        head = self.app.store.head_position()
        return -1 if head is None else head

    def _filler_batch(self) -> None:
        stream = f"fill-{self._filler_streams:06d}"
        self._filler_streams += 1
        batch = [ProposedEvent(uuid.uuid4(), EVENT_TYPE, p) for p in self._payloads]
        self.app.store.append(stream, batch)

    def _negotiation_statements(self, first: int) -> None:
        """Append STATEMENT_BATCH statements to the negotiation, validated like any append."""
        batch = [
            ProposedEvent(uuid.uuid4(), EVENT_TYPE, statement_payload(n))
            for n in range(first, first + STATEMENT_BATCH)
        ]
        self.app.ledger.append(self.stream, batch)

    def past_instants(self, count: int) -> list[datetime]:
        """Return the record times of up to count of the negotiation's events, spread evenly.

        Each is a different past point, so no two calls can share a cached answer.
        """
        events = self.app.store.read_stream(self.stream, limit=100_000)
        step = max(1, len(events) // count)
        return [event.record_time for event in events[::step][:count]]

    def grow_to(self, target: int) -> None:
        """Append filler (and, the first time, the negotiation's statements) up to target events."""
        extra = self.negotiation_statements
        self.negotiation_statements = 0
        batches = max(0, -(-(target - self.size - extra) // BULK_BATCH))
        appends = extra // STATEMENT_BATCH
        every = max(1, batches // appends) if appends else 0
        added = 0
        for number in range(batches):
            self._filler_batch()
            if appends and number % every == 0 and added < extra:
                self._negotiation_statements(added)
                added += STATEMENT_BATCH
        for first in range(added, extra, STATEMENT_BATCH):
            self._negotiation_statements(first)
        self.size = self._head() + 1

    def close(self) -> None:
        """Release the connections."""
        self.app.store.engine.dispose()
