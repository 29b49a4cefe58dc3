"""Errors the store raises; the API layer maps each to a gRPC status in one place."""

from __future__ import annotations

import uuid


class StoreError(Exception):
    """Base of every error the event store raises."""


class WrongExpectedVersion(StoreError):
    """The stream is not at the version the append expected."""

    def __init__(
        self, stream: str, expected: str, actual: int | None, expected_version: int | None = None
    ) -> None:
        self.stream = stream
        # The expectation's kind (exact, no_stream, stream_exists) and, if exact, its version.
        self.expected = expected
        self.expected_version = expected_version
        self.actual = actual
        wanted = (
            f"version {expected_version}" if expected == "exact" else expected.replace("_", " ")
        )
        shown = "no stream" if actual is None else f"version {actual}"
        super().__init__(f"stream {stream!r}: expected {wanted}, but it is at {shown}")


class EventIdConflict(StoreError):
    """An event id is already recorded with other content or in another stream."""

    def __init__(self, event_id: uuid.UUID, reason: str) -> None:
        self.event_id = event_id
        self.reason = reason
        super().__init__(f"event {event_id}: {reason}")


class AppendLockTimeout(StoreError):
    """Another writer held the append lock too long; the append may be retried."""

    def __init__(self, waited_seconds: float) -> None:
        self.waited_seconds = waited_seconds
        super().__init__(
            f"the append lock was not acquired within {waited_seconds:g}s; retry the append"
        )


class LimitExceeded(StoreError):
    """An event or a batch is larger than the configured caps allow."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class InvalidAppend(StoreError):
    """The append request is malformed (empty batch, duplicate ids, bad names)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class SchemaNotReady(StoreError):
    """The database schema is missing or behind the code; run `newsledger migrate`."""


class UnsupportedDatabase(StoreError):
    """A database URL the store cannot keep a log in (an in-memory SQLite database)."""
