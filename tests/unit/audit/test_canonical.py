"""The leaf is the JCS encoding of the envelope; floats and unsafe integers never get in."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from newsledger.audit.envelope import (
    LeafEnvelope,
    format_record_micros,
    format_record_time,
)
from newsledger.audit.jcs import CanonicalError, canonical_json
from newsledger.audit.leaf import leaf_bytes
from tests.support.audit import envelope_for


def envelope(**overrides: Any) -> LeafEnvelope:
    """Return a typical envelope, with fields overridden."""
    fields: dict[str, Any] = {
        "log_origin": "example.test/newsledger",
        "sequence_number": 7,
        "record_time": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "event_id": "0b6d3c1e-5a4f-4b8e-9c1d-2e3f4a5b6c7d",
        "stream": "negotiation-42",
        "stream_version": 3,
        "event_type": "ProposalTabled",
        "schema_version": 1,
        "valid_time": {"valid_from": "2024-02-29", "valid_to": None},
        "corrects": [],
        "payload": {"party": "EU", "tariff": "2.3%", "items": [1, 2, {"é": None}]},
        "metadata": {"source_name": "Reuters", "development_id": "d-12"},
    }
    fields.update(overrides)
    return envelope_for(**fields)


def test_leaf_bytes_are_the_exact_canonical_json_of_the_envelope() -> None:
    payload_hash = hashlib.sha256(
        '{"items":[1,2,{"é":null}],"party":"EU","tariff":"2.3%"}'.encode()
    ).hexdigest()
    metadata_hash = hashlib.sha256(b'{"development_id":"d-12","source_name":"Reuters"}').hexdigest()
    expected = (
        '{"corrects":[],"event_id":"0b6d3c1e-5a4f-4b8e-9c1d-2e3f4a5b6c7d",'
        '"event_type":"ProposalTabled","log_origin":"example.test/newsledger",'
        f'"metadata_sha256":"{metadata_hash}",'
        f'"payload_sha256":"{payload_hash}","record_time":"2024-03-01T09:30:00.000000Z",'
        '"schema_version":1,"sequence_number":7,"stream":"negotiation-42","stream_version":3,'
        '"valid_time":{"valid_from":"2024-02-29","valid_to":null}}'
    ).encode()
    assert leaf_bytes(envelope()) == expected


def test_payload_key_order_and_spacing_do_not_change_the_leaf() -> None:
    reordered = json.loads('{ "tariff": "2.3%", "items": [1, 2, {"é": null}], "party": "EU" }')
    assert leaf_bytes(envelope(payload=reordered)) == leaf_bytes(envelope())


def test_record_time_is_converted_to_utc_with_microseconds() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2024, 3, 1, 10, 30, 0, 5, tzinfo=paris)
    assert format_record_time(moment) == "2024-03-01T09:30:00.000005Z"
    with pytest.raises(CanonicalError, match="timezone-aware"):
        format_record_time(datetime(2024, 3, 1))


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"rate": 2.3}, r"\$\.rate"),
        ({"figures": [{"value": 1.0}]}, r"\$\.figures\[0\]\.value"),
        ({"deep": {"list": [1, [2, 0.5]]}}, r"\$\.deep\.list\[1\]\[1\]"),
        ({"nan": float("nan")}, r"\$\.nan"),
    ],
)
def test_a_float_anywhere_in_the_payload_is_refused_naming_its_path(
    payload: dict[str, Any], path: str
) -> None:
    with pytest.raises(CanonicalError, match=path + ": floats are not allowed"):
        canonical_json(payload, "$")


@pytest.mark.parametrize("number", [2**53, -(2**53), 2**64, 10**20])
def test_integers_beyond_2_pow_53_are_refused(number: int) -> None:
    with pytest.raises(CanonicalError, match=r"\$\.count: integer"):
        canonical_json({"count": number}, "$")


def test_the_largest_safe_integers_are_accepted() -> None:
    assert canonical_json({"n": 2**53 - 1, "m": -(2**53 - 1)}, "$") == (
        b'{"m":-9007199254740991,"n":9007199254740991}'
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({1: "x"}, "not a string"),
        ({"b": b"bytes"}, "bytes is not a JSON value"),
        ({"s": "\ud800"}, "lone surrogate"),
        ({"d": {2.5: 1}}, "not a string"),
    ],
)
def test_non_json_values_are_refused(payload: dict[Any, Any], message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        canonical_json(payload, "$")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sequence_number": -1}, "sequence_number"),
        ({"sequence_number": 2**53}, "sequence_number"),
        ({"stream_version": True}, "stream_version"),
        ({"schema_version": 1.0}, "schema_version"),
        ({"event_id": ""}, "event_id"),
        ({"valid_time": {"valid_from": 20240229}}, "valid_time"),
        ({"corrects": [7]}, "corrects"),
    ],
)
def test_envelope_fields_are_validated(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        envelope(**overrides)


def test_a_malformed_record_time_string_is_refused() -> None:
    base = envelope()
    for bad in (
        "2024-03-01T09:30:00Z",
        "2024-03-01 09:30:00.000000Z",
        "2024-02-30T09:30:00.000000Z",
    ):
        with pytest.raises(ValueError):
            dataclasses.replace(base, record_time=bad)


def test_the_metadata_is_part_of_the_leaf() -> None:
    rewritten = envelope(metadata={"source_name": "Reuters", "development_id": "d-13"})
    assert leaf_bytes(rewritten) != leaf_bytes(envelope())
    empty = envelope(metadata={})
    assert f'"metadata_sha256":"{hashlib.sha256(b"{}").hexdigest()}"'.encode() in leaf_bytes(empty)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"weight": 0.5}, r"\$\.weight: floats are not allowed"),
        ({"n": 2**60}, r"\$\.n: integer"),
    ],
)
def test_metadata_outside_the_admitted_json_is_refused(metadata: Any, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        envelope(metadata=metadata)


def test_a_record_time_in_micros_formats_like_a_datetime() -> None:
    moment = datetime(2024, 3, 1, 9, 30, 0, 5, tzinfo=UTC)
    micros = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert format_record_micros(micros) == format_record_time(moment)
    assert format_record_micros(0) == "1970-01-01T00:00:00.000000Z"


def test_envelope_corrections_are_part_of_the_leaf() -> None:
    corrected = envelope(corrects=["a", "b"])
    assert b'"corrects":["a","b"]' in leaf_bytes(corrected)
    assert leaf_bytes(corrected) != leaf_bytes(envelope())
