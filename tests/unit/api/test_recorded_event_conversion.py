"""Events become RecordedEvent messages field by field, exactly as the plain construction would."""

from __future__ import annotations

import uuid

import pytest

from newsledger.api.conversions import recorded_event
from newsledger.domain.events import StoredEvent
from newsledger.store.event_rows import canonical_uuid_text
from newsledger.store.wire_form import page_of_items, response_item
from newsledger.v1 import event_store_pb2 as pb
from tests.support.plain_messages import plain_message

LARGEST_BIGINT = 2**63 - 1
EARLIEST_TIMESTAMP_US = -62_135_596_800 * 1_000_000
LATEST_TIMESTAMP_US = 253_402_300_799 * 1_000_000 + 999_999


def stored(
    *,
    position: int = 7,
    stream_version: int = 3,
    schema_version: int = 1,
    payload: str = '{"n":1}',
    metadata: str = "{}",
    recorded_at_us: int = 1_750_000_000_123_456,
) -> StoredEvent:
    return StoredEvent(
        position=position,
        event_id=uuid.uuid4(),
        stream="negotiation-talks",
        stream_version=stream_version,
        event_type="StatementMade",
        schema_version=schema_version,
        payload=payload,
        metadata=metadata,
        recorded_at_us=recorded_at_us,
    )


EDGE_CASES = {
    "typical": stored(),
    "first event": stored(position=0, stream_version=0, recorded_at_us=0),
    "largest positions": stored(position=LARGEST_BIGINT, stream_version=LARGEST_BIGINT),
    "largest schema version": stored(schema_version=2**32 - 1),
    "unicode payload": stored(
        payload='{"text":"Zoë 北京 \u2028 \U0001f600 e\u0301","\u00e9":"\u0000"}',
        metadata='{"source":"\u0394\u03b5\u03bb\u03c6\u03bf\u03af"}',
    ),
    "empty JSON": stored(payload="", metadata=""),
    "large payload": stored(payload='{"text":"' + "x" * 300_000 + '"}'),
    "a microsecond before 1970": stored(recorded_at_us=-1),
    "long before 1970": stored(recorded_at_us=-1_234_567_890_123_457),
    "a microsecond after 1970": stored(recorded_at_us=1),
    "a whole second": stored(recorded_at_us=1_700_000_000_000_000),
    "earliest timestamp": stored(recorded_at_us=EARLIEST_TIMESTAMP_US),
    "latest timestamp": stored(recorded_at_us=LATEST_TIMESTAMP_US),
}


@pytest.mark.parametrize("event", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_recorded_event_is_the_plain_message(event: StoredEvent) -> None:
    message = recorded_event(event)
    assert message == plain_message(event)
    assert message.SerializeToString(deterministic=True) == plain_message(event).SerializeToString(
        deterministic=True
    )


def test_a_page_of_stored_items_is_the_plain_messages_in_order() -> None:
    events = list(EDGE_CASES.values())
    page = page_of_items([response_item(event) for event in events], "next")
    plain = pb.ReadLogResponse(events=[plain_message(e) for e in events], next_page_token="next")
    assert page == plain.SerializeToString(deterministic=True)


def test_payload_text_is_carried_unchanged() -> None:
    event = EDGE_CASES["unicode payload"]
    [message] = pb.ReadStreamResponse.FromString(response_item(event)).events
    assert message.payload_json == event.payload
    assert message.payload_json.encode() == event.payload.encode()


@pytest.mark.parametrize("micros", [EARLIEST_TIMESTAMP_US - 1, LATEST_TIMESTAMP_US + 1])
def test_a_record_time_a_timestamp_cannot_hold_is_refused_as_before(micros: int) -> None:
    event = stored(recorded_at_us=micros)
    with pytest.raises(ValueError, match="Timestamp is not valid"):
        plain_message(event)
    with pytest.raises(ValueError, match="Timestamp is not valid"):
        recorded_event(event)


SOME_UUID = uuid.UUID("00e3a1b2-9c8d-4e7f-8a6b-5c4d3e2f1a0b")
DIGITS_ONLY_UUID = uuid.UUID("12345678-1234-4234-8234-123456789012")
UUID_SPELLINGS = {
    "hex, as the store writes it on SQLite": SOME_UUID.hex,
    "hex of digits only": DIGITS_ONLY_UUID.hex,
    "upper-case hex": SOME_UUID.hex.upper(),
    "canonical, as PostgreSQL casts it": str(SOME_UUID),
    "upper-case canonical": str(SOME_UUID).upper(),
    "braced": "{" + str(SOME_UUID) + "}",
    "urn": SOME_UUID.urn,
}


@pytest.mark.parametrize("text", UUID_SPELLINGS.values(), ids=UUID_SPELLINGS.keys())
def test_uuid_text_is_what_str_of_the_uuid_gives(text: str) -> None:
    assert canonical_uuid_text(text) == str(uuid.UUID(text))


def test_uuid_text_keeps_null_and_refuses_what_is_not_a_uuid() -> None:
    assert canonical_uuid_text(None) is None
    with pytest.raises(ValueError):
        canonical_uuid_text("not-a-uuid")
