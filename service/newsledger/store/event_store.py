"""Append to and read from the log: one short locked transaction per append, paged reads."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.config import StoreLimits
from newsledger.store import locking
from newsledger.store.errors import AppendLockTimeout, EventIdConflict, WrongExpectedVersion
from newsledger.store.records import (
    ANY,
    AppendResult,
    ExpectedVersion,
    ProposedEvent,
    StoredEvent,
    normalise_json,
)
from newsledger.store.tables import events
from newsledger.store.validation import validate_batch

_COLUMNS = (
    events.c.position,
    events.c.event_id,
    events.c.stream,
    events.c.stream_version,
    events.c.event_type,
    events.c.schema_version,
    events.c.payload,
    events.c.metadata,
    events.c.recorded_at_us,
)
EVENT_COLUMNS = _COLUMNS
"""The events table's columns in StoredEvent's field order: `StoredEvent(*row)` reads a row."""


class AppendObserver(Protocol):
    """Work that must commit atomically with an append (projections, the audit tree)."""

    def on_append(self, connection: Connection, appended: Sequence[StoredEvent]) -> None:
        """Apply the newly appended events inside the append's transaction."""


def _now_micros() -> int:
    return time.time_ns() // 1000


class EventStore:
    """The append-only log of events, shared by every stream."""

    def __init__(
        self,
        engine: Engine,
        *,
        limits: StoreLimits | None = None,
        lock_timeout_seconds: float = 5.0,
        clock: Callable[[], int] = _now_micros,
    ) -> None:
        self.engine = engine
        self.limits = limits or StoreLimits()
        self.lock_timeout_seconds = lock_timeout_seconds
        self._clock = clock
        self._observers: list[AppendObserver] = []
        self._commit_listeners: list[Callable[[int], None]] = []
        # Writers in this process queue here first, so they hand the database lock over
        # directly instead of polling for it; the database lock still orders other processes.
        self._local_writer = threading.Lock()

    def add_observer(self, observer: AppendObserver) -> None:
        """Run observer inside every append transaction, after the events are inserted."""
        self._observers.append(observer)

    def add_commit_listener(self, listener: Callable[[int], None]) -> None:
        """Call listener with the last position after every append that wrote events."""
        self._commit_listeners.append(listener)

    def append(
        self,
        stream: str,
        proposed: Sequence[ProposedEvent],
        expected: ExpectedVersion = ANY,
    ) -> AppendResult:
        """Append proposed to stream atomically, or raise and write nothing."""
        rows = validate_batch(stream, proposed, self.limits)
        if not self._local_writer.acquire(timeout=self.lock_timeout_seconds):
            raise AppendLockTimeout(self.lock_timeout_seconds)
        try:
            with locking.append_transaction(self.engine, self.lock_timeout_seconds) as conn:
                result = self._append_locked(conn, stream, proposed, rows, expected)
        finally:
            self._local_writer.release()
        if not result.already_recorded:
            for listener in self._commit_listeners:
                listener(result.last_position)
        return result

    def _append_locked(
        self,
        conn: Connection,
        stream: str,
        proposed: Sequence[ProposedEvent],
        rows: list[dict[str, Any]],
        expected: ExpectedVersion,
    ) -> AppendResult:
        recorded = _already_recorded(conn, stream, rows)
        if len(recorded) == len(rows):
            ordered = tuple(recorded[event.event_id] for event in proposed)
            return AppendResult(stream=stream, events=ordered, already_recorded=True)
        actual = self._stream_version(conn, stream)
        if not expected.is_met_by(actual):
            raise WrongExpectedVersion(stream, expected.describe(), actual)
        last_position, last_recorded_us = _log_head(conn)
        # Strictly later than the previous append, even if the clock stalls or steps back:
        # an answer "as known at T" must not change once T has been seen in the log.
        recorded_at_us = max(self._clock(), last_recorded_us + 1)
        next_version = 0 if actual is None else actual + 1
        new_rows = [row for row in rows if row["event_id"] not in recorded]
        for offset, row in enumerate(new_rows):
            row["position"] = last_position + 1 + offset
            row["stream_version"] = next_version + offset
            row["recorded_at_us"] = recorded_at_us
        conn.execute(events.insert(), new_rows)
        appended = tuple(StoredEvent(**row) for row in new_rows)
        for observer in self._observers:
            observer.on_append(conn, appended)
        by_id = {**recorded, **{event.event_id: event for event in appended}}
        ordered = tuple(by_id[event.event_id] for event in proposed)
        return AppendResult(stream=stream, events=ordered, already_recorded=False)

    @staticmethod
    def _stream_version(conn: Connection, stream: str) -> int | None:
        query = sa.select(sa.func.max(events.c.stream_version)).where(events.c.stream == stream)
        version: int | None = conn.execute(query).scalar()
        return version

    def stream_version(self, stream: str) -> int | None:
        """Return the version of the stream's last event, or None if it has none."""
        with self.engine.connect() as conn:
            return self._stream_version(conn, stream)

    def head_position(self) -> int | None:
        """Return the position of the last event in the log, or None if it is empty."""
        with self.engine.connect() as conn:
            position = _log_head(conn)[0]
        return None if position < 0 else position

    def read_stream(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int = 100,
    ) -> list[StoredEvent]:
        """Return up to limit events of stream from from_version (inclusive), in either order."""
        query = sa.select(*_COLUMNS).where(events.c.stream == stream)
        column = events.c.stream_version
        if from_version is not None:
            query = query.where(column <= from_version if backwards else column >= from_version)
        query = query.order_by(column.desc() if backwards else column).limit(limit)
        return self._fetch(query)

    def read_all(
        self,
        *,
        from_position: int | None = None,
        to_position: int | None = None,
        backwards: bool = False,
        limit: int = 100,
        stream: str | None = None,
        event_types: Iterable[str] = (),
    ) -> list[StoredEvent]:
        """Return up to limit events of the log between from_ and to_position (inclusive)."""
        query = sa.select(*_COLUMNS)
        column = events.c.position
        if from_position is not None:
            query = query.where(column <= from_position if backwards else column >= from_position)
        if to_position is not None:
            query = query.where(column >= to_position if backwards else column <= to_position)
        if stream is not None:
            query = query.where(events.c.stream == stream)
        types = list(event_types)
        if types:
            query = query.where(events.c.event_type.in_(types))
        query = query.order_by(column.desc() if backwards else column).limit(limit)
        return self._fetch(query)

    def events_by_id(self, event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, StoredEvent]:
        """Return the recorded events among these ids, keyed by id."""
        wanted = list(event_ids)
        if not wanted:
            return {}
        query = sa.select(*_COLUMNS).where(events.c.event_id.in_(wanted))
        return {event.event_id: event for event in self._fetch(query)}

    def _fetch(self, query: sa.Select[Any]) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            return [StoredEvent(*row) for row in conn.execute(query)]


