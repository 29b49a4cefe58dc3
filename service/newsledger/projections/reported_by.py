"""The publication axis: a negotiation's state from only what had been reported by an instant.

Which developments were reported by an instant does not follow stream order, so no snapshot
serves it: the state is folded from the stream's events up to the record-time cut, keeping
those reported by then (`newsledger.domain.reported`). Problems and the last position are
those of the ledger at the cut: a correction left out with its target is not a problem.

With the stream's events kept in the process (`StreamRows`), only the events the fold takes
are decoded, and the stream is read only past what is kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import stream_for
from newsledger.domain.reported import reported_state, reported_state_of
from newsledger.domain.state import NegotiationState
from newsledger.projections.negotiation_views import StoredView, events_between
from newsledger.projections.stream_rows import StreamRows


def reported_view(
    conn: Connection, at_cut: StoredView, instant: datetime, rows: StreamRows | None = None
) -> StoredView:
    """Return the view at a cut holding only the developments reported by the instant.

    Without `rows` every event up to the cut is read and decoded: the reference the kept
    path is tested against.
    """
    stream = stream_for(at_cut.negotiation_id)
    if rows is None:
        events = [
            event.to_domain()
            for event in events_between(conn, stream, 0, at_cut.last_stream_version)
        ]
        state = reported_state(events, instant, at_cut.state)
    else:
        state = _reported_from_kept(conn, rows, stream, at_cut, instant)
    if state is None:  # pragma: no cover - the opening is always kept
        return at_cut
    state.problems = at_cut.state.problems
    state.last_position = at_cut.state.last_position
    return StoredView(
        at_cut.negotiation_id, stream, state, at_cut.last_position, at_cut.last_stream_version
    )


def _reported_from_kept(
    conn: Connection, rows: StreamRows, stream: str, at_cut: StoredView, instant: datetime
) -> NegotiationState | None:
    """Return the reported state from the kept events, decoding only those it needs."""
    kept = rows.through(conn, stream, at_cut.last_stream_version)

    def event_at(version: int) -> RecordedEvent:
        return kept[version].row.to_domain()

    candidates = [(event.row.stream_version, event.row.event_type, event.dates) for event in kept]
    return reported_state_of(candidates, instant, at_cut.state, event_at)
