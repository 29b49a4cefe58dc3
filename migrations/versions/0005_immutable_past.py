"""The known_at watermark, and SQLite triggers that refuse to replace an immutable row.

The watermark is one row: the latest record time a known_at query has been answered at.
Every later append records strictly after it, so that answer cannot change.

On SQLite, `INSERT OR REPLACE` and `REPLACE INTO` resolve a key conflict by deleting the
old row, which fires no DELETE trigger (unless the connection turned recursive_triggers
on). A BEFORE INSERT trigger on every immutable table now refuses any insert whose key
(primary or unique) is already taken, before a conflict can be resolved. PostgreSQL has
no REPLACE, and its `ON CONFLICT DO UPDATE` and `MERGE` fire the UPDATE and DELETE
triggers that 0001 and 0002 installed.

Events are untouched.

Revision ID: 0005_immutable_past
Revises: 0004_audit_identity
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_immutable_past"
down_revision: str | None = "0004_audit_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# As in 0001, so every refusal reads the same.
IMMUTABLE = "newsledger: events are immutable; record a correction as a new event"

# Each immutable table's keys: a new row matching any of them would replace a recorded one.
IMMUTABLE_KEYS = {
    "events": (("position",), ("event_id",), ("stream", "stream_version")),
    "audit_leaves": (("position",),),
    "audit_nodes": (("level", "idx"),),
    "audit_checkpoints": (("size",),),
}


def upgrade() -> None:
    """Create the watermark row; on SQLite, add the insert triggers."""
    op.create_table(
        "known_at_watermark",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("answered_us", BigInt, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_known_at_watermark_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_known_at_watermark"),
    )
    op.execute("INSERT INTO known_at_watermark (id, answered_us) VALUES (1, 0)")
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, keys in IMMUTABLE_KEYS.items():
        # One EXISTS per key, so each is one lookup in that key's index.
        taken = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE "
            + " AND ".join(f"{column} = NEW.{column}" for column in key)
            + ")"
            for key in keys
        )
        op.execute(
            f"CREATE TRIGGER {table}_reject_replace BEFORE INSERT ON {table} WHEN {taken} "
            f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
        )


def downgrade() -> None:
    """Drop the insert triggers and the watermark."""
    if op.get_bind().dialect.name == "sqlite":
        for table in IMMUTABLE_KEYS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_reject_replace")
    op.drop_table("known_at_watermark")
