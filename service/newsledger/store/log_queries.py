"""The SQL of the log: the columns read, page queries, and the append's lookups and rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.domain.events import StoredEvent
from newsledger.store.errors import EventIdConflict
from newsledger.store.records import ProposedEvent
from newsledger.store.tables import events, known_at_watermark
from newsledger.store.wire_form import response_item

EVENT_COLUMNS = (
    events.c.position,
    events.c.event_id,
    events.c.stream,
    events.c.stream_version,
    events.c.event_type,
    events.c.schema_version,
    events.c.payload,
    events.c.metadata,
    events.c.recorded_at_us,
)
"""The events table's columns in StoredEvent's field order: `StoredEvent(*row)` reads a row."""


Bound = sa.ColumnElement[Any]
"""A bind parameter standing for a value, where a query is compiled once for many values."""


def stream_query(
    columns: Sequence[sa.ColumnElement[Any]],
    stream: str | Bound,
    from_version: int | Bound | None,
    backwards: bool,
    limit: int | Bound,
) -> sa.Select[Any]:
    """Select up to limit events of stream from from_version (inclusive), in either order."""
    query = sa.select(*columns).where(events.c.stream == stream)
    column = events.c.stream_version
    if from_version is not None:
        query = query.where(column <= from_version if backwards else column >= from_version)
    return query.order_by(column.desc() if backwards else column).limit(limit)


def log_query(
    columns: Sequence[sa.ColumnElement[Any]],
    from_position: int | Bound | None,
    to_position: int | Bound | None,
    backwards: bool,
    limit: int | Bound,
    stream: str | Bound | None,
    event_types: Iterable[str | Bound],
) -> sa.Select[Any]:
    """Select up to limit events of the log between from_ and to_position (inclusive)."""
    query = sa.select(*columns)
    column = events.c.position
    if from_position is not None:
        query = query.where(column <= from_position if backwards else column >= from_position)
    if to_position is not None:
        query = query.where(column >= to_position if backwards else column <= to_position)
    if stream is not None:
        query = query.where(events.c.stream == stream)
    types = list(event_types)
    if types:
        query = query.where(events.c.event_type.in_(types))
    return query.order_by(column.desc() if backwards else column).limit(limit)


_STREAM_VERSION = sa.select(sa.func.max(events.c.stream_version)).where(
    events.c.stream == sa.bindparam("stream")
)
_LOG_HEAD = (
    sa.select(events.c.position, events.c.recorded_at_us)
    .order_by(events.c.position.desc())
    .limit(1)
)
_BY_IDS = sa.select(*EVENT_COLUMNS).where(
    events.c.event_id.in_(sa.bindparam("ids", expanding=True))
)
# Built once, so each append's lookups hit SQLAlchemy's compiled cache without rebuilding.


def stream_version(conn: Connection, stream: str) -> int | None:
    """Return the version of the stream's last event, or None if it has none."""
    version: int | None = conn.execute(_STREAM_VERSION, {"stream": stream}).scalar()
    return version


_WATERMARK = sa.select(known_at_watermark.c.answered_us).where(known_at_watermark.c.id == 1)
# Reads the watermark row in share mode on PostgreSQL (SQLite has no row locks): it stays
# locked until the append commits, so raising the watermark waits for this append.
_HEADS = (
    sa.select(
        _STREAM_VERSION.scalar_subquery(),
        _LOG_HEAD.with_only_columns(events.c.position).scalar_subquery(),
        _LOG_HEAD.with_only_columns(events.c.recorded_at_us).scalar_subquery(),
        known_at_watermark.c.answered_us,
    )
    .where(known_at_watermark.c.id == 1)
    .with_for_update(read=True, of=known_at_watermark)
)
_RECORD_TIME_HEADS = sa.select(
    _LOG_HEAD.with_only_columns(events.c.recorded_at_us).scalar_subquery(),
    _WATERMARK.scalar_subquery(),
)


def stream_and_log_heads(conn: Connection, stream: str) -> tuple[int | None, int, int]:
    """Return the stream's version (None: no stream), the log's last position (-1 for an
    empty log) and the record time the next append must exceed, in one query: the later of
    the last event's record time and the known_at watermark."""
    row = conn.execute(_HEADS, {"stream": stream}).one()
    version, position, recorded_at_us, answered_us = row
    floor = max(recorded_at_us or 0, answered_us or 0)
    return version, -1 if position is None else position, floor


def record_time_heads(conn: Connection) -> tuple[int, int]:
    """Return the last event's record time (-1 for an empty log) and the known_at watermark."""
    recorded_at_us, answered_us = conn.execute(_RECORD_TIME_HEADS).one()
    return (-1 if recorded_at_us is None else recorded_at_us), answered_us or 0


def raise_watermark(conn: Connection, known_at_us: int) -> None:
    """Raise the known_at watermark to known_at_us, unless it is there already."""
    conn.execute(
        known_at_watermark.update()
        .where(known_at_watermark.c.id == 1, known_at_watermark.c.answered_us < known_at_us)
        .values(answered_us=known_at_us)
    )


def log_head(conn: Connection) -> tuple[int, int]:
    """Return (last position, its record time), or (-1, 0) for an empty log."""
    row = conn.execute(_LOG_HEAD).first()
    return (-1, 0) if row is None else (row[0], row[1])


def rows_of(conn: Connection, appended: Sequence[StoredEvent]) -> list[tuple[Any, ...]]:
    """Return the events table rows of appended events, each id as the driver takes it.

    Each row ends with the event's response item, which reads send as stored.
    """
    as_hex = conn.dialect.name == "sqlite"  # SQLAlchemy's Uuid keeps 32 hex digits there
    return [
        (
            event.position,
            event.event_id.hex if as_hex else event.event_id,
            event.stream,
            event.stream_version,
            event.event_type,
            event.schema_version,
            event.payload,
            event.metadata,
            event.recorded_at_us,
            response_item(event),
        )
        for event in appended
    ]


def by_ids(conn: Connection, event_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, StoredEvent]:
    """Return the recorded events among these ids, keyed by id."""
    rows = conn.execute(_BY_IDS, {"ids": list(event_ids)})
    return {row.event_id: StoredEvent(*row) for row in rows}


def already_recorded(
    conn: Connection,
    stream: str,
    proposed: Sequence[ProposedEvent],
    texts: Sequence[tuple[str, str]],
) -> dict[uuid.UUID, StoredEvent]:
    """Return the batch's events already in the log; raise if one differs from its retry.

    texts are the proposed events' normalised payload and metadata, as the store keeps them.
    """
    wanted = {event.event_id: (event, text) for event, text in zip(proposed, texts, strict=True)}
    found = by_ids(conn, wanted)
    for event_id, stored in found.items():
        event, (payload, metadata) = wanted[event_id]
        if stored.stream != stream:
            raise EventIdConflict(event_id, f"already recorded in stream {stored.stream!r}")
        same = (
            stored.event_type == event.event_type
            and stored.schema_version == event.schema_version
            and stored.payload == payload
            and stored.metadata == metadata
        )
        if not same:
            raise EventIdConflict(event_id, "already recorded with different content")
    return found
