"""The batch template writes the same leaf bytes as the reference, event by event.

Reference: ``leaf_of_parsed`` (and through it ``leaf_of``, the leaf from the stored text).
The audit log's hashes depend on every byte, so any difference fails here.
"""

from __future__ import annotations

import uuid
from json.encoder import encode_basestring
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.batch_leaves import BatchLeaves, corrects_json, valid_time_json
from newsledger.audit.envelope import corrected_ids_of, valid_time_of
from newsledger.audit.leaf import encode_valid_time, leaf_of_parsed
from newsledger.domain.events import StoredEvent
from newsledger.domain.json_text import MAX_SAFE_INTEGER, is_canonical_value, normalise_json
from tests.unit.audit.test_jcs_fast_path import json_values, strings

pytestmark = pytest.mark.equivalence

ORIGIN = "newsledger.test/log"
odd_texts = strings | st.sampled_from(["", "\ud800", "é", '"', "\\", "\x00", "\u2028"])
maybe_text = odd_texts | st.none() | st.integers(0, 3) | st.lists(odd_texts, max_size=1)
instants = st.fixed_dictionaries(
    {},
    optional={
        "start_time": maybe_text,
        "start_date": maybe_text,
        "end_time": maybe_text,
        "end_date": maybe_text,
        "precision": maybe_text,
    },
)
reported = instants | maybe_text
reports = st.fixed_dictionaries(
    {},
    optional={
        "occurred": reported,
        "announced": reported,
        "effective": reported,
        "expires": reported,
        "other": json_values,
    },
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "report": reports | maybe_text,
        "corrects": st.lists(odd_texts | st.uuids().map(str) | st.integers(0, 2), max_size=3)
        | odd_texts
        | st.none(),
        "extra": json_values,
    },
)
metadata = st.dictionaries(strings, json_values, max_size=3)
names = odd_texts | st.sampled_from(["negotiation-x", "TalksHeld"])
LAST_MICROS = 253_402_300_799_999_999
micros = st.integers(0, 2**62) | st.sampled_from([0, 1_750_000_000_000_000, LAST_MICROS])
counts = st.integers(-1, MAX_SAFE_INTEGER + 1) | st.integers(0, 20)


def leaf_or_error(make: Any) -> bytes | tuple[type, str]:
    try:
        return bytes(make())
    except Exception as error:  # the same refusal, with the same words, is what counts
        return type(error), str(error)


@settings(max_examples=1500, deadline=None)
@given(
    payloads,
    metadata,
    st.sampled_from([ORIGIN, "", "é/log"]),
    names,
    names,
    micros,
    counts,
    counts,
    counts,
    st.sampled_from([True, False, None]),
    st.booleans(),
)
def test_the_template_leaf_equals_the_reference_leaf(
    payload: dict[str, Any],
    meta: dict[str, Any],
    origin: str,
    stream: str,
    event_type: str,
    recorded_at_us: int,
    position: int,
    version: int,
    schema: int,
    canonical_hint: bool | None,
    same_batch: bool,
) -> None:
    canonical = (
        is_canonical_value(payload) and is_canonical_value(meta)
        if canonical_hint is not None
        else None
    )
    stored = StoredEvent(
        position=position,
        event_id=uuid.UUID(int=position & 0xFFFF),
        stream=stream,
        stream_version=version,
        event_type=event_type,
        schema_version=schema,
        payload=normalise_json(payload),
        metadata=normalise_json(meta),
        recorded_at_us=recorded_at_us,
    )
    batch_stream, batch_micros = (stream, recorded_at_us) if same_batch else ("other", 0)
    template = BatchLeaves(origin, batch_stream, batch_micros)
    expected = leaf_or_error(lambda: leaf_of_parsed(stored, payload, meta, origin, canonical))
    assert leaf_or_error(lambda: template.leaf(stored, payload, meta, canonical)) == expected
    # A second event of the batch uses the template's cached pieces.
    assert leaf_or_error(lambda: template.leaf(stored, payload, meta, canonical)) == expected


@settings(max_examples=1500, deadline=None)
@given(payloads)
def test_the_valid_time_and_corrects_text_equal_the_envelope_objects_encoded(
    payload: dict[str, Any],
) -> None:
    assert valid_time_json(payload) == encode_valid_time(valid_time_of(payload))
    assert corrects_json(payload) == ",".join(map(encode_basestring, corrected_ids_of(payload)))
