"""RecordedEvent messages built the plain way: the reference the read API must match."""

from __future__ import annotations

from newsledger.domain.events import StoredEvent
from newsledger.store.event_rows import EventRow
from newsledger.v1 import event_store_pb2 as pb


def plain_message(event: StoredEvent) -> pb.RecordedEvent:
    """Build the message with keyword arguments and Timestamp.FromMicroseconds."""
    message = pb.RecordedEvent(
        event_id=str(event.event_id),
        stream=event.stream,
        stream_version=event.stream_version,
        position=event.position,
        event_type=event.event_type,
        schema_version=event.schema_version,
        payload_json=event.payload,
        metadata_json=event.metadata,
    )
    message.record_time.FromMicroseconds(event.recorded_at_us)
    return message


def row_of(event: StoredEvent) -> EventRow:
    """Return the EventRow of a stored event: its fields in order, the id as text."""
    return (
        event.position,
        str(event.event_id),
        event.stream,
        event.stream_version,
        event.event_type,
        event.schema_version,
        event.payload,
        event.metadata,
        event.recorded_at_us,
    )
