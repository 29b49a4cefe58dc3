"""Events as the log keeps them (JSON as text) and as the fold reads them (JSON parsed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

JsonObject = Mapping[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_from_micros(micros: int) -> datetime:
    """Return the UTC instant micros microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def micros_from_time(instant: datetime) -> int:
    """Return instant as whole microseconds since the Unix epoch."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One event as recorded: identity, place in its stream and in the log, and content."""

    event_id: uuid.UUID
    stream: str
    stream_version: int
    position: int
    event_type: str
    schema_version: int
    payload: JsonObject
    metadata: JsonObject
    record_time: datetime


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
