"""Snapshots of negotiation states every SNAPSHOT_INTERVAL events, for known-at queries.

A past-point query loads the latest snapshot at or before its cut and folds the tail (fewer
than SNAPSHOT_INTERVAL events), never the whole stream. Snapshots are derived data: they are
written in the append transaction, rewritten by a rebuild, and ignored when an older fold
version wrote them.
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


def is_snapshot_point(stream_version: int) -> bool:
    """Tell whether the state after this stream version is snapshotted."""
    return (stream_version + 1) % SNAPSHOT_INTERVAL == 0


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
