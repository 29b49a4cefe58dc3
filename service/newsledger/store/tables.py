"""The tables, on one MetaData with a naming convention so constraints have stable names."""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only gives 64-bit integer keys to columns declared exactly INTEGER.
BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

events = sa.Table(
    "events",
    metadata,
    # The global sequence number: 0-based, gap-free, assigned under the append lock,
    # equal to the event's leaf index in the audit log.
    sa.Column("position", BigInt, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
    sa.Column("stream", sa.String(200), nullable=False),
    sa.Column("stream_version", BigInt, nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("schema_version", sa.Integer(), nullable=False),
    # JSON objects, normalised (sorted keys, compact) so an exact retry compares equal.
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("metadata", sa.Text(), nullable=False),
    # Record time in microseconds since the Unix epoch (UTC); never decreases with position.
    sa.Column("recorded_at_us", BigInt, nullable=False),
    # The event as a reader receives it: a serialised response holding just this event
    # (store/wire_form.py), written in the same insert, so a page of the log is its rows'
    # items joined. NULL only for a row written without it; reads then build it.
    sa.Column("response_item", sa.LargeBinary(), nullable=True),
    sa.UniqueConstraint("stream", "stream_version", name="uq_events_stream_version"),
)

# Known-at queries find a stream's last event recorded by an instant through this index.
sa.Index(
    "ix_events_stream_recorded_at_us",
    events.c.stream,
    events.c.recorded_at_us,
    events.c.stream_version,
)

negotiation_views = sa.Table(
    "negotiation_views",
    metadata,
    sa.Column("negotiation_id", sa.String(63), primary_key=True),
    sa.Column("stream", sa.String(200), nullable=False, unique=True),
    # Empty since 0006: the folded state is kept in the process and loaded from the latest
    # snapshot plus the events after it, so the row stays small (an update never rewrites
    # a large value).
    sa.Column("state", sa.Text(), nullable=False),
    sa.Column("last_position", BigInt, nullable=False),
    sa.Column("last_stream_version", BigInt, nullable=False),
    # What listings show and filter on, so a listing never decodes a state.
    sa.Column("title", sa.Text(), nullable=False, server_default=""),
    # The party ids as ",us,cn," so a filter is one LIKE '%,us,%'.
    sa.Column("party_ids", sa.Text(), nullable=False, server_default=""),
    # The party names as a JSON list, in the parties' order.
    sa.Column("party_names", sa.Text(), nullable=False, server_default="[]"),
    sa.Column("phase", sa.String(64), nullable=False, server_default=""),
)

# The folded state of a negotiation after every SNAPSHOT_INTERVAL-th event of its stream,
# written in the append transaction. Derived data: `newsledger rebuild` rewrites it, and rows
# of another fold version are ignored.
negotiation_snapshots = sa.Table(
    "negotiation_snapshots",
    metadata,
    sa.Column("negotiation_id", sa.String(63), primary_key=True),
    sa.Column("stream_version", BigInt, primary_key=True, autoincrement=False),
    sa.Column("position", BigInt, nullable=False),
    sa.Column("recorded_at_us", BigInt, nullable=False),
    sa.Column("fold_version", sa.Integer(), nullable=False),
    sa.Column("state", sa.Text(), nullable=False),
)

# The verifiable audit log (docs/audit.md): written in the same transaction as each append.
audit_leaves = sa.Table(
    "audit_leaves",
    metadata,
    # The leaf index, equal to the event's position.
    sa.Column("position", BigInt, primary_key=True, autoincrement=False),
    # The RFC 8785 canonical envelope, stored verbatim and never re-serialised.
    sa.Column("leaf", sa.LargeBinary(), nullable=False),
)

audit_nodes = sa.Table(
    "audit_nodes",
    metadata,
    # Node (level, idx) is the hash of the complete subtree over leaves
    # [idx * 2**level, (idx + 1) * 2**level); level 0 holds the leaf hashes.
    sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("idx", BigInt, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    # The size is the key: the database itself refuses a second root for one size.
    sa.Column("size", BigInt, primary_key=True, autoincrement=False),
    sa.Column("root", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("signed_at_us", BigInt, nullable=False),
)

# The log's identity: its origin (named in every leaf), fixed when the first server starts.
audit_log_identity = sa.Table(
    "audit_log_identity",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("origin", sa.Text(), nullable=False),
    sa.Column("created_at_us", BigInt, nullable=False),
    # The key that signs new checkpoints; changed only by a compare-and-set handover.
    sa.Column("active_vkey", sa.Text(), nullable=True),
    sa.CheckConstraint("id = 1", name="single_row"),
)

# Every key that has signed the log's checkpoints, the active one last.
audit_signing_keys = sa.Table(
    "audit_signing_keys",
    metadata,
    sa.Column("vkey", sa.Text(), primary_key=True),
    sa.Column("activated_at_us", BigInt, nullable=False),
    sa.Column("retired_at_us", BigInt, nullable=True),
    # The signed handover note that introduced this key (None for the log's first key).
    sa.Column("handover", sa.Text(), nullable=True),
)

# Witness cosignatures collected for the log's checkpoints (c2sp.org/tlog-cosignature).
audit_cosignatures = sa.Table(
    "audit_cosignatures",
    metadata,
    sa.Column("size", BigInt, primary_key=True, autoincrement=False),
    sa.Column("key_name", sa.Text(), primary_key=True),
    sa.Column("key_id", BigInt, primary_key=True, autoincrement=False),
    sa.Column("line", sa.Text(), nullable=False),
    sa.Column("cosigned_at", BigInt, nullable=False),
    sa.Column("received_at_us", BigInt, nullable=False),
)

# The log's model of each witness: the last size it cosigned for this log, and why it failed.
audit_witness_state = sa.Table(
    "audit_witness_state",
    metadata,
    sa.Column("vkey", sa.Text(), primary_key=True),
    sa.Column("known_size", BigInt, nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("updated_at_us", BigInt, nullable=False),
)

# The known_at watermark (one row): the latest record time a known_at query has been
# answered at. Appends record strictly after it, so no answer given can change.
known_at_watermark = sa.Table(
    "known_at_watermark",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("answered_us", BigInt, nullable=False),
    sa.CheckConstraint("id = 1", name="single_row"),
)
