"""Shared fixtures: a migrated database on each backend the run is configured for."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from newsledger.store.engine import create_engine, normalise_url
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head

pytest_plugins = ("tests.support.audit_fixtures",)

POSTGRES_URL = os.environ.get("NEWSLEDGER_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL cases only when no server URL is configured."""
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="NEWSLEDGER_TEST_DATABASE_URL is not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL is not None
    url = make_url(normalise_url(POSTGRES_URL))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """Create an empty schema on the test server; yield a URL that uses it; drop it after."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL or "")
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database on one backend (a fresh schema on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def make_engine(database_url: str) -> Iterator[Callable[..., Engine]]:
    """Yield a factory of engines on the test database, disposed at the end."""
    made: list[Engine] = []

    def factory(**options: float) -> Engine:
        engine = create_engine(database_url, **options)
        made.append(engine)
        return engine

    yield factory
    for engine in made:
        engine.dispose()


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    """Return an engine on a database migrated to head."""
    engine = make_engine()
    upgrade_to_head(engine)
    return engine


@pytest.fixture
def store(engine: Engine) -> EventStore:
    """Return an event store on the migrated test database."""
    return EventStore(engine, lock_timeout_seconds=5.0)
