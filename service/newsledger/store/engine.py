"""The one engine factory: URL normalisation, SQLite pragmas and explicit transaction starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

# Execution option naming how a SQLite transaction starts; writers ask for IMMEDIATE so
# they take the write lock at BEGIN (waiting up to busy_timeout) instead of failing later.
SQLITE_BEGIN = "newsledger_sqlite_begin"


def normalise_url(url: str) -> str:
    """Return url with the psycopg 3 driver named for PostgreSQL URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine | Connection) -> bool:
    """Tell whether engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, lock_timeout_seconds: float = 5.0) -> Engine:
    """Create an engine for url; nothing connects until first use."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed.database, url, lock_timeout_seconds)
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _create_sqlite_engine(database: str | None, url: str, lock_timeout_seconds: float) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": lock_timeout_seconds},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
