"""Builders for test events, so tests say only what matters to them."""

from __future__ import annotations

import uuid
from typing import Any

from newsledger.store.records import ProposedEvent


def event(event_type: str = "Noted", **payload: Any) -> ProposedEvent:
    """Return a proposed event with a fresh id and the given payload."""
    return ProposedEvent(event_id=uuid.uuid4(), event_type=event_type, payload=payload or {"n": 1})


def events(count: int, event_type: str = "Noted") -> list[ProposedEvent]:
    """Return count proposed events numbered in their payloads."""
    return [event(event_type, n=index) for index in range(count)]
