"""Rebuild the negotiation views from the log, and compare them with the live ones."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, negotiation_id_from_stream
from newsledger.projections.negotiation_views import (
    NegotiationViews,
    StoredView,
    fold_onto,
    load_view,
    save_view,
)
from newsledger.store import locking
from newsledger.store.event_store import EventStore
from newsledger.store.tables import events

PAGE = 1000


def negotiation_streams(store: EventStore) -> list[str]:
    """Return the names of every negotiation stream in the log."""
    query = (
        sa.select(events.c.stream)
        .where(events.c.stream.startswith(NEGOTIATION_STREAM_PREFIX, autoescape=True))
        .distinct()
        .order_by(events.c.stream)
    )
    with store.engine.connect() as conn:
        return [
            stream for stream in conn.execute(query).scalars() if negotiation_id_from_stream(stream)
        ]


def fold_stream(store: EventStore, stream: str) -> StoredView | None:
    """Return the view of one negotiation stream folded from scratch."""
    negotiation_id = negotiation_id_from_stream(stream)
    if negotiation_id is None:
        return None
    view: StoredView | None = None
    version = 0
    while page := store.read_stream(stream, from_version=version, limit=PAGE):
        view = fold_onto(view, negotiation_id, page)
        version = page[-1].stream_version + 1
    return view


def rebuild_views(store: EventStore, progress: Callable[[str], None] = lambda _: None) -> int:
    """Replace every stored view with one folded from scratch; return how many were rebuilt.

    Each stream is refolded while holding the append lock, so concurrent appends wait for
    at most one stream and the rebuilt view includes every event committed before it.
    """
    streams = negotiation_streams(store)
    for number, stream in enumerate(streams, start=1):
        with locking.append_transaction(store.engine, store.lock_timeout_seconds) as conn:
            rebuilt = fold_stream(store, stream)
            if rebuilt is None:
                continue
            current = load_view(conn, rebuilt.negotiation_id)
            save_view(conn, rebuilt, exists=current is not None)
        progress(f"rebuilt {number}/{len(streams)}: {stream}")
    return len(streams)


def views_differing_from_rebuild(store: EventStore) -> list[str]:
    """Return the ids of negotiations whose stored view differs from a fresh fold."""
    live = {view.negotiation_id: view for view in NegotiationViews(store.engine).all()}
    differing = []
    for stream in negotiation_streams(store):
        fresh = fold_stream(store, stream)
        if fresh is None:
            continue
        stored = live.pop(fresh.negotiation_id, None)
        if stored is None or stored.state.to_json() != fresh.state.to_json():
            differing.append(fresh.negotiation_id)
    return sorted([*differing, *live])
