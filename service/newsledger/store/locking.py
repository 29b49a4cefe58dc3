"""The append lock: one writer at a time, so positions become visible in commit order.

Raising the known_at watermark must also wait for the append in flight, which may have
taken its record time already: on SQLite it takes the write lock as appends do; on
PostgreSQL an append holds the watermark row in share mode from the moment it reads it, so
the UPDATE that raises it waits for that append alone, not for those queued behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from newsledger.store.engine import SQLITE_BEGIN, is_sqlite
from newsledger.store.errors import AppendLockTimeout

# PostgreSQL's SQLSTATE for lock_timeout expiry (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


@contextmanager
def append_transaction(engine: Engine, timeout_seconds: float) -> Iterator[Connection]:
    """Yield a connection in a transaction that holds the append lock until it ends."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            try:
                transaction = conn.begin()
            except exc.OperationalError as error:
                if "locked" in str(error.orig):
                    raise AppendLockTimeout(timeout_seconds) from None
                raise
        else:
            transaction = conn.begin()
            try:
                # One round trip: without parameters, both statements go as one query.
                conn.exec_driver_sql(
                    f"SET LOCAL lock_timeout = '{int(timeout_seconds * 1000)}ms'; "
                    "LOCK TABLE events IN EXCLUSIVE MODE"
                )
            except exc.OperationalError as error:
                transaction.rollback()
                if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    raise AppendLockTimeout(timeout_seconds) from None
                raise
        with transaction:
            yield conn


@contextmanager
def watermark_transaction(engine: Engine, timeout_seconds: float) -> Iterator[Connection]:
    """Yield a connection in a transaction fit to raise the known_at watermark."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            try:
                transaction = conn.begin()
            except exc.OperationalError as error:
                if "locked" in str(error.orig):
                    raise AppendLockTimeout(timeout_seconds) from None
                raise
        else:
            transaction = conn.begin()
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(timeout_seconds * 1000)}ms'")
        with transaction:
            try:
                yield conn
            except exc.OperationalError as error:
                if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    raise AppendLockTimeout(timeout_seconds) from None
                raise
