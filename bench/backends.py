"""Fresh databases per case: a new SQLite file, or a schema in a run-private PostgreSQL database.

The PostgreSQL run database is created at the start of a run and dropped at its end, so
nothing the benchmark writes outlives it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Site:
    """Where one case's data lives, in the forms each contender needs."""

    backend: str  # "sqlite" | "postgres"
    name: str
    newsledger_url: str  # for NEWSLEDGER_DATABASE_URL and newsledger's create_engine
    sqlite_path: Path | None = None  # sqlite: the file
    pg_conninfo: str = ""  # postgres: libpq URL of the run database
    pg_schema: str = ""  # postgres: the case's schema
    signing_key: Path | None = None  # postgres: the log's key file (SQLite's follows the file)

    def eventsourcing_env(self) -> dict[str, str]:
        """Return the `eventsourcing` library's environment for this site."""
        if self.sqlite_path is not None:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
            }
        url = make_url(self.pg_conninfo)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.database or "",
            "POSTGRES_HOST": url.host or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "unused",
            "POSTGRES_SCHEMA": self.pg_schema,
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "2",
        }


class Backend(Protocol):
    """Hands out fresh sites and cleans up after the run."""

    name: str

    def fresh(self, case: str) -> Site:
        """Return an empty site for case."""
        ...

    def close(self) -> None:
        """Remove everything the run created."""
        ...

    def versions(self) -> dict[str, str]:
        """Return the database's version and durability settings."""
        ...


@dataclass
class SqliteBackend:
    """A temporary folder holding one SQLite file per case."""

    name: str = "sqlite"
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="newsledger-bench-")))
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def fresh(self, case: str) -> Site:
        """Return a new, empty SQLite file."""
        path = self.root / f"{case}-{next(self._counter)}.db"
        return Site("sqlite", case, f"sqlite:///{path}", sqlite_path=path)

    def close(self) -> None:
        """Delete the folder."""
        shutil.rmtree(self.root, ignore_errors=True)

    def versions(self) -> dict[str, str]:
        """Return the SQLite library version."""
        import sqlite3

        return {"sqlite": sqlite3.sqlite_version, "sqlite journal": "WAL, synchronous=FULL"}


class PostgresBackend:
    """A database created for the run; each case gets its own schema in it."""

    name = "postgres"

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        admin = make_url(admin_url).set(drivername="postgresql")
        self.admin_conninfo = admin.render_as_string(hide_password=False)
        self.database = f"nlbench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.admin_conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.conninfo = admin.set(database=self.database).render_as_string(hide_password=False)
        self._counter = itertools.count()
        # One key per case, kept for the run: every server started on a case's log signs
        # with the key that log was first signed with.
        self.keys = Path(tempfile.mkdtemp(prefix="newsledger-bench-keys-"))

    def connect(self, schema: str = "", **options: Any) -> Any:
        """Return an autocommit psycopg connection to the run database, on schema if given."""
        if schema:
            options["options"] = f"-csearch_path={schema}"
        return self._psycopg.connect(self.conninfo, autocommit=True, **options)

    def fresh(self, case: str) -> Site:
        """Create a new schema and return a site on it."""
        schema = f"{case}_{next(self._counter)}".lower()
        with self.connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = make_url(self.conninfo).set(drivername="postgresql+psycopg")
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
        return Site(
            "postgres",
            case,
            url.render_as_string(hide_password=False),
            pg_conninfo=self.conninfo,
            pg_schema=schema,
            signing_key=self.keys / f"{schema}.key",
        )

    def drop(self, site: Site) -> None:
        """Drop a site's schema to keep the run database small."""
        with self.connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{site.pg_schema}" CASCADE')

    def close(self) -> None:
        """Drop the run database (ending any session still on it)."""
        with self._psycopg.connect(self.admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.keys, ignore_errors=True)

    def versions(self) -> dict[str, str]:
        """Return the server version and its durability settings."""
        out = {}
        with self.connect() as conn:
            for setting in ("server_version", "fsync", "synchronous_commit", "shared_buffers"):
                out[f"postgres {setting}"] = str(conn.execute(f"SHOW {setting}").fetchone()[0])
        return out


def drop_site(backend: Backend, site: Site) -> None:
    """Free a finished case's storage."""
    if isinstance(backend, PostgresBackend):
        backend.drop(site)
    elif site.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{site.sqlite_path}{suffix}").unlink(missing_ok=True)
        site.sqlite_path.with_name(f"{site.sqlite_path.stem}.signing.key").unlink(missing_ok=True)
