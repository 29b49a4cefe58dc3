"""Values that cross the store boundary: proposed and appended events, expectations, results."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from newsledger.domain.events import StoredEvent


@dataclass(frozen=True, slots=True)
class ProposedEvent:
    """An event a client asks to append; its id makes retries idempotent."""

    event_id: uuid.UUID
    event_type: str
    payload: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = 1


@dataclass(frozen=True, slots=True)
class AppendedEvent:
    """An event an append has just written, with the JSON objects its text was made from.

    The stored text is ``normalise_json`` of these objects, so work inside the append
    transaction may read them instead of parsing the text. They are the caller's objects:
    read them, never change them.
    """

    stored: StoredEvent
    payload: Mapping[str, Any]
    metadata: Mapping[str, Any]
    canonical: bool | None = None
    """Whether the stored texts are the RFC 8785 form of these objects (None: not known)."""


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
