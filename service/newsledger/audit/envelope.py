"""The envelope of a stored event: which fields of the event and its payload become its leaf.

An envelope (``LeafEnvelope``) holds the log's name, the event's place and identity, its
record time, the valid time its report states, the events it corrects, and the SHA-256 of
its canonical payload and metadata. ``newsledger.audit.leaf`` turns it into the leaf bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError, canonical_json
from newsledger.domain.events import StoredEvent

_RECORD_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_SHA256_HEX = re.compile(r"[0-9a-f]{64}", re.ASCII)
_RECORD_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TEXT_FIELDS = ("log_origin", "event_id", "stream", "event_type")
_INTEGER_FIELDS = ("sequence_number", "stream_version", "schema_version")
_DIGEST_FIELDS = ("payload_sha256", "metadata_sha256")


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


def digests_of(event: StoredEvent) -> tuple[dict[str, Any], str, str]:
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
    payload, payload_hash, metadata_hash = digests_of(event)
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
