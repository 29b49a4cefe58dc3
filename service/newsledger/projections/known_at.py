"""Record time: a negotiation's state as the ledger knew it at a past instant.

The cut is the stream's last event recorded at or before the instant (one index lookup). The
state there is the latest snapshot at or before the cut plus the tail of events after it, so
the cost is one snapshot and fewer than SNAPSHOT_INTERVAL events, whatever the log's length.
Record times never decrease along the log, so an answer at a past instant never changes.

With states of earlier cuts kept in the process (`PastStates`), a cut past one of them and
no further than a snapshot step folds only the events between the two (`view_after`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, fold_in_place
from newsledger.domain.state import NegotiationState
from newsledger.projections.negotiation_views import StoredView, events_between, view_at_version
from newsledger.projections.past_states import PastState, PastStates
from newsledger.projections.snapshots import snapshot_step
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


def latest_snapshot_point(cut: int) -> int:
    """Return the last stream version at or before `cut` that is snapshotted (-1 for none)."""
    step = snapshot_step(cut)
    return (cut + 1) // step * step - 1


def folded_version(state: NegotiationState) -> int:
    """Return the stream version of the last event folded into a state."""
    return int(state.last_position["stream_version"])


def view_after(
    conn: Connection, past: PastStates, negotiation_id: str, cut: int
) -> StoredView | None:
    """Return what `view_at_version` returns, folding from a kept past state when one is near.

    A kept state is used when it is at or past the latest snapshot point at or before the
    cut, so it never folds more events than the snapshot would. The view's state is the
    caller's; `keep_past` gives it back once the caller is done with it.
    """
    kept = past.take(negotiation_id, cut, latest_snapshot_point(cut))
    if kept is None:
        return view_at_version(conn, negotiation_id, cut)
    stream = NEGOTIATION_STREAM_PREFIX + negotiation_id
    tail = events_between(conn, stream, kept.stream_version + 1, cut)
    state = fold_in_place([event.to_domain() for event in tail], kept.state)
    assert state is not None
    last_position = tail[-1].position if tail else kept.last_position
    return StoredView(negotiation_id, stream, state, last_position, cut)


def keep_past(past: PastStates, view: StoredView) -> None:
    """Keep a past view's state, at the version of the last event folded into it.

    Not the view's cut: a cut may lie past the stream's last event (a page token names any
    version), and the state is only known to be the state right after the event it folded.
    """
    if "stream_version" not in view.state.last_position:  # pragma: no cover - always set
        return
    version = folded_version(view.state)
    past.give_back(view.negotiation_id, PastState(version, view.last_position, view.state))


__all__ = ["keep_past", "version_known_at", "view_after", "view_at_version"]
