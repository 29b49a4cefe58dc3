"""Append to and read from the log: one short locked transaction per append, paged reads."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.domain.events import StoredEvent
from newsledger.store import locking, log_queries
from newsledger.store.bulk import insert_rows
from newsledger.store.engine import is_sqlite
from newsledger.store.errors import AppendLockTimeout, WrongExpectedVersion
from newsledger.store.event_rows import EventRow
from newsledger.store.limits import StoreLimits
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.page_reads import ItemRow, PageReader
from newsledger.store.records import (
    ANY,
    AppendedEvent,
    AppendResult,
    ExpectedVersion,
    ProposedEvent,
)
from newsledger.store.tables import events
from newsledger.store.validation import CheckedBatch, validate_batch


class AppendObserver(Protocol):
    """Work that must commit atomically with an append (projections, the audit tree)."""

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        """Apply the newly appended events inside the append's transaction."""


FIRST_TYPES_KEPT = 10_000
"""How many streams' first event types `first_event_type` keeps before it starts over."""


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
        self._pages = PageReader(engine)
        self._observers: list[AppendObserver] = []
        self._commit_listeners: list[Callable[[Sequence[StoredEvent]], None]] = []
        # Writers in this process queue here first, so they hand the database lock over
        # directly instead of polling for it; the database lock still orders other processes.
        self._local_writer = threading.Lock()
        self._first_types: dict[str, str] = {}

    def add_observer(self, observer: AppendObserver) -> None:
        """Run observer inside every append transaction, after the events are inserted."""
        self._observers.append(observer)

    def add_commit_listener(self, listener: Callable[[Sequence[StoredEvent]], None]) -> None:
        """Call listener with the events of every append that wrote some, once committed.

        Listeners run in commit order (before the next writer in this process may append),
        so they see this process's appends with their positions in increasing order.
        """
        self._commit_listeners.append(listener)

    def append(
        self,
        stream: str,
        proposed: Sequence[ProposedEvent],
        expected: ExpectedVersion = ANY,
    ) -> AppendResult:
        """Append proposed to stream atomically, or raise and write nothing."""
        checked = validate_batch(stream, proposed, self.limits)
        try:
            return self._append_once(stream, proposed, checked, expected, retry_aware=False)
        except _MaybeARetry:
            # Replay the append on the careful path, which first looks the ids up.
            return self._append_once(stream, proposed, checked, expected, retry_aware=True)

    def _append_once(
        self,
        stream: str,
        proposed: Sequence[ProposedEvent],
        checked: CheckedBatch,
        expected: ExpectedVersion,
        *,
        retry_aware: bool,
    ) -> AppendResult:
        """Run one append transaction under the in-process and the database lock."""
        if not self._local_writer.acquire(timeout=self.lock_timeout_seconds):
            raise AppendLockTimeout(self.lock_timeout_seconds)
        try:
            with locking.append_transaction(self.engine, self.lock_timeout_seconds) as conn:
                result, appended = self._append_locked(
                    conn, stream, proposed, checked, expected, retry_aware
                )
            if appended:
                for listener in self._commit_listeners:
                    listener(appended)
        finally:
            self._local_writer.release()
        return result

    def _append_locked(
        self,
        conn: Connection,
        stream: str,
        proposed: Sequence[ProposedEvent],
        checked: CheckedBatch,
        expected: ExpectedVersion,
        retry_aware: bool,
    ) -> tuple[AppendResult, tuple[StoredEvent, ...]]:
        """Write the batch under the lock; return the result and the events it added.

        Most appends are not retries, so the first attempt skips looking the ids up and
        lets the unique key on event ids catch a retry; a retry, or a wrong expected
        version (which an exact retry of an earlier append also meets), raises
        _MaybeARetry so the append is replayed with ``retry_aware`` set.
        """
        recorded = {}
        if retry_aware:
            recorded = log_queries.already_recorded(conn, stream, proposed, checked.texts)
        if len(recorded) == len(proposed):
            ordered = tuple(recorded[event.event_id] for event in proposed)
            return AppendResult(stream=stream, events=ordered, already_recorded=True), ()
        actual, last_position, floor_us = log_queries.stream_and_log_heads(conn, stream)
        if not expected.is_met_by(actual):
            if not retry_aware:
                raise _MaybeARetry
            raise WrongExpectedVersion(stream, expected.kind, actual, expected.version)
        # Strictly later than the previous append and than every known_at answered (the
        # watermark), even if the clock stalls or steps back: no answer given can change.
        recorded_at_us = max(self._clock(), floor_us + 1)
        next_version = 0 if actual is None else actual + 1
        new = [
            (event, text, canonical)
            for event, text, canonical in zip(
                proposed, checked.texts, checked.canonical, strict=True
            )
            if not recorded or event.event_id not in recorded
        ]
        appended = tuple(
            StoredEvent(
                position=last_position + 1 + offset,
                event_id=event.event_id,
                stream=stream,
                stream_version=next_version + offset,
                event_type=event.event_type,
                schema_version=event.schema_version,
                payload=payload,
                metadata=metadata,
                recorded_at_us=recorded_at_us,
            )
            for offset, (event, (payload, metadata), _) in enumerate(new)
        )
        try:
            insert_rows(conn, events, log_queries.rows_of(conn, appended))
        except sa.exc.IntegrityError:
            if not retry_aware:
                raise _MaybeARetry from None
            raise
        if self._observers:
            with_objects = [
                AppendedEvent(stored, event.payload, event.metadata, canonical)
                for stored, (event, _, canonical) in zip(appended, new, strict=True)
            ]
            for observer in self._observers:
                observer.on_append(conn, with_objects)
        by_id = {**recorded, **{event.event_id: event for event in appended}}
        ordered = tuple(by_id[event.event_id] for event in proposed)
        return AppendResult(stream=stream, events=ordered, already_recorded=False), appended

    def settle(self, known_at_us: int) -> None:
        """Return once no append can still record at or before known_at_us.

        Call it before answering as known at an instant, and only for an instant that is
        not in the future (it holds every later record time above the instant). An append
        records strictly after the log's last record time and after the known_at
        watermark, so an instant before the one or at or before the other is settled
        already, and costs one query. Otherwise the watermark is raised to the instant
        once the append in flight (which may have taken its record time already) has
        committed, and every later append records after it (see locking).
        """
        with self.engine.connect() as conn:
            last_recorded_us, answered_us = log_queries.record_time_heads(conn)
        if known_at_us < last_recorded_us or known_at_us <= answered_us:
            return
        if not is_sqlite(self.engine):  # PostgreSQL queues lock waits itself
            self._raise_watermark(known_at_us)
            return
        # Queue behind this process's writers as they do: a direct hand-over instead of
        # polling for the database lock.
        if not self._local_writer.acquire(timeout=self.lock_timeout_seconds):
            raise AppendLockTimeout(self.lock_timeout_seconds)
        try:
            self._raise_watermark(known_at_us)
        finally:
            self._local_writer.release()

    def _raise_watermark(self, known_at_us: int) -> None:
        with locking.watermark_transaction(self.engine, self.lock_timeout_seconds) as conn:
            log_queries.raise_watermark(conn, known_at_us)

    def stream_version(self, stream: str) -> int | None:
        """Return the version of the stream's last event, or None if it has none."""
        with self.engine.connect() as conn:
            return log_queries.stream_version(conn, stream)

    def head_position(self) -> int | None:
        """Return the position of the last event in the log, or None if it is empty."""
        with self.engine.connect() as conn:
            position = log_queries.log_head(conn)[0]
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
        return self._fetch(
            log_queries.stream_query(EVENT_COLUMNS, stream, from_version, backwards, limit)
        )

    def read_stream_rows(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int = 100,
    ) -> list[EventRow]:
        """Return the events read_stream returns, as EventRows (the id as canonical text)."""
        return self._pages.stream_rows(stream, from_version, backwards, limit)

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
        query = log_queries.log_query(
            EVENT_COLUMNS, from_position, to_position, backwards, limit, stream, event_types
        )
        return self._fetch(query)

    def read_all_rows(
        self,
        *,
        from_position: int | None = None,
        to_position: int | None = None,
        backwards: bool = False,
        limit: int = 100,
        stream: str | None = None,
        event_types: Iterable[str] = (),
    ) -> list[EventRow]:
        """Return the events read_all returns, as EventRows (the id as canonical text)."""
        types = list(event_types)
        return self._pages.log_rows(from_position, to_position, backwards, limit, stream, types)

    def read_all_items(
        self,
        *,
        from_position: int | None = None,
        to_position: int | None = None,
        backwards: bool = False,
        limit: int = 100,
        stream: str | None = None,
        event_types: Iterable[str] = (),
    ) -> list[ItemRow]:
        """Return the events read_all returns, each as (position, version, response item)."""
        types = list(event_types)
        return self._pages.log_items(from_position, to_position, backwards, limit, stream, types)

    def read_stream_items(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int = 100,
    ) -> list[ItemRow]:
        """Return the events read_stream returns, each as (position, version, response item)."""
        return self._pages.stream_items(stream, from_version, backwards, limit)

    def first_event_type(self, stream: str) -> str | None:
        """Return the type of the stream's first event, or None if the stream has none.

        A recorded event never changes, so a stream's first type, once found, is kept (for
        up to FIRST_TYPES_KEPT streams) and later calls read nothing.
        """
        kept = self._first_types.get(stream)
        if kept is not None:
            return kept
        first = self._pages.stream_rows(stream, 0, False, 1)
        if not first:
            return None
        if len(self._first_types) >= FIRST_TYPES_KEPT:
            self._first_types.clear()
        event_type: str = first[0][4]
        self._first_types[stream] = event_type
        return event_type

    def events_by_id(self, event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, StoredEvent]:
        """Return the recorded events among these ids, keyed by id (no query for no ids)."""
        wanted = list(event_ids)
        if not wanted:
            return {}
        with self.engine.connect() as conn:
            return log_queries.by_ids(conn, wanted)

    def _fetch(self, query: sa.Select[Any]) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            return [StoredEvent(*row) for row in conn.execute(query)]


class _MaybeARetry(Exception):
    """The fast attempt met what a retry of a recorded append would meet; look it up."""


__all__ = ["AppendObserver", "EventStore"]
