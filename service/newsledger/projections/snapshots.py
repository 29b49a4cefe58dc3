"""Snapshots of negotiation states, for known-at queries and for loading a current state.

A stream is snapshotted every SNAPSHOT_INTERVAL events up to SNAPSHOT_INTERVAL * GROWTH events;
past that, the step grows tenfold with each tenfold of the stream (every 1,000 events from
1,000, every 10,000 from 10,000), so encoding snapshots costs a bounded time per event
(amortised) whatever the negotiation's size. A past-point query, or loading a state the
process does not keep, reads the latest snapshot at or before its cut and folds the tail
(shorter than the step, at most a tenth of the stream), never the whole stream.

Snapshots are derived data: they are written in the append transaction, rewritten by a
rebuild, and ignored when an older fold version wrote them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsledger.domain.events import StoredEvent
from newsledger.domain.negotiation import FOLD_VERSION
from newsledger.domain.state import NegotiationState
from newsledger.store.tables import negotiation_snapshots

SNAPSHOT_INTERVAL = 100
"""A snapshot is taken after stream versions 99, 199, 299… of every negotiation stream."""

GROWTH = 10
"""Past SNAPSHOT_INTERVAL * GROWTH events, the step is the stream's size rounded down to a
power of ten (nine snapshots a decade)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A negotiation's state right after one event of its stream."""

    negotiation_id: str
    stream_version: int
    position: int
    recorded_at_us: int
    state: NegotiationState


def encode_state(state: NegotiationState) -> str:
    """Return a state as compact, key-sorted JSON (equal states give equal text)."""
    return json.dumps(
        state.to_json(shared=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def decode_state(text: str) -> NegotiationState:
    """Return the state a JSON text encodes."""
    return NegotiationState.from_json(json.loads(text), owned=True)


def snapshot_step(stream_version: int) -> int:
    """Return the distance between snapshots around this stream version."""
    count = stream_version + 1
    if count < SNAPSHOT_INTERVAL * GROWTH:
        return SNAPSHOT_INTERVAL
    power: int = 10 ** (len(str(count)) - 1)
    return max(power, SNAPSHOT_INTERVAL)


def is_snapshot_point(stream_version: int) -> bool:
    """Tell whether the state after this stream version is snapshotted."""
    return (stream_version + 1) % snapshot_step(stream_version) == 0


def save_snapshot(
    conn: Connection, negotiation_id: str, after: StoredEvent, state: NegotiationState
) -> None:
    """Store the state right after event `after`."""
    conn.execute(
        negotiation_snapshots.insert().values(
            negotiation_id=negotiation_id,
            stream_version=after.stream_version,
            position=after.position,
            recorded_at_us=after.recorded_at_us,
            fold_version=FOLD_VERSION,
            state=encode_state(state),
        )
    )


def latest_snapshot(conn: Connection, negotiation_id: str, at_most_version: int) -> Snapshot | None:
    """Return the latest current-fold snapshot at or before a stream version, if any."""
    table = negotiation_snapshots
    query = (
        sa.select(table.c.stream_version, table.c.position, table.c.recorded_at_us, table.c.state)
        .where(
            table.c.negotiation_id == negotiation_id,
            table.c.stream_version <= at_most_version,
            table.c.fold_version == FOLD_VERSION,
        )
        .order_by(table.c.stream_version.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    return Snapshot(negotiation_id, row[0], row[1], row[2], decode_state(row[3]))


def snapshot_versions(conn: Connection, negotiation_id: str) -> Sequence[int]:
    """Return the stream versions a negotiation has snapshots after, in order."""
    table = negotiation_snapshots
    query = (
        sa.select(table.c.stream_version)
        .where(table.c.negotiation_id == negotiation_id)
        .order_by(table.c.stream_version)
    )
    return list(conn.execute(query).scalars())


def delete_snapshots(conn: Connection, negotiation_id: str) -> None:
    """Remove every snapshot of a negotiation (before a rebuild writes them again)."""
    table = negotiation_snapshots
    conn.execute(table.delete().where(table.c.negotiation_id == negotiation_id))
