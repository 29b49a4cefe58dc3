"""The verifiable audit log: leaf bytes, complete-subtree hashes and signed checkpoints.

Events recorded before this revision get their leaves and subtree hashes here, so a log
upgraded from 0001 verifies like one that had the audit from its first event. The
backfill runs the live append path's own code (``newsledger.audit.storage.tree.backfill_leaves``
reading every event column, metadata included), so its leaves are byte-identical to the
ones an audited append writes, ``metadata_sha256`` included; an integration test
(test_upgrade_backfill) pins this on both backends.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AUDIT_TABLES = ("audit_leaves", "audit_nodes", "audit_checkpoints")


def _event_log_revision() -> ModuleType:
    """Load revision 0001 by path, to reuse its trigger helpers (versions is no package)."""
    path = Path(__file__).with_name("0001_event_log.py")
    spec = importlib.util.spec_from_file_location("newsledger_migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    """Create the audit tables, make them immutable, and backfill leaves for existing events."""
    op.create_table(
        "audit_leaves",
        sa.Column("position", BigInt, primary_key=True, autoincrement=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_audit_leaves"),
    )
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("idx", BigInt, nullable=False, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_audit_nodes"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", BigInt, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at_us", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_audit_checkpoints"),
    )
    triggers = _event_log_revision()
    for table in AUDIT_TABLES:
        triggers.create_immutability_triggers(table)
    _backfill()


def _backfill() -> None:
    # Imported here so that loading the revision list never imports the application.
    from newsledger.audit.storage.tree import backfill_leaves
    from newsledger.config import DEFAULT_LOG_ORIGIN, Settings

    # The origin the leaves name; the first server to start records it as the log's own.
    backfill_leaves(op.get_bind(), Settings.from_env().log_origin or DEFAULT_LOG_ORIGIN)


def downgrade() -> None:
    """Drop the triggers and the audit tables."""
    triggers = _event_log_revision()
    for table in reversed(AUDIT_TABLES):
        triggers.drop_immutability_triggers(table)
        op.drop_table(table)
