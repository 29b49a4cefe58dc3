"""The one engine factory: URL normalisation, timeouts, SQLite pragmas, explicit transactions.

Nothing waits on the database for ever: a PostgreSQL connection attempt gives up after
connect_timeout_seconds, a statement after statement_timeout_seconds when one is given (the
server's work; other commands, such as migrations and rebuilds, run unbounded), a lock
wait after lock_timeout_seconds, and a wait for a free pooled connection after
pool_timeout_seconds (sqlalchemy.exc.TimeoutError). SQLite waits busy_timeout for a lock.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

from newsledger.store.errors import UnsupportedDatabase

# Execution option naming how a SQLite transaction starts; writers ask for IMMEDIATE so
# they take the write lock at BEGIN (waiting up to busy_timeout) instead of failing later.
SQLITE_BEGIN = "newsledger_sqlite_begin"
CONNECT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 5.0
# libpq's minimum connect timeout; shorter ones are raised to it.
_MIN_CONNECT_TIMEOUT_SECONDS = 2
# A peer that vanished without closing (a network partition) is noticed within ~30 s.
_TCP_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def normalise_url(url: str) -> str:
    """Return url with the psycopg 3 driver named for PostgreSQL URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine | Connection) -> bool:
    """Tell whether engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def create_engine(
    url: str,
    *,
    lock_timeout_seconds: float = 5.0,
    connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
    statement_timeout_seconds: float | None = None,
    pool_timeout_seconds: float = POOL_TIMEOUT_SECONDS,
    pool_size: int = 10,
    max_overflow: int = 20,
) -> Engine:
    """Create an engine for url with the module's timeouts; nothing connects until first use."""
    url = normalise_url(url)
    parsed = make_url(url)
    pool = {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_timeout": pool_timeout_seconds,
    }
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed.database, url, lock_timeout_seconds, pool)
    if statement_timeout_seconds is not None:
        parsed = _with_session_timeouts(parsed, statement_timeout_seconds, lock_timeout_seconds)
    connect_timeout = max(_MIN_CONNECT_TIMEOUT_SECONDS, math.ceil(connect_timeout_seconds))
    return sa.create_engine(
        parsed,
        connect_args={"connect_timeout": connect_timeout, **_TCP_KEEPALIVES},
        pool_pre_ping=True,
        **pool,
    )


def _with_session_timeouts(url: URL, statement_seconds: float, lock_seconds: float) -> URL:
    """Return url with statement and lock timeouts added to the options its sessions start with."""
    settings = (
        f"-c statement_timeout={int(statement_seconds * 1000)} "
        f"-c lock_timeout={int(lock_seconds * 1000)}"
    )
    options = url.query.get("options", "")
    if not isinstance(options, str):
        options = " ".join(options)
    return url.update_query_dict({"options": f"{options} {settings}".strip()})


def _create_sqlite_engine(
    database: str | None, url: str, lock_timeout_seconds: float, pool: dict[str, Any]
) -> Engine:
    if not database or database == ":memory:" or "mode=memory" in url:
        # Each pooled connection would open a database of its own, and all of it would go
        # with the process: nothing an append acknowledged could be read back for sure.
        raise UnsupportedDatabase(
            f"{url!r} is an in-memory SQLite database, which the ledger cannot keep a log "
            "in; give a file, such as sqlite:///data/newsledger.db"
        )
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": lock_timeout_seconds},
        **pool,
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
