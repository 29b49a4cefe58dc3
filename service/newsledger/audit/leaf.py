"""The leaf: the RFC 8785 (JCS) bytes of an event's envelope, and the fast way to write them.

The reference is ``reference_leaf_bytes``: the envelope as a JSON object, canonicalised by
``newsledger.audit.jcs``. The envelope has twelve fixed ASCII member names, so its RFC 8785
form is also a fixed template: members in the order of ``MEMBER_ORDER`` (ASCII, so code
point order and UTF-16 order agree), integers in plain decimal (the envelope admits only
exact ints in ``0 .. 2**53 - 1``) and strings escaped by the C function ``json.dumps``
itself uses with ``ensure_ascii=False`` (``"``, ``\\`` and U+0000..U+001F escaped exactly as
RFC 8785 section 3.2.2.2 says). Every leaf the service writes or checks goes through that
template (``encode_fields``), and anything it cannot write (a non-ASCII valid-time name, a
lone surrogate, a field out of range) goes through the reference, which refuses it naming
the field. ``tests/unit/audit/test_leaf_encoding.py`` checks the template against the
reference and the ``rfc8785`` package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from newsledger.audit.envelope import (
    EMPTY_OBJECT,
    EMPTY_OBJECT_SHA256,
    EnvelopeError,
    LeafEnvelope,
    corrected_ids_of,
    digests_of,
    envelope_of,
    format_record_micros,
    is_record_time,
    valid_time_of,
)
from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError, canonical_json
from newsledger.domain.events import StoredEvent
from newsledger.domain.json_text import is_canonical_value

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


def reference_leaf_bytes(envelope: LeafEnvelope) -> bytes:
    """Return the leaf by the reference encoder: RFC 8785 of the envelope's JSON object."""
    return canonical_json(envelope.to_json_object(), "$")


def encode_envelope(envelope: LeafEnvelope) -> bytes | None:
    """Return the template's bytes of a validated envelope, or None to use the reference."""
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


def leaf_bytes(envelope: LeafEnvelope) -> bytes:
    """Return the leaf of a validated envelope: the template's bytes, else the reference's."""
    fast = encode_envelope(envelope)
    return fast if fast is not None else reference_leaf_bytes(envelope)


def leaf_of(event: StoredEvent, log_origin: str) -> bytes:
    """Return the leaf bytes of a stored event: the canonical bytes of its envelope.

    The same bytes as ``leaf_bytes(envelope_of(event, log_origin))``, without building
    and re-checking a LeafEnvelope: every field is checked here as LeafEnvelope checks
    it, or holds by construction (the id is a UUID's text, the digests are hexdigests,
    valid_time and corrects are built from the payload with string values). Anything
    unusual takes the envelope path, which refuses it naming the field.
    """
    payload, payload_hash, metadata_hash = digests_of(event)
    leaf = _direct_leaf(event, log_origin, payload, payload_hash, metadata_hash)
    return leaf if leaf is not None else _envelope_leaf(event, log_origin)


def leaf_of_parsed(
    stored: StoredEvent,
    payload: Mapping[str, Any],
    metadata: Mapping[str, Any],
    log_origin: str,
    canonical: bool | None = None,
) -> bytes:
    """Return the leaf bytes of a stored event whose text was made from these objects.

    The same bytes as ``leaf_of(stored, log_origin)``. When the stored text is the
    canonical form of the objects (see ``is_canonical_value``), their digests are the
    digests of the stored text and the envelope's fields are read from the objects, so
    nothing is parsed or encoded again (an append has the objects at hand). ``canonical``
    is that answer when the caller has it already (the store decides it as it writes).
    """
    if canonical is None:
        canonical = is_canonical_value(payload) and is_canonical_value(metadata)
    if not canonical:
        return leaf_of(stored, log_origin)
    payload_hash = hashlib.sha256(stored.payload.encode()).hexdigest()
    metadata_hash = (
        EMPTY_OBJECT_SHA256
        if stored.metadata == EMPTY_OBJECT
        else hashlib.sha256(stored.metadata.encode()).hexdigest()
    )
    leaf = _direct_leaf(stored, log_origin, payload, payload_hash, metadata_hash)
    return leaf if leaf is not None else _envelope_leaf(stored, log_origin)


def _direct_leaf(
    event: StoredEvent,
    log_origin: str,
    payload: Mapping[str, Any],
    payload_hash: str,
    metadata_hash: str,
) -> bytes | None:
    """Return the leaf written directly, or None when the envelope path must decide."""
    position, version, schema = event.position, event.stream_version, event.schema_version
    try:
        record_time = format_record_micros(event.recorded_at_us)
    except CanonicalError:
        return None
    if not (
        type(log_origin) is str
        and log_origin
        and type(event.stream) is str
        and event.stream
        and type(event.event_type) is str
        and event.event_type
        and type(position) is int
        and 0 <= position <= MAX_SAFE_INTEGER
        and type(version) is int
        and 0 <= version <= MAX_SAFE_INTEGER
        and type(schema) is int
        and 0 <= schema <= MAX_SAFE_INTEGER
        and is_record_time(record_time)
    ):
        return None
    valid_time_json = encode_valid_time(valid_time_of(payload))
    if valid_time_json is None:
        return None
    return encode_fields(
        corrects=corrected_ids_of(payload),
        event_id=str(event.event_id),
        event_type=event.event_type,
        log_origin=log_origin,
        metadata_sha256=metadata_hash,
        payload_sha256=payload_hash,
        record_time=record_time,
        schema_version=schema,
        sequence_number=position,
        stream=event.stream,
        stream_version=version,
        valid_time_json=valid_time_json,
    )


def _envelope_leaf(event: StoredEvent, log_origin: str) -> bytes:
    """Return ``leaf_bytes(envelope_of(…))``, any refusal as an EnvelopeError."""
    envelope = envelope_of(event, log_origin)
    try:
        return leaf_bytes(envelope)
    except CanonicalError as error:
        path, _, problem = str(error).partition(": ")
        raise EnvelopeError(path, problem or str(error), "envelope") from None
