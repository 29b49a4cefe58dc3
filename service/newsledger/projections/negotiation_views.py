"""The negotiation view table: folded state per negotiation, updated as events are appended.

The projector folds each append's negotiation events in the append transaction, so a read
after an append sees it, and writes a snapshot each time a stream passes a snapshot point.
It folds onto the decoded state kept in the process (see state_cache) and never encodes the
whole state except at those points; the row holds only the version and what listings show,
so an append costs the same whatever the negotiation's size. Loading a state the process
does not keep folds the events after the latest snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.events import StoredEvent
from newsledger.domain.integrity import ReferencesRefused, RefusedReference
from newsledger.domain.negotiation import (
    NEGOTIATION_STREAM_PREFIX,
    fold_in_place,
    negotiation_id_from_stream,
)
from newsledger.domain.state import NegotiationState
from newsledger.domain.view_reuse import FinishedItems
from newsledger.projections.snapshots import is_snapshot_point, latest_snapshot, save_snapshot
from newsledger.projections.state_cache import KeptState, StateCache
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.records import AppendedEvent
from newsledger.store.tables import events, negotiation_views


@dataclass(frozen=True, slots=True)
class StoredView:
    """A negotiation's folded state and the last event folded into it."""

    negotiation_id: str
    stream: str
    state: NegotiationState
    last_position: int
    last_stream_version: int
    index: RegistryIndex | None = None
    finished: FinishedItems | None = None


@dataclass(frozen=True, slots=True)
class ViewSummary:
    """What a listing shows of a negotiation, read without decoding its state."""

    negotiation_id: str
    title: str
    party_ids: tuple[str, ...]
    party_names: tuple[str, ...]
    stream: str
    last_position: int
    phase: str


_COLUMNS = (
    negotiation_views.c.negotiation_id,
    negotiation_views.c.stream,
    negotiation_views.c.last_position,
    negotiation_views.c.last_stream_version,
)


def events_between(conn: Connection, stream: str, first: int, last: int) -> list[StoredEvent]:
    """Return the stream's events with versions first..last, in order."""
    query = (
        sa.select(*EVENT_COLUMNS)
        .where(
            events.c.stream == stream,
            events.c.stream_version >= first,
            events.c.stream_version <= last,
        )
        .order_by(events.c.stream_version)
    )
    return [StoredEvent(*row) for row in conn.execute(query)]


def view_at_version(conn: Connection, negotiation_id: str, cut: int) -> StoredView | None:
    """Return the negotiation's state right after stream version `cut`: snapshot plus tail.

    The state is the caller's own; None when the stream has no event up to `cut`.
    """
    stream = NEGOTIATION_STREAM_PREFIX + negotiation_id
    snapshot = latest_snapshot(conn, negotiation_id, cut)
    first = 0 if snapshot is None else snapshot.stream_version + 1
    tail = events_between(conn, stream, first, cut)
    state = fold_in_place(
        [event.to_domain() for event in tail], None if snapshot is None else snapshot.state
    )
    if state is None or (not tail and snapshot is None):
        return None
    last_position = tail[-1].position if tail else snapshot.position if snapshot else -1
    return StoredView(negotiation_id, stream, state, last_position, cut)


def _decode(conn: Connection, row: Sequence[Any]) -> StoredView:
    """Return the row's view: the latest snapshot with the events after it folded in."""
    view = view_at_version(conn, row[0], row[3])
    if view is None:
        raise LookupError(f"negotiation {row[0]} has a view but no events")
    return view


def load_view(conn: Connection, negotiation_id: str) -> StoredView | None:
    """Return the current view of negotiation_id (a state the caller owns), or None."""
    query = sa.select(*_COLUMNS).where(negotiation_views.c.negotiation_id == negotiation_id)
    row = conn.execute(query).first()
    return None if row is None else _decode(conn, row)


def current_version(conn: Connection, negotiation_id: str) -> int | None:
    """Return the stream version the stored view has folded up to, without decoding it."""
    table = negotiation_views
    query = sa.select(table.c.last_stream_version).where(table.c.negotiation_id == negotiation_id)
    version: int | None = conn.execute(query).scalar()
    return version


def view_exists(conn: Connection, negotiation_id: str) -> bool:
    """Tell whether a view row exists, without decoding it (it may be an older shape)."""
    table = negotiation_views
    query = sa.select(table.c.negotiation_id).where(table.c.negotiation_id == negotiation_id)
    return conn.execute(query).first() is not None


