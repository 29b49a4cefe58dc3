"""A negotiation written through the ledger one development at a time, on a clock the test sets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from newsledger.bootstrap import build_application
from newsledger.domain.events import micros_from_time
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent

START = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def source(
    source_id: str, outlet: str, published: str = "2025-06-10", **extra: Any
) -> dict[str, Any]:
    """Return a wire source published on a day."""
    kind = extra.pop("kind", "SOURCE_KIND_WIRE")
    return {
        "source_id": source_id,
        "outlet": outlet,
        "kind": kind,
        "published_date": published,
        **extra,
    }


def report(day: str = "2025-06-10", *sources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Return a report of something that happened on a day, from the given sources."""
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": day},
        "sources": list(sources) or [source("wire-1", "Example Wire", day)],
        **extra,
    }


class NegotiationLog:
    """Appends a two-party negotiation's developments; each append is one hour after the last."""

    def __init__(self, engine: Engine, negotiation_id: str = "test-talks") -> None:
        """Open the negotiation (parties us and cn) at START."""
        self.now = START
        self.store = EventStore(engine, clock=lambda: micros_from_time(self.now))
        self.app = build_application(self.store)
        self.negotiation_id = negotiation_id
        self.stream = f"negotiation-{negotiation_id}"
        self.add(
            "NegotiationOpened",
            {
                "negotiation_id": negotiation_id,
                "title": "Test talks",
                "parties": [
                    {"party_id": "us", "name": "United States"},
                    {"party_id": "cn", "name": "China"},
                ],
            },
            "negotiation-opened",
        )

    def add(self, event_type: str, payload: dict[str, Any], development_id: str) -> str:
        """Record one development an hour after the previous one; return its event id."""
        self.now += timedelta(hours=1)
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.negotiation_id}/{development_id}")
        proposed = ProposedEvent(
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            metadata={"development_id": development_id},
            schema_version=2 if event_type == "TariffMeasureChanged" else 1,
        )
        self.app.ledger.append(self.stream, [proposed])
        return str(event_id)

    def person(self, person_id: str, party_id: str) -> str:
        """Record a person on a side."""
        payload = {"person_id": person_id, "name": person_id.title(), "party_id": party_id}
        return self.add(
            "PersonRoleAssigned", {**payload, "report": report()}, f"person-{person_id}"
        )

    def talks(self, development_id: str, talks_id: str, *sources: dict[str, Any]) -> str:
        """Record talks held on 10 June, reported by the given sources."""
        payload = {"talks_id": talks_id, "title": "Round", "format": "TALKS_FORMAT_IN_PERSON_ROUND"}
        return self.add(
            "TalksHeld", {**payload, "report": report("2025-06-10", *sources)}, development_id
        )
