"""How far the negotiation views are behind the log they are folded from."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.store.tables import events, negotiation_views


def projection_lag(engine: Engine) -> int:
    """Count the events of negotiation streams recorded after their view's last folded one.

    Views are folded in the append transaction, so this is 0 unless a projection broke;
    each view costs one index lookup of its stream's last version.
    """
    last_version = (
        sa.select(sa.func.max(events.c.stream_version))
        .where(events.c.stream == negotiation_views.c.stream)
        .scalar_subquery()
    )
    behind = sa.func.coalesce(last_version, 0) - negotiation_views.c.last_stream_version
    query = sa.select(sa.func.coalesce(sa.func.sum(behind), 0))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
