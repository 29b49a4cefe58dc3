"""The publication axis: a negotiation's state from only what had been reported by an instant.

Which developments were reported by an instant does not follow stream order, so no snapshot
serves it: the state is folded from the stream's events up to the record-time cut, keeping
those reported by then (`newsledger.domain.reported`). Problems and the last position are
those of the ledger at the cut: a correction left out with its target is not a problem.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from newsledger.domain.negotiation import stream_for
from newsledger.domain.reported import reported_state
from newsledger.projections.negotiation_views import StoredView, events_between


def reported_view(conn: Connection, at_cut: StoredView, instant: datetime) -> StoredView:
    """Return the view at a cut holding only the developments reported by the instant."""
    stream = stream_for(at_cut.negotiation_id)
    events = [
        event.to_domain() for event in events_between(conn, stream, 0, at_cut.last_stream_version)
    ]
    state = reported_state(events, instant, at_cut.state)
    if state is None:  # pragma: no cover - the opening is always kept
        return at_cut
    state.problems = at_cut.state.problems
    state.last_position = at_cut.state.last_position
    return StoredView(
        at_cut.negotiation_id, stream, state, at_cut.last_position, at_cut.last_stream_version
    )
