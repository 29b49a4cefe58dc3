"""Record time: a negotiation's state as the ledger knew it at a past instant.

The cut is the stream's last event recorded at or before the instant (one index lookup). The
state there is the latest snapshot at or before the cut plus the tail of events after it, so
the cost is one snapshot and fewer than SNAPSHOT_INTERVAL events, whatever the log's length.
Record times never decrease along the log, so an answer at a past instant never changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.projections.negotiation_views import view_at_version
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


__all__ = ["version_known_at", "view_at_version"]
