"""The canonical leaf: RFC 8785 (JCS) bytes of an event envelope; floats and big ints refused."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from newsledger.audit.envelope_codec import encode_envelope
from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError, canonical_json

__all__ = [
    "MAX_SAFE_INTEGER",
    "CanonicalError",
    "LeafEnvelope",
    "canonical_json",
    "canonical_object",
    "canonical_payload",
    "format_record_micros",
    "format_record_time",
    "is_record_time",
    "leaf_bytes",
    "object_sha256",
    "payload_sha256",
]

_RECORD_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_SHA256_HEX = re.compile(r"[0-9a-f]{64}", re.ASCII)
_RECORD_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TEXT_FIELDS = ("log_origin", "event_id", "stream", "event_type")
_INTEGER_FIELDS = ("sequence_number", "stream_version", "schema_version")
_DIGEST_FIELDS = ("payload_sha256", "metadata_sha256")


def canonical_object(value: Mapping[str, Any], what: str = "payload") -> bytes:
    """Return the RFC 8785 canonical bytes of a JSON object (``what`` names it in errors)."""
    if not isinstance(value, Mapping):
        raise CanonicalError(f"$: a {what} must be a JSON object, got {type(value).__name__}")
    return canonical_json(value, "$")


def canonical_payload(payload: Mapping[str, Any]) -> bytes:
    """Return the RFC 8785 canonical bytes of an event payload (a JSON object)."""
    return canonical_object(payload, "payload")


def object_sha256(value: Mapping[str, Any], what: str = "payload") -> str:
    """Return the lowercase hex SHA-256 of a JSON object's canonical bytes."""
    return hashlib.sha256(canonical_object(value, what)).hexdigest()


def payload_sha256(payload: Mapping[str, Any]) -> str:
    """Return the lowercase hex SHA-256 of the canonical payload bytes."""
    return object_sha256(payload, "payload")


