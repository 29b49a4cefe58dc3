"""Value types that cross the store boundary: proposed events, stored events, expectations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from newsledger.domain.events import RecordedEvent

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


MAX_SAFE_INTEGER = 2**53 - 1
_FIRST_UNSAFE_KEY_CHAR = "\ue000"


_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _c_compact_encoder() -> Callable[[Any, int], Iterable[str]] | None:
    """Return the C encoder behind ``_COMPACT``, made once instead of on every call.

    Made without circular-reference markers: objects parsed from JSON or YAML have no
    cycles. None where the private constructor is missing or differs.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        made: Callable[[Any, int], Iterable[str]] = make(
            None, _COMPACT.default, json.encoder.encode_basestring, None, ":", ",",
            True, False, True,
        )  # fmt: skip
    except TypeError:
        return None
    return made


_C_COMPACT = _c_compact_encoder()


def compact_json(value: Any) -> str:
    """Return ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    if _C_COMPACT is None:
        return _COMPACT.encode(value)
    return "".join(_C_COMPACT(value, 0))


def normalise_json(value: Mapping[str, Any]) -> str:
    """Serialise a JSON object with sorted keys and no spaces, so equal objects compare equal."""
    if not value and type(value) is dict:
        return "{}"
    return compact_json(value)


def is_canonical_value(value: Any) -> bool:
    """Tell that ``normalise_json`` text of value parses back to it and is its RFC 8785 form.

    True for exact dicts with string keys, lists, strings, bools, None and integers within
    +/-(2**53 - 1), with no key holding a character at or above U+E000 (where code-point
    and UTF-16 key orders differ). Tuples, floats and subclasses answer False. A lone
    surrogate is not detected here; the UTF-8 encoding of the text refuses it.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) < _FIRST_UNSAFE_KEY_CHAR):
                return False
            member = type(item)
            if member is str or member is bool or item is None:
                continue
            if member is int:
                if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    return False
            elif not is_canonical_value(item):
                return False
        return True
    if kind is list:
        return all(is_canonical_value(item) for item in value)
    if kind is int:
        number: int = value
        return -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER
    return kind is str or kind is bool or value is None


def time_from_micros(micros: int) -> datetime:
    """Return the UTC instant micros microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def micros_from_time(instant: datetime) -> int:
    """Return instant as whole microseconds since the Unix epoch."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class ProposedEvent:
    """An event a client asks to append; its id makes retries idempotent."""

    event_id: uuid.UUID
    event_type: str
    payload: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = 1


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as it lies in the log, with its JSON kept as text."""

    position: int
    event_id: uuid.UUID
    stream: str
    stream_version: int
    event_type: str
    schema_version: int
    payload: str
    metadata: str
    recorded_at_us: int

    @property
    def record_time(self) -> datetime:
        """Return the instant the store recorded the event (UTC)."""
        return time_from_micros(self.recorded_at_us)

    def to_domain(self) -> RecordedEvent:
        """Return the event with its JSON parsed, as the domain fold consumes it."""
        return RecordedEvent(
            event_id=self.event_id,
            stream=self.stream,
            stream_version=self.stream_version,
            position=self.position,
            event_type=self.event_type,
            schema_version=self.schema_version,
            payload=json.loads(self.payload),
            metadata=json.loads(self.metadata),
            record_time=self.record_time,
        )


@dataclass(frozen=True, slots=True)
class AppendedEvent:
    """An event an append has just written, with the JSON objects its text was made from.

    When ``text_is_canonical`` holds, parsing the stored payload and metadata gives these
    objects back and the stored text is their RFC 8785 form (see ``is_canonical_value``),
    so work inside the append transaction may read them instead of parsing the text. They
    are the caller's objects: read them, never change them.
    """

    stored: StoredEvent
    payload: Mapping[str, Any]
    metadata: Mapping[str, Any]
    text_is_canonical: bool


ExpectationKind = Literal["any", "no_stream", "stream_exists", "exact"]


@dataclass(frozen=True, slots=True)
class ExpectedVersion:
    """What the writer believes about the stream before its append."""

    kind: ExpectationKind
    version: int | None = None

    @classmethod
    def exact(cls, version: int) -> ExpectedVersion:
        """Expect the stream's last event to be at exactly this version (0-based)."""
        if version < 0:
            raise ValueError("an exact expected version is 0 or more")
        return cls("exact", version)

    def describe(self) -> str:
        """Return the expectation in words, for error messages."""
        if self.kind == "exact":
            return f"version {self.version}"
        return self.kind.replace("_", " ")

    def is_met_by(self, actual: int | None) -> bool:
        """Tell whether a stream whose last version is actual (None: no stream) meets this."""
        if self.kind == "any":
            return True
        if self.kind == "no_stream":
            return actual is None
        if self.kind == "stream_exists":
            return actual is not None
        return actual == self.version


ANY = ExpectedVersion("any")
NO_STREAM = ExpectedVersion("no_stream")
STREAM_EXISTS = ExpectedVersion("stream_exists")


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append's events lie; already_recorded marks an exact retry that wrote nothing."""

    stream: str
    events: tuple[StoredEvent, ...]
    already_recorded: bool

    @property
    def first_position(self) -> int:
        """Return the global position of the batch's first event."""
        return self.events[0].position

    @property
    def last_position(self) -> int:
        """Return the global position of the batch's last event."""
        return self.events[-1].position

    @property
    def last_stream_version(self) -> int:
        """Return the stream version of the batch's last event."""
        return self.events[-1].stream_version