def save_view(conn: Connection, view: StoredView, *, exists: bool) -> None:
    """Insert or replace the stored view: its version and the columns listings read.

    The state is not stored here (its column stays empty): it is kept in the process and
    loaded from the latest snapshot and the events after it, so the row stays small and an
    append that moves it on costs the same whatever the negotiation's size.
    """
    state = view.state
    values: dict[str, Any] = {
        "stream": view.stream,
        "last_position": view.last_position,
        "last_stream_version": view.last_stream_version,
        "title": state.title,
        "party_ids": "," + "".join(f"{party['party_id']}," for party in state.parties),
        "party_names": json.dumps([str(p.get("name", p["party_id"])) for p in state.parties]),
        "phase": state.phase,
    }
    values["state"] = ""
    table = negotiation_views
    if exists:
        conn.execute(
            table.update().where(table.c.negotiation_id == view.negotiation_id).values(**values)
        )
    else:
        conn.execute(table.insert().values(negotiation_id=view.negotiation_id, **values))


SnapshotSink = Callable[[StoredEvent, NegotiationState], None]


def fold_onto(
    view: StoredView | None,
    negotiation_id: str,
    events: Sequence[StoredEvent],
    on_snapshot: SnapshotSink | None = None,
    refused: list[RefusedReference] | None = None,
) -> StoredView:
    """Return view with events (of one negotiation stream, in order) folded in.

    `on_snapshot` receives the state at every snapshot point the events pass; `refused`,
    when given, every event that refers to ids the negotiation lacks.
    """
    state = None if view is None else view.state
    start = 0
    for index, event in enumerate(events):
        if on_snapshot is not None and is_snapshot_point(event.stream_version):
            state = fold_in_place(
                [e.to_domain() for e in events[start : index + 1]], state, refused
            )
            assert state is not None
            on_snapshot(event, state)
            start = index + 1
    state = fold_in_place([e.to_domain() for e in events[start:]], state, refused)
    assert state is not None
    return StoredView(
        negotiation_id=negotiation_id,
        stream=events[-1].stream,
        state=state,
        last_position=events[-1].position,
        last_stream_version=events[-1].stream_version,
    )


def _snapshot_saver(conn: Connection, negotiation_id: str) -> SnapshotSink:
    """Return a sink that saves each snapshot of a negotiation on `conn`."""

    def save(event: StoredEvent, state: NegotiationState) -> None:
        """Save the state right after `event`."""
        save_snapshot(conn, negotiation_id, event, state)

    return save


def _kept_for_append(
    conn: Connection, cache: StateCache, negotiation_id: str, version: int
) -> KeptState:
    """Return the kept state at the row's version, loading it when the cache has another."""
    kept = cache.get(negotiation_id)
    if kept is not None and kept.version == version:
        return kept
    loaded = load_view(conn, negotiation_id)
    assert loaded is not None
    kept = KeptState(loaded.state, loaded.last_stream_version)
    cache.put(negotiation_id, kept)
    return kept


class NegotiationProjector:
    """Folds each append's negotiation events into the view table, in the same transaction.

    It refuses (ReferencesRefused) an append holding a development that refers to ids its
    negotiation does not have, found by that same fold, before the append commits: the
    transaction rolls back, and the kept state, left pending, is loaded again on next use.
    """

    def __init__(self, cache: StateCache | None = None) -> None:
        self.cache = StateCache() if cache is None else cache

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        """Update the view (and snapshots) of every negotiation stream the append touched."""
        stored = [event.stored for event in appended]
        for stream, grouped in groupby(stored, key=lambda event: event.stream):
            negotiation_id = negotiation_id_from_stream(stream)
            if negotiation_id is None:
                continue
            group = list(grouped)
            version = current_version(connection, negotiation_id)
            saver = _snapshot_saver(connection, negotiation_id)
            refused: list[RefusedReference] = []
            if version is None:
                created = fold_onto(None, negotiation_id, group, saver, refused)
                if refused:
                    raise ReferencesRefused(refused)
                self.cache.put(
                    negotiation_id,
                    KeptState(created.state, None, pending=created.last_stream_version),
                )
                save_view(connection, created, exists=False)
                continue
            kept = _kept_for_append(connection, self.cache, negotiation_id, version)
            with kept.lock:
                kept.version = None
                start = StoredView(negotiation_id, stream, kept.state, -1, version)
                updated = fold_onto(start, negotiation_id, group, saver, refused)
                if refused:
                    raise ReferencesRefused(refused)
                kept.state, kept.pending = updated.state, updated.last_stream_version
            save_view(connection, updated, exists=True)


