"""Record time: a negotiation's state as the ledger knew it at a past instant.

The cut is the stream's last event recorded at or before the instant (one index lookup). The
state there is the latest snapshot at or before the cut plus the tail of events after it, so
the cost is one snapshot and fewer than SNAPSHOT_INTERVAL events, whatever the log's length.
Record times never decrease along the log, so an answer at a past instant never changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.domain.events import StoredEvent
from newsledger.domain.negotiation import fold_in_place, stream_for
from newsledger.projections.negotiation_views import StoredView, load_view_at
from newsledger.projections.snapshots import latest_snapshot
from newsledger.store.log_queries import EVENT_COLUMNS
from newsledger.store.tables import events


def version_known_at(conn: Connection, stream: str, known_at_us: int) -> int | None:
    """Return the version of the stream's last event recorded at or before the instant."""
    query = (
        sa.select(events.c.stream_version)
        .where(events.c.stream == stream, events.c.recorded_at_us <= known_at_us)
        .order_by(events.c.recorded_at_us.desc(), events.c.stream_version.desc())
        .limit(1)
    )
    version: int | None = conn.execute(query).scalar()
    return version


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

    When the stored view has folded exactly up to `cut` it is the answer, read in the same
    statement that checks its version, so an append landing meanwhile cannot slip in.
    """
    stored = load_view_at(conn, negotiation_id, cut)
    if stored is not None:
        return stored
    stream = stream_for(negotiation_id)
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
