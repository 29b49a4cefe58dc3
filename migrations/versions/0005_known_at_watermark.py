"""The known_at watermark: the latest record time a known_at query has been answered at.

It is one row. Every later append records strictly after it, so that answer cannot change.
Events are untouched.

Revision ID: 0005_known_at_watermark
Revises: 0004_audit_identity
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_known_at_watermark"
down_revision: str | None = "0004_audit_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the watermark row."""
    op.create_table(
        "known_at_watermark",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("answered_us", BigInt, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_known_at_watermark_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_known_at_watermark"),
    )
    op.execute("INSERT INTO known_at_watermark (id, answered_us) VALUES (1, 0)")


def downgrade() -> None:
    """Drop the watermark."""
    op.drop_table("known_at_watermark")
