"""Leaves of just-appended events, built from the request's objects, equal leaves from the text.

The verifier recomputes every leaf from the stored text; the append path may skip parsing
only where that gives the same bytes.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.leaf import leaf_of, leaf_of_parsed
from newsledger.domain.events import StoredEvent
from newsledger.domain.json_text import MAX_SAFE_INTEGER, is_canonical_value, normalise_json
from tests.unit.audit.test_jcs_fast_path import has_key_at_or_above_e000, json_values

pytestmark = pytest.mark.equivalence

ORIGIN = "newsledger.test/log"
wide_integers = st.integers(-(2**63), 2**63) | st.sampled_from(
    [MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER - 1]
)
members = json_values | wide_integers | st.floats()
objects = st.dictionaries(st.text(max_size=6), members, max_size=6)
reports = st.fixed_dictionaries(
    {
        "report": st.fixed_dictionaries(
            {
                "occurred": st.fixed_dictionaries(
                    {"precision": st.sampled_from(["DATE_PRECISION_DAY", ""])},
                    optional={"start_date": st.sampled_from(["2025-06-10", ""])},
                ),
            },
            optional={"expires": st.fixed_dictionaries({"start_time": st.just("2025-08-12")})},
        )
    },
    optional={
        "corrects": st.lists(st.uuids().map(str), max_size=2)
        | st.lists(st.uuids().map(str), max_size=2).map(tuple),
        "extra": objects,
    },
)


def stored(payload: dict[str, Any], metadata: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        position=12,
        event_id=uuid.UUID(int=12),
        stream="negotiation-x",
        stream_version=3,
        event_type="TalksHeld",
        schema_version=1,
        payload=normalise_json(payload),
        metadata=normalise_json(metadata),
        recorded_at_us=1_750_000_000_000_000,
    )


@settings(max_examples=800, deadline=None)
@given(json_values | wide_integers | st.floats(allow_nan=False))
def test_a_canonical_value_survives_the_text_and_its_text_is_rfc8785(value: Any) -> None:
    if not is_canonical_value(value):
        return
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(text) == value
    assert type(json.loads(text)) is type(value)
    try:
        encoded = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the store refuses the event
        return
    assert encoded == rfc8785.dumps(value)


def test_what_is_not_canonical() -> None:
    assert not is_canonical_value((1, 2))
    assert not is_canonical_value({"a": [1.5]})
    assert not is_canonical_value({"a": MAX_SAFE_INTEGER + 1})
    assert not is_canonical_value({"\ue000": 1})
    assert not is_canonical_value({1: "a"})
    assert is_canonical_value({"a": [1, "b", None, True, {"c": -MAX_SAFE_INTEGER}]})
    assert is_canonical_value({"": ""})
    assert not has_key_at_or_above_e000({"a": 1})


@settings(max_examples=600, deadline=None)
@given(reports, st.dictionaries(st.text(max_size=4), json_values, max_size=3))
def test_the_leaf_from_the_objects_equals_the_leaf_from_the_text(
    payload: dict[str, Any], metadata: dict[str, Any]
) -> None:
    event = stored(payload, metadata)
    try:
        expected: bytes | Exception = leaf_of(event, ORIGIN)
    except ValueError as error:
        expected = error
    try:
        got: bytes | Exception = leaf_of_parsed(event, payload, metadata, ORIGIN)
    except ValueError as error:
        got = error
    if isinstance(expected, Exception):
        assert type(got) is type(expected) and str(got) == str(expected)
    else:
        assert got == expected


def test_a_tuple_of_corrected_ids_is_read_as_the_stored_list_would_be() -> None:
    corrected = str(uuid.UUID(int=5))
    payload = {"corrects": (corrected,)}
    event = stored(payload, {})
    assert leaf_of_parsed(event, payload, {}, ORIGIN) == leaf_of(event, ORIGIN)
    assert corrected.encode() in leaf_of(event, ORIGIN)
