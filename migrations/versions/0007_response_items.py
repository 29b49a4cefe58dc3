"""Each event's response item, stored beside its fields, so reads send it as stored.

A new nullable column, `events.response_item`, holds the bytes a reader receives for the
event: a serialised response holding just that event (`newsledger.store.wire_form`); every
append writes it in the same insert. Here it is
filled for the events recorded before, a page at a time, with progress on standard error for
a large log. The fields of every event are untouched: the database's refusal to update an
event is lifted only for this fill, inside the migration's transaction, and restored.

Revision ID: 0007_response_items
Revises: 0006_small_view_rows
Create Date: 2026-12-09
"""

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_response_items"
down_revision: str | None = "0006_small_view_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5_000
SHOW_PROGRESS_FROM = 50_000

# As 0001 created it, so the refusal reads the same once restored.
IMMUTABLE = "newsledger: events are immutable; record a correction as a new event"
SQLITE_UPDATE_TRIGGER = (
    "CREATE TRIGGER events_reject_update BEFORE UPDATE ON events "
    f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
)

_COLUMNS = (
    "position, event_id, stream, stream_version, event_type, schema_version, payload, "
    "metadata, recorded_at_us"
)


def upgrade() -> None:
    """Add the column and fill it for every recorded event."""
    op.add_column("events", sa.Column("response_item", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    total = connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar_one()
    if not total:
        return
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS events_reject_update")
    else:
        op.execute("ALTER TABLE events DISABLE TRIGGER events_reject_change")
    _fill(connection, total)
    if sqlite:
        op.execute(SQLITE_UPDATE_TRIGGER)
    else:
        op.execute("ALTER TABLE events ENABLE TRIGGER events_reject_change")


def _fill(connection: sa.Connection, total: int) -> None:
    # Imported here so that loading the revision list never imports the application.
    from newsledger.store.event_rows import canonical_uuid_text
    from newsledger.store.wire_form import as_response_item, recorded_message

    select = sa.text(
        f"SELECT {_COLUMNS} FROM events WHERE position > :after ORDER BY position LIMIT :page"
    )
    update = sa.text("UPDATE events SET response_item = :item WHERE position = :position")
    sqlite = connection.dialect.name == "sqlite"
    done, after = 0, -1
    while True:
        rows = connection.execute(select, {"after": after, "page": PAGE}).all()
        if not rows:
            break
        items = []
        for position, event_id, *fields in rows:
            text = canonical_uuid_text(event_id) if sqlite else str(event_id)
            items.append(
                {
                    "position": position,
                    "item": as_response_item(recorded_message(position, text, *fields)),
                }
            )
        connection.execute(update, items)
        done += len(rows)
        after = rows[-1][0]
        if total >= SHOW_PROGRESS_FROM:
            print(f"response items: {done:,} of {total:,} events", file=sys.stderr, flush=True)


def downgrade() -> None:
    """Drop the column; the events' fields hold everything it held."""
    op.execute("ALTER TABLE events DROP COLUMN response_item")
