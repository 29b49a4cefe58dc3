"""An event's `newsledger.v1.RecordedEvent` in its protobuf wire form, written at append.

Reads send what was stored. Each event row keeps the event as a *response item*
(`events.response_item`): the serialised ReadLogResponse that holds this one event (its
field 1; the same bytes are a ReadStreamResponse, and a SubscribeResponse, of that event).
ReadLogResponse and ReadStreamResponse carry their events as a repeated field 1, and
protobuf reads concatenated messages as one (repeated fields append), so a page of the log
is its rows' items joined, then the page token: no message is built per event. (Joined
items are not a SubscribeResponse: there field 1 is a single event.) The
`RecordedEvent` inside is what the generated class serialises for the same fields (fields in
number order, proto3 defaults left out, the record time a Timestamp); the store writes it by
hand so that it does not depend on the API's generated code.

Fast path: `response_item`, `page_of_items`. Reference: the messages
`newsledger.api.conversions.recorded_event` builds, serialised. Equivalence test:
tests/unit/test_wire_form.py (hypothesis over every field's range, and a check that the
proto's RecordedEvent still has exactly `FIELDS`: a changed message needs a new
`WIRE_FORM_VERSION` and a migration that rewrites the column).
"""

from __future__ import annotations

from collections.abc import Iterable

from newsledger.domain.events import StoredEvent

WIRE_FORM_VERSION = 1
"""Raised, with a migration that rewrites every row's message, when RecordedEvent changes."""

FIELDS = (
    (1, "event_id", "string"),
    (2, "stream", "string"),
    (3, "stream_version", "optional uint64"),
    (4, "position", "optional uint64"),
    (5, "event_type", "string"),
    (6, "schema_version", "uint32"),
    (7, "payload_json", "string"),
    (8, "metadata_json", "string"),
    (9, "record_time", "google.protobuf.Timestamp"),
)
"""RecordedEvent's fields as this module writes them: number, name, type."""

_TWO_TO_THE_64 = 1 << 64


def _encode_varint(value: int) -> bytes:
    if value < 0:
        value += _TWO_TO_THE_64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_KEPT = 1 << 14
_VARINTS = [_encode_varint(n) for n in range(_KEPT)]
"""The varints of 0 .. 2**14 - 1 (one or two bytes): lengths, versions, small positions."""


def varint(value: int) -> bytes:
    """Return an unsigned (or two's-complement 64-bit, if negative) protobuf varint."""
    if 0 <= value < _KEPT:
        return _VARINTS[value]
    return _encode_varint(value)


def _text(tag: bytes, value: str) -> bytes:
    if not value:
        return b""
    data = value.encode()
    size = len(data)
    return tag + (_VARINTS[size] if size < _KEPT else _encode_varint(size)) + data


def _timestamp(recorded_at_us: int) -> bytes:
    """Return field 9, the record time as a Timestamp (seconds 1, nanos 2)."""
    seconds, micros = divmod(recorded_at_us, 1_000_000)
    body = (b"\x08" + varint(seconds) if seconds else b"") + (
        b"\x10" + varint(micros * 1000) if micros else b""
    )
    return b"\x4a" + _VARINTS[len(body)] + body


_last_time: tuple[int, bytes] = (0, _timestamp(0))
"""The latest record time encoded: every event of a batch shares one."""


def recorded_message(
    position: int,
    event_id: str,
    stream: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    payload: str,
    metadata: str,
    recorded_at_us: int,
) -> bytes:
    """Return the serialised RecordedEvent of an event row (its id as canonical UUID text)."""
    global _last_time
    kept_us, time = _last_time
    if kept_us != recorded_at_us:
        time = _timestamp(recorded_at_us)
        _last_time = (recorded_at_us, time)
    return b"".join(
        (
            _text(b"\x0a", event_id),
            _text(b"\x12", stream),
            b"\x18",
            _VARINTS[stream_version] if 0 <= stream_version < _KEPT else varint(stream_version),
            b"\x20",
            varint(position),
            _text(b"\x2a", event_type),
            b"\x30" + varint(schema_version) if schema_version else b"",
            _text(b"\x3a", payload),
            _text(b"\x42", metadata),
            time,
        )
    )


def as_response_item(message: bytes) -> bytes:
    """Return a serialised RecordedEvent as field 1 of a response: the event's response item."""
    size = len(message)
    return b"\x0a" + (_VARINTS[size] if size < _KEPT else _encode_varint(size)) + message


def response_item(event: StoredEvent) -> bytes:
    """Return a stored event's response item: its RecordedEvent as a response's field 1."""
    return as_response_item(
        recorded_message(
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
    )


def page_of_items(items: Iterable[bytes], next_page_token: str) -> bytes:
    """Return a serialised ReadLogResponse or ReadStreamResponse: the items, then the token."""
    return b"".join([*items, _text(b"\x12", next_page_token)])