def _log_head(conn: Connection) -> tuple[int, int]:
    """Return (last position, its record time), or (-1, 0) for an empty log."""
    query = sa.select(events.c.position, events.c.recorded_at_us)
    row = conn.execute(query.order_by(events.c.position.desc()).limit(1)).first()
    return (-1, 0) if row is None else (row[0], row[1])


def _already_recorded(
    conn: Connection, stream: str, rows: list[dict[str, Any]]
) -> dict[uuid.UUID, StoredEvent]:
    """Return the batch's events already in the log; raise if one differs from its retry."""
    wanted = {row["event_id"]: row for row in rows}
    query = sa.select(*_COLUMNS).where(events.c.event_id.in_(list(wanted)))
    found = {row.event_id: StoredEvent(*row) for row in conn.execute(query)}
    for event_id, stored in found.items():
        row = wanted[event_id]
        if stored.stream != stream:
            raise EventIdConflict(event_id, f"already recorded in stream {stored.stream!r}")
        same = (
            stored.event_type == row["event_type"]
            and stored.schema_version == row["schema_version"]
            and stored.payload == row["payload"]
            and stored.metadata == row["metadata"]
        )
        if not same:
            raise EventIdConflict(event_id, "already recorded with different content")
    return found


__all__ = ["EVENT_COLUMNS", "AppendObserver", "EventStore", "normalise_json"]
