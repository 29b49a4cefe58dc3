"""Negotiation snapshots for known-at queries, listing columns, and a record-time index.

Events are untouched. The negotiation views are folded again from the log, because the
folded state gained valid-time histories and a development registry; the snapshots are
written by the same fold.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
VIEW_COLUMNS = (
    sa.Column("title", sa.Text(), nullable=False, server_default=""),
    sa.Column("party_ids", sa.Text(), nullable=False, server_default=""),
    sa.Column("party_names", sa.Text(), nullable=False, server_default="[]"),
    sa.Column("phase", sa.String(64), nullable=False, server_default=""),
)


def upgrade() -> None:
    """Add the index, the columns and the snapshot table, then refold every negotiation."""
    op.create_index(
        "ix_events_stream_recorded_at_us", "events", ["stream", "recorded_at_us", "stream_version"]
    )
    with op.batch_alter_table("negotiation_views") as batch:
        for column in VIEW_COLUMNS:
            batch.add_column(column._copy())
    op.create_table(
        "negotiation_snapshots",
        sa.Column("negotiation_id", sa.String(63), nullable=False),
        sa.Column("stream_version", BigInt, nullable=False, autoincrement=False),
        sa.Column("position", BigInt, nullable=False),
        sa.Column("recorded_at_us", BigInt, nullable=False),
        sa.Column("fold_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "negotiation_id", "stream_version", name="pk_negotiation_snapshots"
        ),
    )
    _refold()


def _refold() -> None:
    # Imported here so that loading the revision list never imports the application.
    from newsledger.projections.rebuild import negotiation_streams, refold_stream

    conn = op.get_bind()
    for stream in negotiation_streams(conn):
        refold_stream(conn, stream)


def downgrade() -> None:
    """Drop the snapshots, the columns and the index (0002 views then need `rebuild`)."""
    op.drop_table("negotiation_snapshots")
    with op.batch_alter_table("negotiation_views") as batch:
        for column in reversed(VIEW_COLUMNS):
            batch.drop_column(column.name)
    op.drop_index("ix_events_stream_recorded_at_us", "events")
