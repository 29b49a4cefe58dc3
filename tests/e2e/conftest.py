"""A real server on an ephemeral port, over a migrated database on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.client.ledger_client import LedgerClient
from newsledger.store.event_store import EventStore


@pytest.fixture
def app(engine: Engine) -> Application:
    """Return the application service over the migrated test database."""
    return build_application(EventStore(engine, lock_timeout_seconds=5.0))


@pytest.fixture
def server(app: Application) -> Iterator[RunningServer]:
    """Yield a started server bound to a free loopback port."""
    running = create_server(app, "127.0.0.1:0", max_workers=16)
    yield running
    running.stop(grace_seconds=1.0)


@pytest.fixture
def target(server: RunningServer) -> str:
    """Return the server's address."""
    return f"127.0.0.1:{server.port}"


@pytest.fixture
def client(target: str) -> Iterator[LedgerClient]:
    """Yield a client connected to the test server."""
    with LedgerClient(target, timeout_seconds=20) as connected:
        yield connected
