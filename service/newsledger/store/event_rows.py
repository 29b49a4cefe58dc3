"""Events read as plain rows, for readers that only copy the fields out (the read API).

Reading a page as StoredEvent builds a uuid.UUID and a dataclass per event, which a reader
that turns the id straight back into text does not need: these rows carry the id as text.

Fast path: ``EVENT_ROW_COLUMNS`` read by ``EventStore.read_*_rows``. Reference: the
``StoredEvent`` that ``EventStore.read_*`` returns. Equivalence test:
``tests/integration/test_event_rows.py`` (both backends).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from newsledger.store.tables import events

EventRow: TypeAlias = tuple[int, str, str, int, str, int, str, str, int]
"""StoredEvent's fields in order, the event id as its canonical text (`str` of the UUID)."""


def canonical_uuid_text(stored: str | None) -> str | None:
    """Return `str(uuid.UUID(stored))` for the text of a Uuid column on SQLite (None for NULL).

    The store writes a UUID there as its 32 lowercase hex digits, which only need the dashes
    put in; any other spelling goes through uuid.UUID.
    """
    if stored is not None and len(stored) == 32 and stored.islower():
        return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"
    return None if stored is None else str(uuid.UUID(stored))


class CanonicalUuidText(TypeDecorator[str]):
    """Text that holds a UUID, read back in canonical form: what `str(uuid_value)` gives."""

    impl = sa.Text
    cache_ok = True

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], str | None] | None:
        """Return the function SQLAlchemy applies to each value read, if any is needed."""
        if dialect.name == "postgresql":
            return None  # the text of a PostgreSQL uuid is canonical already
        return canonical_uuid_text


def uuid_as_text(column: sa.ColumnElement[uuid.UUID]) -> sa.ColumnElement[str]:
    """Return a select expression that reads a Uuid column as its canonical text."""
    return sa.type_coerce(sa.cast(column, sa.Text), CanonicalUuidText()).label(column.name)


EVENT_ROW_COLUMNS = (
    events.c.position,
    uuid_as_text(events.c.event_id),
    events.c.stream,
    events.c.stream_version,
    events.c.event_type,
    events.c.schema_version,
    events.c.payload,
    events.c.metadata,
    events.c.recorded_at_us,
)
"""The columns of an EventRow, in its order."""
