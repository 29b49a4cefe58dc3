"""The envelope template writes exactly the bytes of the reference RFC 8785 encoder."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.envelope import EnvelopeError, LeafEnvelope, envelope_of, format_record_time
from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError
from newsledger.audit.leaf import MEMBER_ORDER, encode_envelope, leaf_bytes, leaf_of
from newsledger.domain.events import StoredEvent
from newsledger.domain.json_text import normalise_json
from tests.unit.audit.test_jcs_fast_path import TRICKY

pytestmark = pytest.mark.equivalence

characters = st.characters(exclude_categories=["Cs"]) | st.sampled_from(TRICKY)
texts = st.text(characters, min_size=1, max_size=10)
counts = st.integers(0, MAX_SAFE_INTEGER) | st.sampled_from([0, 1, MAX_SAFE_INTEGER])
digests = st.text("0123456789abcdef", min_size=64, max_size=64)
times = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
).map(format_record_time)
envelopes = st.builds(
    LeafEnvelope,
    log_origin=texts,
    sequence_number=counts,
    record_time=times,
    event_id=texts,
    stream=texts,
    stream_version=counts,
    event_type=texts,
    schema_version=counts,
    valid_time=st.dictionaries(
        st.text(characters, max_size=6) | st.sampled_from(["occurred_start", "expires"]),
        st.none() | st.text(characters, max_size=8),
        max_size=6,
    ),
    corrects=st.lists(st.text(characters, max_size=8), max_size=3).map(tuple),
    payload_sha256=digests,
    metadata_sha256=digests,
)


@settings(max_examples=1500, deadline=None)
@given(envelopes)
def test_the_leaf_of_any_envelope_equals_rfc8785_of_its_json_object(
    envelope: LeafEnvelope,
) -> None:
    assert leaf_bytes(envelope) == rfc8785.dumps(envelope.to_json_object())


@settings(max_examples=500, deadline=None)
@given(envelopes)
def test_the_template_answers_whenever_the_valid_time_names_are_ascii(
    envelope: LeafEnvelope,
) -> None:
    fast = encode_envelope(envelope)
    if all(key.isascii() for key in envelope.valid_time):
        assert fast == rfc8785.dumps(envelope.to_json_object())
    else:
        assert fast is None


def test_the_template_writes_every_member_in_utf16_order() -> None:
    names = {f.name for f in dataclasses.fields(LeafEnvelope)}
    assert set(MEMBER_ORDER) == names and len(MEMBER_ORDER) == 12
    assert list(MEMBER_ORDER) == sorted(names, key=lambda name: name.encode("utf-16-be"))


def sample(**overrides: Any) -> LeafEnvelope:
    """Return a valid envelope with some fields replaced."""
    fields: dict[str, Any] = {
        "log_origin": "example.test/log",
        "sequence_number": 3,
        "record_time": "2025-06-11T09:30:00.000001Z",
        "event_id": "e-3",
        "stream": "negotiation-x",
        "stream_version": 0,
        "event_type": "TalksHeld",
        "schema_version": 1,
        "valid_time": {"expires": None},
        "corrects": (),
        "payload_sha256": "0" * 64,
        "metadata_sha256": "f" * 64,
    }
    return LeafEnvelope(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"stream": "s\ud800"}, r"\$\.stream: string holds a lone surrogate"),
        ({"corrects": ("\udfff",)}, r"\$\.corrects\[0\]: string holds a lone surrogate"),
        ({"valid_time": {"expires": "\ud800"}}, r"\$\.valid_time\.expires: string holds"),
    ],
)
def test_a_lone_surrogate_in_an_envelope_is_refused_naming_the_member(
    overrides: dict[str, Any], path: str
) -> None:
    envelope = sample(**overrides)
    assert encode_envelope(envelope) is None
    with pytest.raises(CanonicalError, match=path):
        leaf_bytes(envelope)


reported = st.fixed_dictionaries(
    {},
    optional={
        "start_date": st.text(characters, max_size=10),
        "start_time": st.text(characters, max_size=10) | st.integers(0, 9),
        "end_date": st.text(characters, max_size=10),
        "precision": st.sampled_from(["DATE_PRECISION_DAY", ""]),
    },
)
payloads = st.fixed_dictionaries(
    {"n": counts, "text": st.text(characters, max_size=20)},
    optional={
        "report": st.fixed_dictionaries(
            {}, optional={"occurred": reported, "announced": reported, "expires": reported}
        ),
        "corrects": st.lists(st.text(characters, max_size=6) | st.integers(0, 3), max_size=3),
        "\ue000": st.booleans(),
        "\U0001f600": st.none(),
    },
)
metadata: st.SearchStrategy[dict[str, str]] = st.just({}) | st.dictionaries(
    st.text(characters, max_size=6), texts, max_size=3
)
stored_events = st.builds(
    StoredEvent,
    position=counts,
    event_id=st.uuids(),
    stream=texts,
    stream_version=counts,
    event_type=texts,
    schema_version=counts,
    payload=payloads.map(normalise_json),
    metadata=metadata.map(normalise_json),
    recorded_at_us=st.integers(-(10**16), 253402300799999999),  # years 1653 to 9999
)


@settings(max_examples=1000, deadline=None)
@given(stored_events, texts)
def test_the_live_leaf_of_a_stored_event_equals_its_envelopes_canonical_bytes(
    event: StoredEvent, origin: str
) -> None:
    envelope = envelope_of(event, origin)
    assert leaf_of(event, origin) == leaf_bytes(envelope)
    assert leaf_of(event, origin) == rfc8785.dumps(envelope.to_json_object())


def stored(**overrides: Any) -> StoredEvent:
    """Return a stored event with some columns replaced."""
    columns: dict[str, Any] = {
        "position": 4,
        "event_id": uuid.UUID(int=4),
        "stream": "s",
        "stream_version": 0,
        "event_type": "Noted",
        "schema_version": 1,
        "payload": '{"n":1}',
        "metadata": "{}",
        "recorded_at_us": 0,
    }
    return StoredEvent(**{**columns, **overrides})


@pytest.mark.parametrize(
    ("overrides", "document", "path"),
    [
        ({"stream": ""}, "envelope", "$.stream"),
        ({"position": -1}, "envelope", "$.sequence_number"),
        ({"schema_version": 2**53}, "envelope", "$.schema_version"),
        ({"recorded_at_us": -(10**17)}, "envelope", "$.record_time"),
        ({"recorded_at_us": 253402300800000000}, "envelope", "$.record_time"),
        ({"event_type": "T\ud800"}, "envelope", "$.event_type"),
        ({"payload": '{"a":[1.5]}'}, "payload", "$.a[0]"),
        ({"metadata": '{"w":1e3}'}, "metadata", "$.w"),
        ({"metadata": "[]"}, "metadata", "$"),
    ],
)
def test_the_live_path_refuses_what_the_envelope_refuses_naming_the_field(
    overrides: dict[str, Any], document: str, path: str
) -> None:
    event = stored(**overrides)
    with pytest.raises(EnvelopeError) as refused:
        leaf_of(event, "example.test/log")
    assert (refused.value.document, refused.value.path) == (document, path)
