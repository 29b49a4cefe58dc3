"""Python values a client passes in: dates, instants, and events as dicts or messages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
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


Instant = datetime | date | str | Timestamp
"""An instant a client passes as known_at or reported_by: a datetime (naive means UTC), a
date (the end of that day, UTC, as the command line reads one), an RFC 3339 text or a
YYYY-MM-DD text, or a Timestamp."""


def timestamp(when: Instant | None) -> Timestamp | None:
    """Return an instant as a Timestamp; None stays None (the server's default)."""
    if when is None or isinstance(when, Timestamp):
        return when
    if isinstance(when, str):
        when = _parse_instant(when)
    if not isinstance(when, datetime):
        when = datetime.combine(when, time.max, tzinfo=UTC)
    stamp = Timestamp()
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    stamp.FromDatetime(aware.astimezone(UTC))
    return stamp


def _parse_instant(text: str) -> datetime | date:
    """Read an RFC 3339 instant or a YYYY-MM-DD date; ValueError names the text otherwise."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        stamp = Timestamp()
        stamp.FromJsonString(text)
        return stamp.ToDatetime(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{text!r} is neither an RFC 3339 instant nor a date YYYY-MM-DD") from None


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
