"""Appending with today's store to a database at a revision older than the code's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.store.tables import known_at_watermark

OLDER_EVENT_COLUMNS = (
    "position, event_id, stream, stream_version, event_type, schema_version, payload, "
    "metadata, recorded_at_us"
)
"""The events table's columns as every revision before 0007 had them."""


@contextmanager
def appending_to_an_older_schema(engine: Engine) -> Iterator[None]:
    """Let today's store append to a database migrated to a revision before 0005.

    An append reads the known_at watermark (0005) and writes each event's response item
    (0007), which an older schema lacks: a zero watermark and the column stand in while the
    block runs (they change no record time and no field), and are gone after, so the upgrade
    creates them as on a database that never had them.
    """
    known_at_watermark.create(engine)
    with engine.begin() as connection:
        connection.execute(known_at_watermark.insert().values(id=1, answered_us=0))
        binary = "BLOB" if engine.dialect.name == "sqlite" else "BYTEA"
        connection.execute(sa.text(f"ALTER TABLE events ADD COLUMN response_item {binary}"))
    try:
        yield
    finally:
        known_at_watermark.drop(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE events DROP COLUMN response_item"))


def older_event_rows(engine: Engine) -> list[tuple[object, ...]]:
    """Return the columns every revision has of every event row, as the database holds them."""
    with engine.connect() as connection:
        query = sa.text(f"SELECT {OLDER_EVENT_COLUMNS} FROM events ORDER BY position")
        return [tuple(row) for row in connection.execute(query)]
