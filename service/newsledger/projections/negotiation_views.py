"""The negotiation view table: folded state per negotiation, updated as events are appended.

The projector folds each append's negotiation events in the append transaction, so a read
after an append sees it, and writes a snapshot each time a stream passes a snapshot point.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.domain.events import StoredEvent
from newsledger.domain.negotiation import fold_in_place, negotiation_id_from_stream
from newsledger.domain.state import NegotiationState
from newsledger.projections.snapshots import (
    decode_state,
    encode_state,
    is_snapshot_point,
    save_snapshot,
)
from newsledger.store.records import AppendedEvent
from newsledger.store.tables import negotiation_views


@dataclass(frozen=True, slots=True)
class StoredView:
    """A negotiation's folded state and the last event folded into it."""

    negotiation_id: str
    stream: str
    state: NegotiationState
    last_position: int
    last_stream_version: int


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
    negotiation_views.c.state,
    negotiation_views.c.last_position,
    negotiation_views.c.last_stream_version,
)


def _decode(row: Sequence[Any]) -> StoredView:
    return StoredView(row[0], row[1], decode_state(row[2]), row[3], row[4])


def load_view(conn: Connection, negotiation_id: str) -> StoredView | None:
    """Return the stored view of negotiation_id, or None if it has none."""
    query = sa.select(*_COLUMNS).where(negotiation_views.c.negotiation_id == negotiation_id)
    row = conn.execute(query).first()
    return None if row is None else _decode(row)


def load_view_at(conn: Connection, negotiation_id: str, stream_version: int) -> StoredView | None:
    """Return the stored view if it has folded exactly up to stream_version, else None."""
    table = negotiation_views
    query = sa.select(*_COLUMNS).where(
        table.c.negotiation_id == negotiation_id, table.c.last_stream_version == stream_version
    )
    row = conn.execute(query).first()
    return None if row is None else _decode(row)


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
    """Insert or replace the stored view, with the columns listings read."""
    state = view.state
    values = {
        "stream": view.stream,
        "state": encode_state(state),
        "last_position": view.last_position,
        "last_stream_version": view.last_stream_version,
        "title": state.title,
        "party_ids": "," + "".join(f"{party['party_id']}," for party in state.parties),
        "party_names": json.dumps([str(p.get("name", p["party_id"])) for p in state.parties]),
        "phase": state.phase,
    }
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
) -> StoredView:
    """Return view with events (of one negotiation stream, in order) folded in.

    `on_snapshot` receives the state at every snapshot point the events pass.
    """
    state = None if view is None else view.state
    start = 0
    for index, event in enumerate(events):
        if on_snapshot is not None and is_snapshot_point(event.stream_version):
            state = fold_in_place([e.to_domain() for e in events[start : index + 1]], state)
            assert state is not None
            on_snapshot(event, state)
            start = index + 1
    state = fold_in_place([e.to_domain() for e in events[start:]], state)
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


class NegotiationProjector:
    """Folds each append's negotiation events into the view table, in the same transaction."""

    def on_append(self, connection: Connection, appended: Sequence[AppendedEvent]) -> None:
        """Update the view (and snapshots) of every negotiation stream the append touched."""
        stored = [event.stored for event in appended]
        for stream, group in groupby(stored, key=lambda event: event.stream):
            negotiation_id = negotiation_id_from_stream(stream)
            if negotiation_id is None:
                continue
            current = load_view(connection, negotiation_id)
            updated = fold_onto(
                current, negotiation_id, list(group), _snapshot_saver(connection, negotiation_id)
            )
            save_view(connection, updated, exists=current is not None)


class NegotiationViews:
    """Reads of the view table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, negotiation_id: str) -> StoredView | None:
        """Return the current view of negotiation_id, or None if it has none."""
        with self.engine.connect() as conn:
            return load_view(conn, negotiation_id)

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
            return [_decode(row) for row in conn.execute(query)]

    def all(self) -> Iterator[StoredView]:
        """Yield every stored view in id order."""
        after = ""
        while page := self.list_after(after, 100):
            yield from page
            after = page[-1].negotiation_id
