"""The raw database ceiling: the same rows, indexes and append lock, without Python layers.

The table has newsledger's event columns and unique keys (position, event id, stream +
version) and the record-time index. Each append takes the lock newsledger takes — SQLite
``BEGIN IMMEDIATE``, PostgreSQL ``LOCK TABLE … IN EXCLUSIVE MODE`` — then inserts the batch
with ``executemany`` (pipelined by psycopg), or with ``COPY`` as an extra PostgreSQL row.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from bench.backends import PostgresBackend, Site
from bench.stats import rate
from bench.workload import EVENT_TYPE, PAGE, AppendPlan

COLUMNS = (
    "position, event_id, stream, stream_version, event_type, schema_version, payload, metadata, "
    "recorded_at_us"
)

SQLITE_DDL = """
CREATE TABLE events (
  position INTEGER PRIMARY KEY, event_id CHAR(32) NOT NULL UNIQUE,
  stream VARCHAR(200) NOT NULL, stream_version INTEGER NOT NULL,
  event_type VARCHAR(200) NOT NULL, schema_version INTEGER NOT NULL,
  payload TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at_us INTEGER NOT NULL,
  UNIQUE (stream, stream_version));
CREATE INDEX ix_stream_recorded ON events (stream, recorded_at_us, stream_version);
"""

POSTGRES_DDL = """
CREATE TABLE events (
  position BIGINT PRIMARY KEY, event_id UUID NOT NULL UNIQUE,
  stream VARCHAR(200) NOT NULL, stream_version BIGINT NOT NULL,
  event_type VARCHAR(200) NOT NULL, schema_version INTEGER NOT NULL,
  payload TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at_us BIGINT NOT NULL,
  UNIQUE (stream, stream_version));
CREATE INDEX ix_stream_recorded ON events (stream, recorded_at_us, stream_version);
"""


def _rows(append_plan: AppendPlan, sqlite: bool) -> list[list[tuple[Any, ...]]]:
    position = 0
    batches = []
    for batch in append_plan.batches:
        rows = []
        for e in batch:
            event_id = e.event_id.hex if sqlite else e.event_id
            row = (position, event_id, e.stream, e.version, EVENT_TYPE, 1, e.json, "{}", 0)
            rows.append(row)
            position += 1
        batches.append(rows)
    return batches


class RawSqlite:
    """sqlite3 on a fresh file, WAL and synchronous=FULL like newsledger."""

    def __init__(self, site: Site) -> None:
        assert site.sqlite_path is not None
        self.conn = sqlite3.connect(site.sqlite_path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(SQLITE_DDL)

    def append_rate(self, append_plan: AppendPlan) -> float:
        """Append each batch in its own BEGIN IMMEDIATE transaction; return events per second."""
        batches = _rows(append_plan, sqlite=True)
        insert = f"INSERT INTO events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)"
        conn = self.conn
        started = time.perf_counter()
        for rows in batches:
            now = time.time_ns() // 1000
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, [(*row[:8], now) for row in rows])
            conn.execute("COMMIT")
        return rate(append_plan.n_events, time.perf_counter() - started)

    def read_rate(self) -> tuple[float, int]:
        """Read the whole log in pages of 1,000 by position."""
        query = f"SELECT {COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?"
        started = time.perf_counter()
        start, count = 0, 0
        while True:
            rows = self.conn.execute(query, (start, PAGE)).fetchall()
            if not rows:
                break
            count += len(rows)
            start = rows[-1][0] + 1
        return rate(count, time.perf_counter() - started), count

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class RawPostgres:
    """psycopg 3 on a fresh schema."""

    def __init__(self, backend: PostgresBackend, site: Site) -> None:
        self.conn = backend.connect(site.pg_schema)
        self.conn.execute(POSTGRES_DDL)

    def append_rate(self, append_plan: AppendPlan, copy: bool = False) -> float:
        """Append each batch under LOCK TABLE … EXCLUSIVE; return events per second."""
        batches = _rows(append_plan, sqlite=False)
        insert = f"INSERT INTO events ({COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)"
        copy_sql = f"COPY events ({COLUMNS}) FROM STDIN (FORMAT BINARY)"
        types = ["int8", "uuid", "varchar", "int8", "varchar", "int4", "text", "text", "int8"]
        conn = self.conn
        cursor = conn.cursor()
        started = time.perf_counter()
        for rows in batches:
            now = time.time_ns() // 1000
            stamped = [(*row[:8], now) for row in rows]
            if copy:
                with conn.transaction():
                    cursor.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                    with cursor.copy(copy_sql) as writer:
                        writer.set_types(types)
                        for row in stamped:
                            writer.write_row(row)
            else:
                with conn.pipeline(), conn.transaction():
                    cursor.execute("LOCK TABLE events IN EXCLUSIVE MODE", prepare=True)
                    cursor.executemany(insert, stamped)
        return rate(append_plan.n_events, time.perf_counter() - started)

    def read_rate(self) -> tuple[float, int]:
        """Read the whole log in pages of 1,000 by position."""
        query = f"SELECT {COLUMNS} FROM events WHERE position >= %s ORDER BY position LIMIT %s"
        cursor = self.conn.cursor()
        started = time.perf_counter()
        start, count = 0, 0
        while True:
            rows = cursor.execute(query, (start, PAGE), prepare=True).fetchall()
            if not rows:
                break
            count += len(rows)
            start = rows[-1][0] + 1
        return rate(count, time.perf_counter() - started), count

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def open_raw(backend: Any, site: Site) -> RawSqlite | RawPostgres:
    """Return the raw contender of the site's backend."""
    if site.backend == "sqlite":
        return RawSqlite(site)
    return RawPostgres(backend, site)
