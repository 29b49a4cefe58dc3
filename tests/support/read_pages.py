"""A small log of two streams and the page reads the read-path equivalence tests ask of it."""

from __future__ import annotations

from typing import Any

from newsledger.store.event_store import EventStore
from tests.support.factories import event, events


def fill_two_streams(store: EventStore) -> EventStore:
    """Append 15 events to streams "a" and "b", interleaved, of types A, B and C."""
    for round_ in range(5):
        store.append("a", events(2, "A"))
        store.append("b", [event("B" if round_ % 2 else "C", text=f"Zoë 北京 \U0001f600 {round_}")])
    return store


LOG_READS: dict[str, dict[str, Any]] = {
    "everything": {"limit": 100},
    "a page": {"from_position": 3, "limit": 4},
    "backward": {"backwards": True, "limit": 100},
    "backward from a position": {"from_position": 9, "backwards": True, "limit": 4},
    "up to a position": {"from_position": 2, "to_position": 11, "limit": 100},
    "backward down to a position": {
        "from_position": 12,
        "to_position": 4,
        "backwards": True,
        "limit": 100,
    },
    "one stream": {"stream": "b", "limit": 100},
    "some types": {"event_types": ["B", "C"], "backwards": True, "limit": 3},
    "past the end": {"from_position": 15, "limit": 10},
}
"""Log page reads of every shape: by position, backward, bounded, by stream, by type."""