def format_record_time(moment: datetime) -> str:
    """Return ``moment`` as RFC 3339 UTC with exactly six fractional digits and ``Z``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CanonicalError("record time must be timezone-aware")
    return moment.astimezone(UTC).strftime(_RECORD_TIME_FORMAT)


@lru_cache(maxsize=256)
def format_record_micros(micros: int) -> str:
    """Return the record time ``micros`` after the epoch as ``format_record_time`` does.

    Cached: the events of one append share one record time.
    """
    try:
        return format_record_time(_EPOCH + timedelta(microseconds=micros))
    except OverflowError:
        raise CanonicalError(f"$.record_time: {micros} microseconds is out of range") from None


@lru_cache(maxsize=256)
def is_record_time(text: str) -> bool:
    """Tell whether ``text`` is a real instant in the record-time format (cached)."""
    if not _RECORD_TIME.fullmatch(text):
        return False
    try:
        datetime.strptime(text, _RECORD_TIME_FORMAT)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class LeafEnvelope:
    """The fields of one log leaf, exactly as they are canonicalised and hashed."""

    log_origin: str
    sequence_number: int
    record_time: str
    event_id: str
    stream: str
    stream_version: int
    event_type: str
    schema_version: int
    valid_time: Mapping[str, str | None] = field(hash=False)
    corrects: tuple[str, ...]
    payload_sha256: str
    metadata_sha256: str

    def __post_init__(self) -> None:
        """Reject field values that the spec does not allow."""
        if not self._is_valid():
            self._explain_invalid()

    def _is_valid(self) -> bool:
        """Tell, in one straight pass, whether every field is allowed (the common case)."""
        lo, hi = 0, MAX_SAFE_INTEGER
        return (
            type(self.log_origin) is str
            and self.log_origin != ""
            and type(self.event_id) is str
            and self.event_id != ""
            and type(self.stream) is str
            and self.stream != ""
            and type(self.event_type) is str
            and self.event_type != ""
            and type(self.sequence_number) is int
            and lo <= self.sequence_number <= hi
            and type(self.stream_version) is int
            and lo <= self.stream_version <= hi
            and type(self.schema_version) is int
            and lo <= self.schema_version <= hi
            and type(self.record_time) is str
            and is_record_time(self.record_time)
            and isinstance(self.valid_time, Mapping)
            and all(
                type(key) is str and (value is None or type(value) is str)
                for key, value in self.valid_time.items()
            )
            and type(self.corrects) is tuple
            and all(type(c) is str for c in self.corrects)
            and type(self.payload_sha256) is str
            and _SHA256_HEX.fullmatch(self.payload_sha256) is not None
            and type(self.metadata_sha256) is str
            and _SHA256_HEX.fullmatch(self.metadata_sha256) is not None
        )

    def _explain_invalid(self) -> None:
        """Raise CanonicalError naming the first field that is not allowed."""
        texts = (self.log_origin, self.event_id, self.stream, self.event_type)
        for name, text in zip(_TEXT_FIELDS, texts, strict=True):
            if type(text) is not str or not text:
                raise CanonicalError(f"$.{name}: must be a non-empty string")
        numbers = (self.sequence_number, self.stream_version, self.schema_version)
        for name, number in zip(_INTEGER_FIELDS, numbers, strict=True):
            if type(number) is not int or not 0 <= number <= MAX_SAFE_INTEGER:
                raise CanonicalError(
                    f"$.{name}: must be an integer in [0, 2**53 - 1], got {number!r}"
                )
        if type(self.record_time) is not str or not is_record_time(self.record_time):
            raise CanonicalError(
                "$.record_time: must be a real time like 2024-01-31T12:00:00.000000Z, "
                f"got {self.record_time!r}"
            )
        if not isinstance(self.valid_time, Mapping):
            raise CanonicalError("$.valid_time: must be an object")
        for key, value in self.valid_time.items():
            if type(key) is not str or not (value is None or type(value) is str):
                raise CanonicalError(f"$.valid_time.{key}: must be a string or null")
        if type(self.corrects) is not tuple or not all(type(c) is str for c in self.corrects):
            raise CanonicalError("$.corrects: must be a tuple of event id strings")
        digests = (self.payload_sha256, self.metadata_sha256)
        for name, digest in zip(_DIGEST_FIELDS, digests, strict=True):
            if type(digest) is not str or not _SHA256_HEX.fullmatch(digest):
                raise CanonicalError(f"$.{name}: must be 64 lowercase hex digits")
        raise CanonicalError("$: the envelope is not valid")  # unreachable: _is_valid agrees

    @classmethod
    def for_event(
        cls,
        *,
        log_origin: str,
        sequence_number: int,
        record_time: datetime,
        event_id: str,
        stream: str,
        stream_version: int,
        event_type: str,
        schema_version: int,
        valid_time: Mapping[str, str | None],
        corrects: Sequence[str],
        payload: Mapping[str, Any],
        metadata: Mapping[str, Any],
    ) -> LeafEnvelope:
        """Build the envelope of an event, hashing its canonical payload and metadata."""
        return cls(
            log_origin=log_origin,
            sequence_number=sequence_number,
            record_time=format_record_time(record_time),
            event_id=event_id,
            stream=stream,
            stream_version=stream_version,
            event_type=event_type,
            schema_version=schema_version,
            valid_time=dict(valid_time),
            corrects=tuple(corrects),
            payload_sha256=object_sha256(payload, "payload"),
            metadata_sha256=object_sha256(metadata, "metadata"),
        )

    def to_json_object(self) -> dict[str, Any]:
        """Return the envelope as the JSON object whose canonical bytes form the leaf."""
        return {
            "log_origin": self.log_origin,
            "sequence_number": self.sequence_number,
            "record_time": self.record_time,
            "event_id": self.event_id,
            "stream": self.stream,
            "stream_version": self.stream_version,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "valid_time": dict(self.valid_time),
            "corrects": list(self.corrects),
            "payload_sha256": self.payload_sha256,
            "metadata_sha256": self.metadata_sha256,
        }


def leaf_bytes(envelope: LeafEnvelope) -> bytes:
    """Return the leaf: the RFC 8785 canonical bytes of the envelope object."""
    fast = encode_envelope(envelope)
    if fast is not None:
        return fast
    return canonical_json(envelope.to_json_object(), "$")
