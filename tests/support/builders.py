"""Builders of recorded negotiation events for fold tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold, stream_for
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view

SOURCE = {
    "source_id": "wire-1",
    "outlet": "Example Wire",
    "kind": "SOURCE_KIND_WIRE",
    "published_date": "2025-06-11",
}


def report(**extra: Any) -> dict[str, Any]:
    """Return a minimal valid report, day precision, with one source."""
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
        "sources": [SOURCE],
        **extra,
    }


def reported_on(day: str, **extra: Any) -> dict[str, Any]:
    """Return a report of something on `day`, from a wire published that day."""
    source = {"source_id": f"wire-{day}", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE"}
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{**source, "published_date": day}],
        **extra,
    )


class Stream:
    """Records events for one negotiation, numbering versions and positions in order."""

    def __init__(self, negotiation_id: str = "test-talks") -> None:
        """Start an empty stream for `negotiation_id`."""
        self.negotiation_id = negotiation_id
        self.events: list[RecordedEvent] = []

    def add(
        self, event_type: str, payload: dict[str, Any], development_id: str = ""
    ) -> RecordedEvent:
        """Record one event and return it."""
        version = len(self.events)
        development_id = development_id or f"dev-{version}"
        event = RecordedEvent(
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{self.negotiation_id}/{development_id}"),
            stream=stream_for(self.negotiation_id),
            stream_version=version,
            position=1000 + version,
            event_type=event_type,
            schema_version=1,
            payload=payload,
            metadata={"development_id": development_id},
            record_time=datetime(2025, 6, 11, 12, 0, tzinfo=UTC),
        )
        self.events.append(event)
        return event

    def opened(self) -> Stream:
        """Record NegotiationOpened with parties us and cn."""
        self.add(
            "NegotiationOpened",
            {
                "negotiation_id": self.negotiation_id,
                "title": "Test talks",
                "parties": [
                    {"party_id": "us", "name": "United States", "kind": "PARTY_KIND_STATE"},
                    {"party_id": "cn", "name": "China", "kind": "PARTY_KIND_STATE"},
                ],
            },
            "negotiation-opened",
        )
        return self

    def person(self, person_id: str, party_id: str) -> Stream:
        """Record a person's role on a side."""
        self.add(
            "PersonRoleAssigned",
            {
                "person_id": person_id,
                "name": person_id.title(),
                "party_id": party_id,
                "office": "Minister",
                "report": report(),
            },
            f"person-{person_id}",
        )
        return self

    def truce(self, expires_time: str = "2025-08-12T04:01:00Z") -> Stream:
        """Record a truce expiring at `expires_time`, New York time."""
        self.add(
            "TruceAgreed",
            {
                "truce_id": "truce",
                "name": "Truce",
                "duration_days": 90,
                "report": report(
                    occurred={"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-12"},
                    sources=[{**SOURCE, "published_date": "2025-05-12"}],
                    expires={
                        "precision": "DATE_PRECISION_INSTANT",
                        "start_time": expires_time,
                        "time_zone": "America/New_York",
                    },
                ),
            },
            "truce",
        )
        return self


def view_on(stream: Stream, day: date) -> dict[str, Any]:
    """Return the view of the stream's negotiation as of `day`."""
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return render_view(state, day)