def _kept_view(negotiation_id: str, kept: KeptState, version: int) -> StoredView:
    """Return a view of a kept state (its position is in the state itself)."""
    stream = NEGOTIATION_STREAM_PREFIX + negotiation_id
    position = int(kept.state.last_position.get("position", -1))
    return StoredView(
        negotiation_id, stream, kept.state, position, version, kept.index, kept.finished
    )


class NegotiationViews:
    """Reads of the view table."""

    def __init__(self, engine: Engine, cache: StateCache | None = None) -> None:
        self.engine = engine
        self.cache = StateCache() if cache is None else cache

    def get(self, negotiation_id: str) -> StoredView | None:
        """Return the current view of negotiation_id (a state the caller owns), or None."""
        with self.engine.connect() as conn:
            return load_view(conn, negotiation_id)

    @contextmanager
    def current(
        self, negotiation_id: str, version: int | None = None
    ) -> Iterator[StoredView | None]:
        """Give the current view (at `version` when given) to read, not change, in the block.

        The state is the one kept in the process when it is at that version, read under its
        lock so no append changes it meanwhile; else it is loaded and kept. None when the
        negotiation has no view, or the view has moved past `version`.

        A state kept at the version asked for is the state right after that version whatever
        the row says since, so it is given without reading the row again.
        """
        if version is not None:
            kept = self.cache.get(negotiation_id)
            if kept is not None and kept.version == version:
                with kept.lock:
                    if kept.version == version:
                        yield _kept_view(negotiation_id, kept, version)
                        return
        with self.engine.connect() as conn:
            found = current_version(conn, negotiation_id)
        if found is None or (version is not None and found != version):
            yield None
            return
        kept = self.cache.get(negotiation_id)
        if kept is not None and kept.version == found:
            with kept.lock:
                if kept.version == found:
                    yield _kept_view(negotiation_id, kept, found)
                    return
        with self.engine.connect() as conn:
            loaded = load_view(conn, negotiation_id)
        if loaded is None or (version is not None and loaded.last_stream_version != version):
            yield None
            return
        kept = self.cache.get(negotiation_id)
        if kept is None or (
            kept.pending is None and (kept.version or -1) < loaded.last_stream_version
        ):
            kept = KeptState(loaded.state, loaded.last_stream_version)
            self.cache.put(negotiation_id, kept)
            with kept.lock:
                yield replace(loaded, index=kept.index, finished=kept.finished)
            return
        yield loaded

    def summaries_after(
        self, after_id: str, limit: int, party_id: str = "", phase: str = ""
    ) -> list[ViewSummary]:
        """Return up to limit summaries whose ids sort after after_id, filtered, in id order."""
        table = negotiation_views
        query = sa.select(
            table.c.negotiation_id,
            table.c.title,
            table.c.party_ids,
            table.c.party_names,
            table.c.stream,
            table.c.last_position,
            table.c.phase,
        ).where(table.c.negotiation_id > after_id)
        if party_id:
            query = query.where(table.c.party_ids.contains(f",{party_id},", autoescape=True))
        if phase:
            query = query.where(table.c.phase == phase)
        query = query.order_by(table.c.negotiation_id).limit(limit)
        with self.engine.connect() as conn:
            return [
                ViewSummary(
                    negotiation_id=row[0],
                    title=row[1],
                    party_ids=tuple(p for p in row[2].split(",") if p),
                    party_names=tuple(json.loads(row[3])),
                    stream=row[4],
                    last_position=row[5],
                    phase=row[6],
                )
                for row in conn.execute(query)
            ]

    def list_after(self, after_id: str, limit: int) -> list[StoredView]:
        """Return up to limit views whose ids sort after after_id, in id order."""
        query = (
            sa.select(*_COLUMNS)
            .where(negotiation_views.c.negotiation_id > after_id)
            .order_by(negotiation_views.c.negotiation_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_decode(conn, row) for row in conn.execute(query).all()]

    def all(self) -> Iterator[StoredView]:
        """Yield every stored view in id order."""
        after = ""
        while page := self.list_after(after, 100):
            yield from page
            after = page[-1].negotiation_id
