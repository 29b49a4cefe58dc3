"""The append's response, filled position by position, is the message built all at once."""

from __future__ import annotations

import uuid

from newsledger.api.conversions import append_response
from newsledger.domain.events import StoredEvent
from newsledger.store.records import AppendResult
from newsledger.v1 import event_store_pb2 as pb


def stored(position: int, version: int, recorded_at_us: int) -> StoredEvent:
    return StoredEvent(
        position, uuid.UUID(int=position), "s", version, "T", 1, "{}", "{}", recorded_at_us
    )


def test_the_response_names_every_position_in_the_request_order() -> None:
    events = (stored(7, 2, 1_000_001), stored(5, 0, 1_000_000), stored(6, 1, 1_000_000))
    response = append_response(AppendResult("s", events, already_recorded=True))
    expected = pb.AppendEventsResponse(
        positions=[
            pb.EventPosition(
                event_id=str(e.event_id), position=e.position, stream_version=e.stream_version
            )
            for e in events
        ],
        already_recorded=True,
        stream_version=2,
    )
    expected.record_time.FromMicroseconds(1_000_001)
    assert response == expected
    assert response.SerializeToString(deterministic=True) == expected.SerializeToString(
        deterministic=True
    )
