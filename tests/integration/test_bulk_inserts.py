"""The append path's driver-level inserts write exactly what SQLAlchemy Core would write.

Each example copies a table of the schema under two fresh names, fills one with the fast
path (`insert_rows`: positional executemany, or binary COPY on PostgreSQL from
COPY_FROM_ROWS rows, event ids as `log_queries.rows_of` gives them to the driver) and one
with `table.insert()`, and compares what both read back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from newsledger.domain.events import StoredEvent
from newsledger.store.bulk import COPY_FROM_ROWS, insert_rows
from newsledger.store.log_queries import rows_of
from newsledger.store.tables import audit_leaves, audit_nodes, events
from newsledger.store.wire_form import response_item

pytestmark = pytest.mark.equivalence

_names = itertools.count()
texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
big = st.integers(0, 2**62)
ROWS = {
    "events": st.tuples(
        st.uuids(),
        texts.filter(bool),
        big,
        texts.filter(bool),
        st.integers(1, 2**31 - 1),
        texts,
        texts,
        big,
    ),
    "audit_leaves": st.tuples(st.binary(max_size=300)),
    "audit_nodes": st.tuples(st.integers(0, 62), st.binary(min_size=32, max_size=32)),
}
TABLES = {"events": events, "audit_leaves": audit_leaves, "audit_nodes": audit_nodes}


def _copy(table: sa.Table, name: str) -> sa.Table:
    """Return the table's columns under a new name, on a MetaData of its own."""
    return sa.Table(name, sa.MetaData(), *(column._copy() for column in table.columns))


@pytest.fixture(params=sorted(TABLES))
def table_pair(
    engine: Engine, request: pytest.FixtureRequest
) -> Iterator[tuple[str, sa.Table, sa.Table]]:
    """Yield a table's name with a fast and a reference copy of it, created empty."""
    number = next(_names)
    name = str(request.param)
    fast = _copy(TABLES[name], f"fast_{number}")
    reference = _copy(TABLES[name], f"reference_{number}")
    for table in (fast, reference):
        table.create(engine)
    yield name, fast, reference
    for table in (fast, reference):
        table.drop(engine)


def _rows(table_name: str, drawn: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Number the drawn rows so every primary key is unique, in the table's column order."""
    if table_name == "audit_nodes":
        return [(level, index, digest) for index, (level, digest) in enumerate(drawn)]
    return [(position, *row) for position, row in enumerate(drawn)]


def _read(engine: Engine, table: sa.Table) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = sa.select(table).order_by(*table.primary_key.columns)
        return [tuple(row) for row in connection.execute(query)]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_rows_inserted_by_the_driver_read_back_as_those_sqlalchemy_inserts(
    engine: Engine, table_pair: tuple[str, sa.Table, sa.Table], data: st.DataObject
) -> None:
    name, fast, reference = table_pair
    rows = _rows(name, data.draw(st.lists(ROWS[name], min_size=1, max_size=COPY_FROM_ROWS * 3)))
    keys = [column.key for column in reference.columns]
    with engine.begin() as connection:
        connection.execute(sa.delete(fast))
        connection.execute(sa.delete(reference))
        driver_rows = (
            rows_of(connection, [StoredEvent(*r) for r in rows]) if name == "events" else rows
        )
        insert_rows(connection, fast, driver_rows)
        if name == "events":  # each event row ends with its response item
            rows = [(*row, response_item(StoredEvent(*row))) for row in rows]
        connection.execute(reference.insert(), [dict(zip(keys, row, strict=True)) for row in rows])
    written = _read(engine, fast)
    assert len(written) == len(rows)
    assert written == _read(engine, reference)
