"""The leaf bytes of a validated envelope, written directly instead of by a generic encoder.

The envelope is a JSON object with twelve fixed ASCII member names, so its RFC 8785 form
is a fixed template: members in the order below (ASCII, so code point order and UTF-16
order agree), integers in plain decimal (``LeafEnvelope`` admits only exact ints in
``0 .. 2**53 - 1``) and strings escaped by the C function ``json.dumps`` itself uses
with ``ensure_ascii=False`` (``"``, ``\\`` and U+0000..U+001F escaped exactly as RFC 8785
section 3.2.2.2 says; see ``newsledger.audit.jcs``). ``valid_time`` is written the same
way when all its names are ASCII (by a fixed template for the six names newsledger
uses). Anything else returns None and goes through the general canonical encoder; tests
compare both with the reference ``rfc8785`` package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsledger.audit.canonical import LeafEnvelope

MEMBER_ORDER = (
    "corrects",
    "event_id",
    "event_type",
    "log_origin",
    "metadata_sha256",
    "payload_sha256",
    "record_time",
    "schema_version",
    "sequence_number",
    "stream",
    "stream_version",
    "valid_time",
)
"""The envelope's members in RFC 8785 order: the order ``encode_envelope`` writes them."""


STANDARD_VALID_TIME = frozenset(
    {"occurred_start", "occurred_end", "occurred_precision", "announced", "effective", "expires"}
)
"""The names newsledger always gives ``valid_time``; written by a fixed template."""


def _string_or_null(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def encode_valid_time(valid_time: Mapping[str, str | None]) -> str | None:
    """Return the RFC 8785 text of a valid-time object, or None if a name is not ASCII."""
    if valid_time.keys() == STANDARD_VALID_TIME:
        return (
            f'{{"announced":{_string_or_null(valid_time["announced"])}'
            f',"effective":{_string_or_null(valid_time["effective"])}'
            f',"expires":{_string_or_null(valid_time["expires"])}'
            f',"occurred_end":{_string_or_null(valid_time["occurred_end"])}'
            f',"occurred_precision":{_string_or_null(valid_time["occurred_precision"])}'
            f',"occurred_start":{_string_or_null(valid_time["occurred_start"])}}}'
        )
    if not all(key.isascii() for key in valid_time):
        return None
    members = [
        encode_basestring(key) + ":" + _string_or_null(value)
        for key, value in sorted(valid_time.items())
    ]
    return "{" + ",".join(members) + "}"


def encode_fields(
    *,
    corrects: Sequence[str],
    event_id: str,
    event_type: str,
    log_origin: str,
    metadata_sha256: str,
    payload_sha256: str,
    record_time: str,
    schema_version: int,
    sequence_number: int,
    stream: str,
    stream_version: int,
    valid_time_json: str,
) -> bytes | None:
    """Return the leaf bytes of envelope fields already checked as ``LeafEnvelope`` does.

    ``valid_time_json`` comes from :func:`encode_valid_time`. None means a string holds
    a lone surrogate: the general encoder then names it.
    """
    text = (
        f'{{"corrects":[{",".join(map(encode_basestring, corrects))}]'
        f',"event_id":{encode_basestring(event_id)}'
        f',"event_type":{encode_basestring(event_type)}'
        f',"log_origin":{encode_basestring(log_origin)}'
        f',"metadata_sha256":{encode_basestring(metadata_sha256)}'
        f',"payload_sha256":{encode_basestring(payload_sha256)}'
        f',"record_time":{encode_basestring(record_time)}'
        f',"schema_version":{schema_version:d}'
        f',"sequence_number":{sequence_number:d}'
        f',"stream":{encode_basestring(stream)}'
        f',"stream_version":{stream_version:d}'
        f',"valid_time":{valid_time_json}}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def encode_envelope(envelope: LeafEnvelope) -> bytes | None:
    """Return the RFC 8785 bytes of a validated envelope, or None to use the general encoder."""
    valid_time_json = encode_valid_time(envelope.valid_time)
    if valid_time_json is None:
        return None
    return encode_fields(
        corrects=envelope.corrects,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        log_origin=envelope.log_origin,
        metadata_sha256=envelope.metadata_sha256,
        payload_sha256=envelope.payload_sha256,
        record_time=envelope.record_time,
        schema_version=envelope.schema_version,
        sequence_number=envelope.sequence_number,
        stream=envelope.stream,
        stream_version=envelope.stream_version,
        valid_time_json=valid_time_json,
    )
