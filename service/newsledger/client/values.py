"""Python values a client passes in: dates, instants, and events as dicts or messages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.v1 import event_store_pb2 as es

EventLike = es.ProposedEvent | Mapping[str, Any]
"""An event to append: a ProposedEvent, or a dict with event_type, payload and optionally
event_id (a UUID; one is made when missing), metadata and schema_version. A payload is a
dict in ProtoJSON form or a developments_pb2 message."""


def date_text(as_of: date | str | None) -> str:
    """Return a date as the API's YYYY-MM-DD text; None or "" means today on the server."""
    if as_of is None:
        return ""
    if isinstance(as_of, datetime):
        raise TypeError("as_of is a date (valid time); pass known_at for an instant")
    return as_of.isoformat() if isinstance(as_of, date) else as_of


def timestamp(known_at: datetime | Timestamp | None) -> Timestamp | None:
    """Return an instant as a Timestamp; a naive datetime is taken as UTC."""
    if known_at is None or isinstance(known_at, Timestamp):
        return known_at
    stamp = Timestamp()
    aware = known_at if known_at.tzinfo else known_at.replace(tzinfo=UTC)
    stamp.FromDatetime(aware.astimezone(UTC))
    return stamp


def payload_json(payload: Mapping[str, Any] | Message | str) -> str:
    """Return a payload as JSON text, from a dict, a generated message, or text as it is."""
    if isinstance(payload, str):
        return payload
    if isinstance(payload, Message):
        payload = json_format.MessageToDict(payload, preserving_proto_field_name=True)
    return json.dumps(payload, ensure_ascii=False)


def proposed_event(event: EventLike) -> es.ProposedEvent:
    """Return an event to append as a ProposedEvent message."""
    if isinstance(event, es.ProposedEvent):
        return event
    event_type = event.get("event_type")
    if not event_type and isinstance(event.get("payload"), Message):
        event_type = event["payload"].DESCRIPTOR.name
    return es.ProposedEvent(
        event_id=str(event.get("event_id") or uuid.uuid4()),
        event_type=str(event_type or ""),
        schema_version=int(event.get("schema_version") or 1),
        payload_json=payload_json(event.get("payload") or {}),
        metadata_json=payload_json(event.get("metadata") or {}),
    )


def as_dict(message: Message) -> dict[str, Any]:
    """Return a message as a plain dict with proto field names (64-bit integers as strings)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)
