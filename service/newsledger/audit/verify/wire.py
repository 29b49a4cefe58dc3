"""Audit entries to and from their wire form (a LogEntry message) and file form (a JSON line)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from google.protobuf.message import DecodeError

from newsledger.audit.entry import AuditEntry
from newsledger.audit.note import NoteError, strict_b64decode
from newsledger.domain.events import StoredEvent
from newsledger.v1 import audit_pb2, event_store_pb2


class EntryFormatError(ValueError):
    """A served or exported entry cannot be read; ``sequence_number`` says which."""

    def __init__(self, sequence_number: int, problem: str) -> None:
        """Name the entry and what is wrong with it."""
        self.sequence_number = sequence_number
        super().__init__(problem)


def entry_from_message(message: audit_pb2.LogEntry) -> AuditEntry:
    """Return the entry a LogEntry message carries (its response item as sent, unread)."""
    event = message.event
    stored = _stored_event(event, message.sequence_number)
    subtrees = tuple((s.level, s.index, bytes(s.hash)) for s in message.completed_subtrees)
    if message.sequence_number != event.position:
        raise EntryFormatError(
            message.sequence_number,
            f"the entry and its event disagree on the position: {event.position}",
        )
    item = bytes(message.response_item) or None
    return AuditEntry(stored, bytes(message.leaf), subtrees, item)


def served_event(item: bytes) -> StoredEvent | str:
    """Return the event a response item holds, or what is wrong with it.

    A response item is a serialised ReadLogResponse holding one event and no token.
    """
    try:
        page = event_store_pb2.ReadLogResponse.FromString(item)
    except DecodeError:
        return "it is not a serialised response"
    if len(page.events) != 1:
        return f"it holds {len(page.events)} events, not one"
    if page.next_page_token:
        return "it carries a page token"
    try:
        return _stored_event(page.events[0], page.events[0].position)
    except EntryFormatError as error:
        return str(error)


def _stored_event(event: event_store_pb2.RecordedEvent, sequence_number: int) -> StoredEvent:
    try:
        event_id = uuid.UUID(event.event_id)
    except ValueError:
        raise EntryFormatError(sequence_number, "event_id is not a UUID") from None
    return StoredEvent(
        position=event.position,
        event_id=event_id,
        stream=event.stream,
        stream_version=event.stream_version,
        event_type=event.event_type,
        schema_version=event.schema_version,
        payload=event.payload_json,
        metadata=event.metadata_json,
        recorded_at_us=event.record_time.ToMicroseconds(),
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def entry_to_json(entry: AuditEntry) -> dict[str, Any]:
    """Return the entry as the JSON object of one export line."""
    event = entry.event
    return {
        "kind": "entry",
        "sequence_number": event.position,
        "leaf": _b64(entry.leaf),
        "event": {
            "event_id": str(event.event_id),
            "stream": event.stream,
            "stream_version": event.stream_version,
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "payload_json": event.payload,
            "metadata_json": event.metadata,
            "recorded_at_us": event.recorded_at_us,
        },
        "completed_subtrees": [[level, index, _b64(node)] for level, index, node in entry.subtrees],
    }


def entry_from_json(line: dict[str, Any], expected: int) -> AuditEntry:
    """Return the entry an export line holds; ``expected`` names it in errors."""
    try:
        event = line["event"]
        stored = StoredEvent(
            position=int(line["sequence_number"]),
            event_id=uuid.UUID(str(event["event_id"])),
            stream=str(event["stream"]),
            stream_version=int(event["stream_version"]),
            event_type=str(event["event_type"]),
            schema_version=int(event["schema_version"]),
            payload=str(event["payload_json"]),
            metadata=str(event["metadata_json"]),
            recorded_at_us=int(event["recorded_at_us"]),
        )
        leaf = strict_b64decode(str(line["leaf"]), "leaf")
        subtrees = tuple(
            (int(level), int(index), strict_b64decode(str(node), "subtree hash"))
            for level, index, node in line["completed_subtrees"]
        )
    except (KeyError, TypeError, ValueError, NoteError) as error:
        raise EntryFormatError(expected, f"malformed export line: {error}") from None
    return AuditEntry(stored, leaf, subtrees)
