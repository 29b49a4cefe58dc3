"""The raw database writing newsledger's own rows: events, audit leaves and subtree hashes.

The rows are the very rows newsledger wrote for the same append plan (read back from a site
it appended to in-process), so nothing about their format is re-implemented here: the same
tables (migrated to head), the same indexes, the same bytes. The raw writer replays them
batch by batch under newsledger's append lock — SQLite ``BEGIN IMMEDIATE`` with the driver's
``executemany`` per table, PostgreSQL ``LOCK TABLE events IN EXCLUSIVE MODE`` with a binary
``COPY`` per table (what newsledger itself uses for batches) — and commits. Its rate is what
the rows themselves cost: the floor under any append that writes them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bench.backends import PostgresBackend, Site
from bench.stats import rate
from newsledger.store.engine import create_engine
from newsledger.store.migrate import upgrade_to_head

TABLES = ("events", "audit_leaves", "audit_nodes")


def batch_of_node(level: int, index: int, batch_ends: Sequence[int]) -> int:
    """Return which batch wrote subtree (level, index): the one holding its last leaf.

    batch_ends[b] is one past the last position of batch b (positions start at 0).
    """
    last_leaf = ((index + 1) << level) - 1
    low, high = 0, len(batch_ends) - 1
    while low < high:
        middle = (low + high) // 2
        if batch_ends[middle] > last_leaf:
            high = middle
        else:
            low = middle + 1
    return low


@dataclass(frozen=True, slots=True)
class OwnRows:
    """Each batch's rows of each table, and the tables' column names and database types."""

    columns: dict[str, list[str]]
    types: dict[str, list[str]]
    batches: list[dict[str, list[tuple[Any, ...]]]]

    @property
    def n_events(self) -> int:
        """Return how many events the rows hold."""
        return sum(len(batch["events"]) for batch in self.batches)


def read_own_rows(site: Site, batch_sizes: Sequence[int]) -> OwnRows:
    """Read the rows newsledger wrote on site, split by the batches that wrote them."""
    ends = [sum(batch_sizes[: n + 1]) for n in range(len(batch_sizes))]
    engine = create_engine(site.newsledger_url)
    batches: list[dict[str, list[tuple[Any, ...]]]] = [
        {table: [] for table in TABLES} for _ in ends
    ]
    columns: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    try:
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            for table in TABLES:
                cursor = raw.cursor()
                cursor.execute(f"SELECT * FROM {table}")
                columns[table] = [d[0] for d in cursor.description]
                types[table] = _column_types(conn, table, columns[table])
                for row in cursor.fetchall():
                    batches[_batch_of(table, row, columns[table], ends)][table].append(tuple(row))
                cursor.close()
    finally:
        engine.dispose()
    for batch in batches:
        for table in TABLES:
            batch[table].sort()
    return OwnRows(columns, types, batches)


def _batch_of(table: str, row: Sequence[Any], names: list[str], ends: Sequence[int]) -> int:
    if table == "audit_nodes":
        return batch_of_node(row[names.index("level")], row[names.index("idx")], ends)
    position = row[names.index("position")]
    return batch_of_node(0, position, ends)


def _column_types(conn: sa.Connection, table: str, names: list[str]) -> list[str]:
    """Return the PostgreSQL type names of the columns (empty on SQLite)."""
    if conn.dialect.name != "postgresql":
        return []
    query = sa.text(
        "SELECT column_name, udt_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = :table"
    )
    found = dict(conn.execute(query, {"table": table}).all())
    return [found[name] for name in names]


class RawOwnRows:
    """A fresh site migrated to newsledger's schema, written to with the bare driver."""

    def __init__(self, backend: Any, site: Site) -> None:
        engine = create_engine(site.newsledger_url)
        upgrade_to_head(engine)
        engine.dispose()
        self.site = site
        if site.backend == "sqlite":
            self.conn: Any = sqlite3.connect(str(site.sqlite_path), isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
        else:
            assert isinstance(backend, PostgresBackend)
            self.conn = backend.connect(site.pg_schema)

    def append_rate(self, rows: OwnRows) -> float:
        """Write each batch's rows in one locked transaction; return events per second."""
        if self.site.backend == "sqlite":
            return self._sqlite(rows)
        return self._postgres(rows)

    def _sqlite(self, rows: OwnRows) -> float:
        inserts = {
            table: f"INSERT INTO {table} ({', '.join(names)}) VALUES "
            f"({', '.join('?' for _ in names)})"
            for table, names in rows.columns.items()
        }
        conn = self.conn
        started = time.perf_counter()
        for batch in rows.batches:
            conn.execute("BEGIN IMMEDIATE")
            for table, statement in inserts.items():
                conn.executemany(statement, batch[table])
            conn.execute("COMMIT")
        return rate(rows.n_events, time.perf_counter() - started)

    def _postgres(self, rows: OwnRows) -> float:
        copies = {
            table: f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
            for table, names in rows.columns.items()
        }
        conn = self.conn
        cursor = conn.cursor()
        started = time.perf_counter()
        for batch in rows.batches:
            with conn.transaction():
                cursor.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                for table, statement in copies.items():
                    with cursor.copy(statement) as copy:
                        copy.set_types(rows.types[table])
                        for row in batch[table]:
                            copy.write_row(row)
        return rate(rows.n_events, time.perf_counter() - started)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
