"""The canonical leaf: RFC 8785 (JCS) bytes of an event envelope; floats and big ints refused."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import rfc8785

# I-JSON (RFC 7493) and JCS only promise integers that a binary64 double holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
_RECORD_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)


class CanonicalError(ValueError):
    """A value cannot be encoded canonically; the message names its JSON path."""


def canonical_payload(payload: Mapping[str, Any]) -> bytes:
    """Return the RFC 8785 canonical bytes of an event payload (a JSON object)."""
    if not isinstance(payload, Mapping):
        raise CanonicalError(f"$: a payload must be a JSON object, got {type(payload).__name__}")
    return _canonical(payload, "$")


def payload_sha256(payload: Mapping[str, Any]) -> str:
    """Return the lowercase hex SHA-256 of the canonical payload bytes."""
    return hashlib.sha256(canonical_payload(payload)).hexdigest()


def format_record_time(moment: datetime) -> str:
    """Return ``moment`` as RFC 3339 UTC with exactly six fractional digits and ``Z``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CanonicalError("record time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
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

    def __post_init__(self) -> None:
        """Reject field values that the spec does not allow."""
        for name in ("log_origin", "event_id", "stream", "event_type"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise CanonicalError(f"$.{name}: must be a non-empty string")
        for name in ("sequence_number", "stream_version", "schema_version"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= MAX_SAFE_INTEGER
            ):
                raise CanonicalError(
                    f"$.{name}: must be an integer in [0, 2**53 - 1], got {value!r}"
                )
        if not isinstance(self.record_time, str) or not _RECORD_TIME.fullmatch(self.record_time):
            raise CanonicalError(
                "$.record_time: must look like 2024-01-31T12:00:00.000000Z, "
                f"got {self.record_time!r}"
            )
        try:
            datetime.strptime(self.record_time, "%Y-%m-%dT%H:%M:%S.%fZ")
        except ValueError:
            raise CanonicalError(
                f"$.record_time: {self.record_time!r} is not a real time"
            ) from None
        for key, value in self.valid_time.items():
            if not isinstance(key, str) or not (value is None or isinstance(value, str)):
                raise CanonicalError(f"$.valid_time.{key}: must be a string or null")
        if not isinstance(self.corrects, tuple) or not all(
            isinstance(c, str) for c in self.corrects
        ):
            raise CanonicalError("$.corrects: must be a tuple of event id strings")
        if not re.fullmatch(r"[0-9a-f]{64}", self.payload_sha256, re.ASCII):
            raise CanonicalError("$.payload_sha256: must be 64 lowercase hex digits")

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
    ) -> LeafEnvelope:
        """Build the envelope of an event, hashing its canonical payload."""
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
            payload_sha256=payload_sha256(payload),
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
        }


def leaf_bytes(envelope: LeafEnvelope) -> bytes:
    """Return the leaf: the RFC 8785 canonical bytes of the envelope object."""
    return _canonical(envelope.to_json_object(), "$")


def _canonical(value: Any, path: str) -> bytes:
    _check_json(value, path)
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as error:
        raise CanonicalError(f"{path}: {error}") from None


def _check_json(value: Any, path: str) -> None:
    """Walk the value and refuse anything outside the float-free I-JSON subset."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_string(value, path)
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalError(
                f"{path}: integer {value} is outside +/-(2**53 - 1); send it as a decimal string"
            )
        return
    if isinstance(value, float):
        raise CanonicalError(f"{path}: floats are not allowed; send {value!r} as a decimal string")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: object key {key!r} is not a string")
            _check_string(key, f"{path} key")
            _check_json(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json(item, f"{path}[{position}]")
        return
    raise CanonicalError(f"{path}: {type(value).__name__} is not a JSON value")


def _check_string(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError(f"{path}: string holds a lone surrogate, not valid UTF-8") from None
