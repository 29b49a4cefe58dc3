"""Reads as EventRows give exactly the events the StoredEvent reads give, on every backend."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.api.conversions import recorded_event
from newsledger.domain.events import StoredEvent
from newsledger.store.event_store import EventStore
from newsledger.store.page_reads import ItemRow
from newsledger.store.tables import events as events_table
from newsledger.store.wire_form import page_of_items
from newsledger.v1 import event_store_pb2 as pb
from tests.support.plain_messages import plain_message, row_of
from tests.support.read_pages import LOG_READS, fill_two_streams

pytestmark = pytest.mark.equivalence

LARGEST_BIGINT = 2**63 - 1


def wire_bytes(items: list[ItemRow]) -> bytes:
    """Return the page the read API sends for these stored items."""
    return page_of_items([item for *_, item in items], "")


def plain_wire_bytes(page: list[StoredEvent]) -> bytes:
    response = pb.ReadLogResponse(events=[plain_message(e) for e in page])
    return response.SerializeToString(deterministic=True)


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    return fill_two_streams(store)


@pytest.mark.parametrize("options", LOG_READS.values(), ids=LOG_READS.keys())
def test_log_rows_are_the_log_events(filled: EventStore, options: dict[str, Any]) -> None:
    stored = filled.read_all(**options)
    assert filled.read_all_rows(**options) == [row_of(e) for e in stored]


STREAM_READS: dict[str, dict[str, Any]] = {
    "everything": {},
    "from a version": {"from_version": 3, "limit": 4},
    "backward": {"backwards": True, "limit": 2},
    "backward from a version": {"from_version": 3, "backwards": True, "limit": 10},
}


@pytest.mark.parametrize("options", STREAM_READS.values(), ids=STREAM_READS.keys())
def test_stream_rows_are_the_stream_events(filled: EventStore, options: dict[str, Any]) -> None:
    for stream in ("a", "b", "nothing"):
        stored = filled.read_stream(stream, **options)
        assert filled.read_stream_rows(stream, **options) == [row_of(e) for e in stored]


def insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(events_table.insert(), rows)


def test_edge_values_convert_to_the_plain_messages(engine: Engine, store: EventStore) -> None:
    """Positions near the 64-bit limit, record times around 1970, and non-ASCII JSON."""
    edges = [
        (0, 0, -62_135_596_800 * 1_000_000, '{"text":"earliest"}'),
        (1, 1, -1_234_567_890_123_457, '{"text":"long before 1970"}'),
        (2, 2, -1, '{"text":"a microsecond before 1970"}'),
        (3, 3, 0, '{"text":"the epoch"}'),
        (4, 4, 1, '{"text":"Zoë 北京 \u2028 \U0001f600 e\u0301"}'),
        (LARGEST_BIGINT - 1, 5, 1_750_000_000_000_000, '{"\u00e9":"\u0394"}'),
        (LARGEST_BIGINT, LARGEST_BIGINT, 253_402_300_799_999_999, '{"text":"latest"}'),
    ]
    insert(
        engine,
        [
            {
                "position": position,
                "event_id": uuid.uuid4(),
                "stream": "edges",
                "stream_version": version,
                "event_type": "Noted",
                "schema_version": 2**31 - 1,
                "payload": payload,
                "metadata": '{"source":"\u00fcber"}',
                "recorded_at_us": recorded_at_us,
            }
            for position, version, recorded_at_us, payload in edges
        ],
    )
    stored = store.read_all(limit=100)
    rows = store.read_all_rows(limit=100)
    assert [e.position for e in stored] == [position for position, *_ in edges]
    assert rows == [row_of(e) for e in stored]
    assert wire_bytes(store.read_all_items(limit=100)) == plain_wire_bytes(stored)
    assert [recorded_event(e) for e in stored] == [plain_message(e) for e in stored]
    backward = store.read_stream_items("edges", backwards=True, limit=100)
    assert wire_bytes(backward) == plain_wire_bytes(store.read_stream("edges", backwards=True))
    assert store.read_stream_rows("edges", backwards=True, limit=100) == [
        row_of(e) for e in store.read_stream("edges", backwards=True)
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # only SQLite keeps the text
def test_an_id_stored_in_another_spelling_reads_as_its_canonical_text(
    engine: Engine, store: EventStore
) -> None:
    event_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO events (position, event_id, stream, stream_version, event_type,"
                " schema_version, payload, metadata, recorded_at_us)"
                " VALUES (0, :event_id, 's', 0, 'Noted', 1, '{}', '{}', 5)"
            ),
            {"event_id": str(event_id).upper()},
        )
    [stored] = store.read_all()
    assert stored.event_id == event_id
    assert store.read_all_rows() == [row_of(stored)]
    assert store.read_all_rows()[0][1] == str(event_id)


@pytest.mark.parametrize("read", ["log", "stream"])
def test_a_driver_error_on_a_page_read_is_sqlalchemys_and_the_connection_goes_back(
    make_engine: Any, read: str
) -> None:
    """Given a database without the schema, a page read raises SQLAlchemy's DBAPIError (what
    the API maps to a status), names no SQL in the caller's words, and leaks no connection."""
    engine = make_engine()
    store = EventStore(engine)
    for _ in range(3):
        with pytest.raises(sa.exc.DBAPIError):
            if read == "log":
                store.read_all_rows(limit=10, event_types=["A"])
            else:
                store.read_stream_rows("a", from_version=1)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_each_page_shape_is_compiled_once(filled: EventStore) -> None:
    """Given many reads of a few shapes, only those shapes are compiled."""
    for start in range(10):
        filled.read_all_rows(from_position=start, limit=3)
        filled.read_all_rows(from_position=start, limit=5, event_types=["B", "C"])
        filled.read_stream_rows("a", from_version=start % 3)
    assert len(filled._pages._compiled) == 3
