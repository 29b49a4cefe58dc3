"""The log's identity (origin and signing keys) and the witness cosignatures it collects.

Events are untouched. A log that already has leaves keeps the origin they name; its key is
recorded the first time a server starts with the key that signed its checkpoints.

Revision ID: 0004_audit_identity
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_audit_identity"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the identity, signing key, cosignature and witness state tables."""
    op.create_table(
        "audit_log_identity",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("created_at_us", BigInt, nullable=False),
        sa.Column("active_vkey", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_audit_log_identity_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log_identity"),
    )
    op.create_table(
        "audit_signing_keys",
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("activated_at_us", BigInt, nullable=False),
        sa.Column("retired_at_us", BigInt, nullable=True),
        sa.Column("handover", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("vkey", name="pk_audit_signing_keys"),
    )
    op.create_table(
        "audit_cosignatures",
        sa.Column("size", BigInt, nullable=False, autoincrement=False),
        sa.Column("key_name", sa.Text(), nullable=False),
        sa.Column("key_id", BigInt, nullable=False, autoincrement=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", BigInt, nullable=False),
        sa.Column("received_at_us", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("size", "key_name", "key_id", name="pk_audit_cosignatures"),
    )
    op.create_table(
        "audit_witness_state",
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("known_size", BigInt, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at_us", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("vkey", name="pk_audit_witness_state"),
    )


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("audit_witness_state", "audit_cosignatures", "audit_signing_keys"):
        op.drop_table(table)
    op.drop_table("audit_log_identity")
