"""The envelope of a stored event: which fields of the event and its payload become its leaf."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from newsledger.audit.canonical import (
    LeafEnvelope,
    format_record_micros,
    is_record_time,
    leaf_bytes,
)
from newsledger.audit.envelope_codec import encode_fields, encode_valid_time
from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError, canonical_json
from newsledger.store.records import AppendedEvent, StoredEvent

VALID_TIME_FIELDS = (
    "occurred_start",
    "occurred_end",
    "occurred_precision",
    "announced",
    "effective",
    "expires",
)
"""The members of every envelope's ``valid_time`` object, always all present."""

EMPTY_OBJECT = "{}"
EMPTY_OBJECT_SHA256 = hashlib.sha256(EMPTY_OBJECT.encode()).hexdigest()
"""The SHA-256 of ``{}``, the canonical bytes of an empty object (metadata most often)."""

CORRECTS_FIELD = "corrects"
"""The payload member that names, as a list of event ids, the events an event corrects."""


class EnvelopeError(ValueError):
    """An event cannot become a leaf; ``path`` names the offending member of ``document``.

    ``document`` is ``"payload"`` or ``"metadata"``; ``path`` is a JSON path whose root
    ``$`` is that document.
    """

    def __init__(self, path: str, problem: str, document: str = "payload") -> None:
        """Keep the document and the JSON path apart from the problem."""
        self.path = path
        self.problem = problem
        self.document = document
        super().__init__(f"{document} {path}: {problem}")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _start(reported: Any) -> str | None:
    if not isinstance(reported, Mapping):
        return None
    return _text(reported.get("start_time")) or _text(reported.get("start_date"))


def _end(reported: Any) -> str | None:
    if not isinstance(reported, Mapping):
        return None
    return _text(reported.get("end_time")) or _text(reported.get("end_date"))


def valid_time_of(payload: Mapping[str, Any]) -> dict[str, str | None]:
    """Return the valid-time fields a payload's ``report`` states; null where it states none."""
    report = payload.get("report")
    if not isinstance(report, Mapping):
        return dict.fromkeys(VALID_TIME_FIELDS)
    occurred = report.get("occurred")
    precision = occurred.get("precision") if isinstance(occurred, Mapping) else None
    return {
        "occurred_start": _start(occurred),
        "occurred_end": _end(occurred),
        "occurred_precision": _text(precision),
        "announced": _start(report.get("announced")),
        "effective": _start(report.get("effective")),
        "expires": _start(report.get("expires")),
    }


def corrected_ids_of(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the ids of the events the payload says it corrects (none by default)."""
    named = payload.get(CORRECTS_FIELD)
    if not isinstance(named, list):
        return ()
    return tuple(item for item in named if isinstance(item, str) and item)


def parse_object(text: str, document: str = "payload") -> dict[str, Any]:
    """Parse a stored JSON object (payload or metadata); anything else is an EnvelopeError."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise EnvelopeError("$", f"is not valid JSON: {error}", document) from None
    if type(value) is not dict:
        raise EnvelopeError("$", f"a {document} must be a JSON object", document)
    return value


def _sha256_of(value: dict[str, Any], document: str) -> str:
    try:
        return hashlib.sha256(canonical_json(value, "$")).hexdigest()
    except CanonicalError as error:
        path, _, problem = str(error).partition(": ")
        raise EnvelopeError(path, problem or str(error), document) from None


def _documents(event: StoredEvent) -> tuple[dict[str, Any], str, str]:
    """Return the parsed payload and the SHA-256 of the canonical payload and metadata.

    Each is parsed once and canonicalised once.
    """
    payload = parse_object(event.payload, "payload")
    payload_hash = _sha256_of(payload, "payload")
    if event.metadata == EMPTY_OBJECT:  # most events: skip parsing and encoding "{}"
        return payload, payload_hash, EMPTY_OBJECT_SHA256
    return payload, payload_hash, _sha256_of(parse_object(event.metadata, "metadata"), "metadata")


def envelope_of(event: StoredEvent, log_origin: str) -> LeafEnvelope:
    """Return the leaf envelope of a stored event in the log named ``log_origin``."""
    payload, payload_hash, metadata_hash = _documents(event)
    try:
        return LeafEnvelope(
            log_origin=log_origin,
            sequence_number=event.position,
            record_time=format_record_micros(event.recorded_at_us),
            event_id=str(event.event_id),
            stream=event.stream,
            stream_version=event.stream_version,
            event_type=event.event_type,
            schema_version=event.schema_version,
            valid_time=valid_time_of(payload),
            corrects=corrected_ids_of(payload),
            payload_sha256=payload_hash,
            metadata_sha256=metadata_hash,
        )
    except CanonicalError as error:
        path, _, problem = str(error).partition(": ")
        raise EnvelopeError(path, problem or str(error), "envelope") from None


def leaf_of(event: StoredEvent, log_origin: str) -> bytes:
    """Return the leaf bytes of a stored event: the canonical bytes of its envelope.

    The same bytes as ``leaf_bytes(envelope_of(event, log_origin))``, without building
    and re-checking a LeafEnvelope: every field is checked here as LeafEnvelope checks
    it, or holds by construction (the id is a UUID's text, the digests are hexdigests,
    valid_time and corrects are built from the payload with string values). Anything
    unusual takes the envelope path, which refuses it naming the field.
    """
    payload, payload_hash, metadata_hash = _documents(event)
    leaf = _direct_leaf(event, log_origin, payload, payload_hash, metadata_hash)
    return leaf if leaf is not None else _envelope_leaf(event, log_origin)


def leaf_of_appended(event: AppendedEvent, log_origin: str) -> bytes:
    """Return the leaf bytes of an event just appended: the same bytes as ``leaf_of``.

    When the stored text is known to be the canonical form of the objects it was made
    from, their digests are the digests of the stored text and the envelope's fields are
    read from the objects, so nothing is parsed or encoded again.
    """
    stored = event.stored
    if not event.text_is_canonical:
        return leaf_of(stored, log_origin)
    payload_hash = hashlib.sha256(stored.payload.encode()).hexdigest()
    metadata_hash = (
        EMPTY_OBJECT_SHA256
        if stored.metadata == EMPTY_OBJECT
        else hashlib.sha256(stored.metadata.encode()).hexdigest()
    )
    leaf = _direct_leaf(stored, log_origin, event.payload, payload_hash, metadata_hash)
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
