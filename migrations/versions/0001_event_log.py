"""The event log and the negotiation views, with immutability enforced by triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

IMMUTABLE = "newsledger: events are immutable; record a correction as a new event"


def upgrade() -> None:
    """Create the tables and the triggers that reject UPDATE, DELETE and TRUNCATE."""
    op.create_table(
        "events",
        sa.Column("position", BigInt, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("stream_version", BigInt, nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("recorded_at_us", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("stream", "stream_version", name="uq_events_stream_version"),
    )
    op.create_table(
        "negotiation_views",
        sa.Column("negotiation_id", sa.String(63), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("last_position", BigInt, nullable=False),
        sa.Column("last_stream_version", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("negotiation_id", name="pk_negotiation_views"),
        sa.UniqueConstraint("stream", name="uq_negotiation_views_stream"),
    )
    create_immutability_triggers("events")


def downgrade() -> None:
    """Drop the triggers and the tables."""
    drop_immutability_triggers("events")
    op.drop_table("negotiation_views")
    op.drop_table("events")


def create_immutability_triggers(table: str) -> None:
    """Make the database itself reject UPDATE, DELETE (and TRUNCATE) on table."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_reject_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION newsledger_reject_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{IMMUTABLE} (% on %)', TG_OP, TG_TABLE_NAME "
        "USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_reject_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION newsledger_reject_change()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_reject_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION newsledger_reject_change()"
    )


def drop_immutability_triggers(table: str) -> None:
    """Remove the triggers create_immutability_triggers made."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_reject_{action}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_reject_change ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_reject_truncate ON {table}")
