"""The stored wire form of an event is, byte for byte, what the API's conversion serialises.

Reads send `events.response_item` as it is, so the RecordedEvent inside must equal
`conversions.recorded_event(event).SerializeToString()` for every value a row can hold, and
a page joined from stored items must equal the response message built field by field, for
each response that carries events (a SubscribeResponse of one event included).
If RecordedEvent gains or changes a field, `test_the_wire_form_knows_every_field` fails:
raise WIRE_FORM_VERSION and add a migration that rewrites the stored response items.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.api import conversions
from newsledger.domain.events import StoredEvent
from newsledger.store.wire_form import (
    FIELDS,
    page_of_items,
    recorded_message,
    response_item,
    varint,
)
from newsledger.v1 import event_store_pb2 as pb

pytestmark = pytest.mark.equivalence

# Record times a Timestamp can hold: years 1 to 9999.
EARLIEST_US = -62_135_596_800 * 1_000_000
LATEST_US = 253_402_300_799 * 1_000_000 + 999_999

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
events = st.builds(
    StoredEvent,
    position=st.integers(0, 2**63 - 1) | st.integers(0, 300),
    event_id=st.uuids(),
    stream=texts,
    stream_version=st.integers(0, 2**63 - 1) | st.integers(0, 300),
    event_type=texts,
    schema_version=st.integers(0, 2**32 - 1) | st.sampled_from([0, 1, 2]),
    payload=texts | st.just("{}"),
    metadata=texts | st.just(""),
    recorded_at_us=st.integers(EARLIEST_US, LATEST_US)
    | st.sampled_from([0, 1, -1, 999_999, 1_000_000, -1_000_000, 1_750_000_000_123_456]),
)


def stored_message(event: StoredEvent) -> bytes:
    return recorded_message(
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


@settings(max_examples=400)
@given(events)
def test_the_stored_message_is_the_serialised_recorded_event(event: StoredEvent) -> None:
    message = conversions.recorded_event(event)
    assert stored_message(event) == message.SerializeToString()
    assert response_item(event) == pb.SubscribeResponse(event=message).SerializeToString()


@settings(max_examples=100)
@given(st.lists(events, max_size=6), texts)
def test_a_page_of_stored_items_is_the_serialised_response(
    page: list[StoredEvent], token: str
) -> None:
    for response_type in (pb.ReadLogResponse, pb.ReadStreamResponse):
        expected = response_type(next_page_token=token)
        expected.events.extend(conversions.recorded_event(event) for event in page)
        joined = page_of_items([response_item(event) for event in page], token)
        assert joined == expected.SerializeToString()
        assert response_type.FromString(joined) == expected


def test_a_non_ascii_event_is_counted_in_bytes_not_characters() -> None:
    event = StoredEvent(7, uuid.uuid4(), "négociation-é", 3, "Déclaré", 1, '{"q":"中"}', "{}", 5)
    assert stored_message(event) == conversions.recorded_event(event).SerializeToString()


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**32, 2**63 - 1, 2**64 - 1, -1, -(2**63)])
def test_varints_match_the_protobuf_encoding(value: int) -> None:
    if value < 0:
        message = pb.RecordedEvent()
        message.record_time.seconds = value
        assert b"\x4a" + varint(len(b"\x08" + varint(value))) + b"\x08" + varint(value) == (
            message.SerializeToString()
        )
    else:
        message = pb.RecordedEvent(position=value)
        assert b"\x20" + varint(value) == message.SerializeToString()


def test_the_wire_form_knows_every_field() -> None:
    declared = {
        (field.number, field.name, _type_name(field))
        for field in pb.RecordedEvent.DESCRIPTOR.fields
    }
    assert declared == set(FIELDS)


def _type_name(field: object) -> str:
    message_type = getattr(field, "message_type", None)
    if message_type is not None:
        return str(message_type.full_name)
    names = {9: "string", 4: "uint64", 13: "uint32"}
    name = names[field.type]  # type: ignore[attr-defined]
    return f"optional {name}" if field.has_presence and not message_type else name  # type: ignore[attr-defined]
