"""Rebuild the negotiation views and snapshots from the log, and compare them with the live ones."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.domain.events import StoredEvent
from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, negotiation_id_from_stream
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.projections.negotiation_views import (
    NegotiationViews,
    SnapshotSink,
    StoredView,
    fold_onto,
    save_view,
    view_exists,
)
from newsledger.projections.snapshots import (
    delete_snapshots,
    latest_snapshot,
    save_snapshot,
    snapshot_versions,
)
from newsledger.store import locking
from newsledger.store.event_store import EventStore
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.tables import events

PAGE = 1000


def negotiation_streams(conn: Connection) -> list[str]:
    """Return the names of every negotiation stream in the log."""
    query = (
        sa.select(events.c.stream)
        .where(events.c.stream.startswith(NEGOTIATION_STREAM_PREFIX, autoescape=True))
        .distinct()
        .order_by(events.c.stream)
    )
    return [
        stream for stream in conn.execute(query).scalars() if negotiation_id_from_stream(stream)
    ]


def _page(conn: Connection, stream: str, from_version: int) -> list[StoredEvent]:
    """Return up to PAGE events of a stream from a version, read on `conn`."""
    query = (
        sa.select(*EVENT_COLUMNS)
        .where(events.c.stream == stream, events.c.stream_version >= from_version)
        .order_by(events.c.stream_version)
        .limit(PAGE)
    )
    return [StoredEvent(*row) for row in conn.execute(query)]


def fold_stream(
    conn: Connection, stream: str, on_snapshot: SnapshotSink | None = None
) -> StoredView | None:
    """Return the view of one negotiation stream folded from scratch."""
    negotiation_id = negotiation_id_from_stream(stream)
    if negotiation_id is None:
        return None
    view: StoredView | None = None
    version = 0
    while page := _page(conn, stream, version):
        view = fold_onto(view, negotiation_id, page, on_snapshot)
        version = page[-1].stream_version + 1
    return view


def refold_stream(conn: Connection, stream: str) -> StoredView | None:
    """Fold a stream from scratch on `conn`, replacing its stored view and snapshots."""
    negotiation_id = negotiation_id_from_stream(stream)
    if negotiation_id is None:
        return None
    delete_snapshots(conn, negotiation_id)
    rebuilt = fold_stream(
        conn, stream, lambda event, state: save_snapshot(conn, negotiation_id, event, state)
    )
    if rebuilt is not None:
        save_view(conn, rebuilt, exists=view_exists(conn, negotiation_id))
    return rebuilt


def rebuild_views(store: EventStore, progress: Callable[[str], None] = lambda _: None) -> int:
    """Replace every stored view and snapshot with ones folded from scratch; return the count.

    Each stream is refolded while holding the append lock, so concurrent appends wait for
    at most one stream and the rebuilt view includes every event committed before it.
    """
    with store.engine.connect() as conn:
        streams = negotiation_streams(conn)
    for number, stream in enumerate(streams, start=1):
        with locking.append_transaction(store.engine, store.lock_timeout_seconds) as conn:
            refold_stream(conn, stream)
        progress(f"rebuilt {number}/{len(streams)}: {stream}")
    return len(streams)


def views_differing_from_rebuild(store: EventStore) -> list[str]:
    """Return the ids of negotiations whose stored view or snapshots differ from a fresh fold."""
    live = {view.negotiation_id: view for view in NegotiationViews(store.engine).all()}
    differing = []
    with store.engine.connect() as conn:
        for stream in negotiation_streams(conn):
            fresh_snapshots: dict[int, JsonDict] = {}
            fresh = fold_stream(conn, stream, _collector(fresh_snapshots))
            if fresh is None:
                continue
            stored = live.pop(fresh.negotiation_id, None)
            same = stored is not None and stored.state.to_json() == fresh.state.to_json()
            if not same or not _snapshots_match(conn, fresh.negotiation_id, fresh_snapshots):
                differing.append(fresh.negotiation_id)
    return sorted([*differing, *live])


def _collector(into: dict[int, JsonDict]) -> SnapshotSink:
    """Return a snapshot sink that keeps each state's JSON by stream version."""

    def collect(event: StoredEvent, state: NegotiationState) -> None:
        """Keep the state right after `event`."""
        into[event.stream_version] = state.to_json()

    return collect


def _snapshots_match(conn: Connection, negotiation_id: str, fresh: dict[int, JsonDict]) -> bool:
    """Tell whether the stored snapshots are exactly the fresh ones."""
    if list(snapshot_versions(conn, negotiation_id)) != sorted(fresh):
        return False
    for version, state in fresh.items():
        stored = latest_snapshot(conn, negotiation_id, version)
        if stored is None or stored.state.to_json() != state:
            return False
    return True
