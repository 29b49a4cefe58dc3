"""The negotiation view table: folded state per negotiation, updated as events are appended."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.domain.negotiation import apply_event, negotiation_id_from_stream
from newsledger.domain.state import NegotiationState
from newsledger.store.records import StoredEvent
from newsledger.store.tables import negotiation_views


@dataclass(frozen=True, slots=True)
class StoredView:
    """A negotiation's folded state and the last event folded into it."""

    negotiation_id: str
    stream: str
    state: NegotiationState
    last_position: int
    last_stream_version: int


def _encode(state: NegotiationState) -> str:
    return json.dumps(state.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode(row: Sequence[Any]) -> StoredView:
    return StoredView(
        negotiation_id=row[0],
        stream=row[1],
        state=NegotiationState.from_json(json.loads(row[2])),
        last_position=row[3],
        last_stream_version=row[4],
    )


_COLUMNS = (
    negotiation_views.c.negotiation_id,
    negotiation_views.c.stream,
    negotiation_views.c.state,
    negotiation_views.c.last_position,
    negotiation_views.c.last_stream_version,
)


def load_view(conn: Connection, negotiation_id: str) -> StoredView | None:
    """Return the stored view of negotiation_id, or None if it has none."""
    query = sa.select(*_COLUMNS).where(negotiation_views.c.negotiation_id == negotiation_id)
    row = conn.execute(query).first()
    return None if row is None else _decode(row)


def save_view(conn: Connection, view: StoredView, *, exists: bool) -> None:
    """Insert or replace the stored view."""
    values = {
        "stream": view.stream,
        "state": _encode(view.state),
        "last_position": view.last_position,
        "last_stream_version": view.last_stream_version,
    }
    table = negotiation_views
    if exists:
        conn.execute(
            table.update().where(table.c.negotiation_id == view.negotiation_id).values(**values)
        )
    else:
        conn.execute(table.insert().values(negotiation_id=view.negotiation_id, **values))


def fold_onto(
    view: StoredView | None, negotiation_id: str, events: Sequence[StoredEvent]
) -> StoredView:
    """Return view with events folded in (events of one negotiation stream, in order)."""
    state = None if view is None else view.state
    for event in events:
        state = apply_event(state, event.to_domain())
    assert state is not None
    return StoredView(
        negotiation_id=negotiation_id,
        stream=events[-1].stream,
        state=state,
        last_position=events[-1].position,
        last_stream_version=events[-1].stream_version,
    )


class NegotiationProjector:
    """Folds each append's negotiation events into the view table, in the same transaction."""

    def on_append(self, connection: Connection, appended: Sequence[StoredEvent]) -> None:
        """Update the view of every negotiation stream the append touched."""
        for stream, group in groupby(appended, key=lambda event: event.stream):
            negotiation_id = negotiation_id_from_stream(stream)
            if negotiation_id is None:
                continue
            current = load_view(connection, negotiation_id)
            updated = fold_onto(current, negotiation_id, list(group))
            save_view(connection, updated, exists=current is not None)


class NegotiationViews:
    """Reads of the view table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, negotiation_id: str) -> StoredView | None:
        """Return the current view of negotiation_id, or None if it has none."""
        with self.engine.connect() as conn:
            return load_view(conn, negotiation_id)

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
