"""Driver-level SQL for the append path: one statement per batch, no per-row ORM work.

Each append writes its events and, through the audit, about three rows per event (its
leaf, its leaf hash, the subtree hashes it completes). Through SQLAlchemy each row
costs a parameter dictionary and each statement a compile-cache lookup; here the driver's
``executemany`` takes positional rows (psycopg 3 pipelines them), and on PostgreSQL a
larger batch goes by binary ``COPY``, whose rows psycopg encodes in C. Other drivers fall
back to SQLAlchemy.

Fast path: ``insert_rows``. Reference: SQLAlchemy Core's ``table.insert()`` with one
dictionary per row. Equivalence test: ``tests/integration/test_bulk_inserts.py`` (both
backends, below and above the COPY threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

COPY_FROM_ROWS = 8
"""From this many rows, COPY (two round trips, rows encoded in C) beats a pipelined
``executemany`` (one round trip, more work per row) on PostgreSQL."""


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the table's column order) into ``table``."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and len(rows) >= COPY_FROM_ROWS:
        _copy_rows(connection, table, rows)
    elif (mark := _placeholder(connection)) is not None:
        connection.exec_driver_sql(_insert_statement(table, mark), list(rows))
    else:
        keys = [column.key for column in table.columns]
        connection.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in rows])


@cache
def _insert_statement(table: sa.Table, mark: str) -> str:
    """Return the positional INSERT of every column of table."""
    names = ", ".join(column.name for column in table.columns)
    marks = ", ".join(mark for _ in table.columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"


@cache
def _copy_plan(table: sa.Table, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
    """Return the binary COPY of every column of table, and the columns' type names."""
    names = ", ".join(column.name for column in table.columns)
    types = tuple(
        column.type.compile(dialect=dialect).split("(")[0].lower() for column in table.columns
    )
    return f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)", types


def _copy_rows(connection: Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Stream rows into ``table`` with binary COPY, in the connection's transaction."""
    dialect = connection.dialect
    statement, types = _copy_plan(table, dialect)
    driver = connection.connection.driver_connection
    assert driver is not None
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except dbapi_error as error:  # raised as SQLAlchemy raises a failed statement's error
        raise sa.exc.DBAPIError.instance(statement, None, error, dbapi_error) from error


def _placeholder(connection: Connection) -> str | None:
    """Return the driver's positional placeholder, or None to go through SQLAlchemy."""
    style = connection.dialect.paramstyle
    if style == "qmark":
        return "?"
    if connection.dialect.name == "postgresql" and style in ("format", "pyformat"):
        return "%s"
    return None


def select_nodes(
    connection: Connection, table: sa.Table, wanted: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Return the stored hashes of the ``wanted`` (level, idx) nodes that exist, in one query."""
    if not wanted:
        return {}
    mark = _placeholder(connection)
    if mark is None:
        level, idx = table.c.level, table.c.idx
        query = sa.select(level, idx, table.c.hash).where(
            sa.or_(*(sa.and_(level == lv, idx == ix) for lv, ix in wanted))
        )
        rows = connection.execute(query)
    else:
        matches = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(wanted))
        statement = f"SELECT level, idx, hash FROM {table.name} WHERE {matches}"
        rows = connection.exec_driver_sql(statement, tuple(n for node in wanted for n in node))
    return {(int(level), int(idx)): bytes(node) for level, idx, node in rows}
