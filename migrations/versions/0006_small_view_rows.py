"""Negotiation view rows without their folded state.

Events are untouched. The state column of negotiation_views is emptied: the state is kept in
the server process and loaded from the latest snapshot plus the events after it, so each
append updates a small row instead of rewriting a state that grows with the negotiation.

Revision ID: 0006_small_view_rows
Revises: 0005_immutable_past
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_small_view_rows"
down_revision: str | None = "0005_immutable_past"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Empty the stored states; snapshots and the log hold everything they held."""
    op.execute(sa.text("UPDATE negotiation_views SET state = ''"))


def downgrade() -> None:
    """Store each negotiation's current state in its row again, as the revisions before read it."""
    # Imported here so that loading the revision list never imports the application.
    from newsledger.projections.negotiation_views import load_view
    from newsledger.projections.snapshots import encode_state

    conn = op.get_bind()
    query = sa.text("SELECT negotiation_id FROM negotiation_views ORDER BY negotiation_id")
    for negotiation_id in list(conn.execute(query).scalars()):
        view = load_view(conn, negotiation_id)
        state = "" if view is None else encode_state(view.state)
        conn.execute(
            sa.text("UPDATE negotiation_views SET state = :state WHERE negotiation_id = :id"),
            {"state": state, "id": negotiation_id},
        )
