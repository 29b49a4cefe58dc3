"""A cheap check that the database answers, over a connection of its own.

The probe keeps one connection apart from the service's pool, so a pool that is busy with
slow calls does not make a healthy database look down, and a database that is down is
seen even while every pooled connection waits on it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.store.engine import create_engine

PROBE_TIMEOUT_SECONDS = 2.0


class DatabaseProbe:
    """Runs `SELECT 1` against the database of an engine, on a pool of one connection."""

    def __init__(self, engine: Engine, timeout_seconds: float = PROBE_TIMEOUT_SECONDS) -> None:
        self._engine = create_engine(
            engine.url.render_as_string(hide_password=False),
            connect_timeout_seconds=timeout_seconds,
            statement_timeout_seconds=timeout_seconds,
            lock_timeout_seconds=timeout_seconds,
            pool_timeout_seconds=timeout_seconds,
            pool_size=1,
            max_overflow=0,
        )

    def check(self) -> None:
        """Return when the database answers; raise the driver's error when it does not."""
        with self._engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()

    def close(self) -> None:
        """Close the probe's connection."""
        self._engine.dispose()
