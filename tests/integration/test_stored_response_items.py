"""Each event's stored response item holds its RecordedEvent, on every backend and door.

Reads send `events.response_item` as it is: for every page shape it must equal the
message the API's conversion builds from the event's fields, as a response's field 1; a row
written without it is
read with one built from its fields; revision 0007 fills it for the events recorded before
and leaves every event's fields, and their immutability, as they were.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from newsledger.api.conversions import recorded_event
from newsledger.domain.events import StoredEvent
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import migrations_dir
from newsledger.v1.event_store_pb2 import ReadLogResponse
from tests.support.factories import events
from tests.support.read_pages import LOG_READS, fill_two_streams

pytestmark = pytest.mark.equivalence


def expected(page: list[StoredEvent]) -> list[tuple[int, int, bytes]]:
    """Each event's position, version, and the response of that event alone, serialised."""
    return [
        (
            e.position,
            e.stream_version,
            ReadLogResponse(events=[recorded_event(e)]).SerializeToString(),
        )
        for e in page
    ]


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    return fill_two_streams(store)


@pytest.mark.parametrize("options", LOG_READS.values(), ids=LOG_READS.keys())
def test_log_pages_read_as_stored_items_equal_the_built_messages(
    filled: EventStore, options: dict[str, Any]
) -> None:
    assert filled.read_all_items(**options) == expected(filled.read_all(**options))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"from_version": 2, "limit": 3},
        {"backwards": True},
        {"from_version": 1, "backwards": True},
    ],
)
def test_stream_pages_read_as_stored_items_equal_the_built_messages(
    filled: EventStore, options: dict[str, Any]
) -> None:
    for stream in ("a", "b", "missing"):
        got = filled.read_stream_items(stream, **options)
        assert got == expected(filled.read_stream(stream, **options))


def _insert_without_message(engine: Engine, position: int, event_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO events (position, event_id, stream, stream_version, event_type,"
                " schema_version, payload, metadata, recorded_at_us)"
                " VALUES (:position, :event_id, 's', :position, 'Noted', 1, '{}', '{}', 5)"
            ),
            {"position": position, "event_id": event_id},
        )


def test_a_row_written_without_its_item_reads_with_one_built_from_its_fields(
    engine: Engine, store: EventStore
) -> None:
    store.append("s", events(1, "Noted"))
    _insert_without_message(engine, 1, str(uuid.uuid4()).upper())
    every = store.read_all(limit=10)
    assert len(every) == 2
    assert store.read_all_items(limit=10) == expected(every)
    assert store.read_stream_items("s", backwards=True) == expected(every[::-1])


def test_a_stored_item_cannot_be_rewritten(engine: Engine, store: EventStore) -> None:
    store.append("s", events(1, "Noted"))
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET response_item = :m"), {"m": b"\x0a\x01x"})
    assert store.read_all_items() == expected(store.read_all())


def _migrate(engine: Engine, target: str, direction: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def _triggers(engine: Engine) -> list[tuple[str, str]]:
    """Return the events table's triggers (name and SQL on SQLite; name and state on PostgreSQL)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
            )
        else:
            query = (
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'events'::regclass"
                " AND NOT tgisinternal"
            )
        return sorted((str(name), str(sql)) for name, sql in conn.execute(sa.text(query)))


def test_the_migration_fills_every_recorded_event_and_keeps_it_immutable(
    engine: Engine, store: EventStore
) -> None:
    """Given more events than one page of the fill (5,000), every one gets its item, and the
    triggers are as before the fill: updates and deletes of events are refused again."""
    for round_ in range(6):
        store.append(f"s{round_}", events(1_000 if round_ < 5 else 7, "Noted"))
    triggers = _triggers(engine)
    before = store.read_all(limit=10_000)
    _migrate(engine, "0006_small_view_rows", "downgrade")
    with engine.connect() as conn:
        names = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    assert "response_item" not in names
    _migrate(engine, "head", "upgrade")
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT position, response_item FROM events ORDER BY position")
        ).all()
    assert len(stored) == 5_007
    assert [(p, bytes(m)) for p, m in stored] == [(p, m) for p, _, m in expected(before)]
    assert store.read_all(limit=10_000) == before
    assert _triggers(engine) == triggers
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET payload = '{}' WHERE position = 5006"))
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE position = 0"))
