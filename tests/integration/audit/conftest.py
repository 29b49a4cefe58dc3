"""A ledger with its audit log behind a real server, on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy.engine import Engine

from newsledger.api.server import RunningServer, create_server
from newsledger.application.audit import AuditLog
from newsledger.application.ledger import Ledger
from newsledger.audit.note import Signer, generate_signer
from newsledger.audit.verify.live import AuditClient
from newsledger.store.event_store import EventStore

ORIGIN = "audit.test/log"


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    """Return the application service, its audit observer registered, on the test database."""
    return Ledger(EventStore(engine, lock_timeout_seconds=5.0), log_origin=ORIGIN)


@pytest.fixture
def signer() -> Signer:
    """Return the log's checkpoint signing key."""
    return generate_signer(ORIGIN)


@pytest.fixture
def audit(ledger: Ledger, signer: Signer) -> AuditLog:
    """Return the audit application service."""
    return AuditLog(ledger, signer)


@pytest.fixture
def server(ledger: Ledger, signer: Signer) -> Iterator[RunningServer]:
    """Yield a started server on a free loopback port."""
    running = create_server(ledger, "127.0.0.1:0", max_workers=8, signer=signer)
    yield running
    running.stop(grace_seconds=1.0)


@pytest.fixture
def channel(server: RunningServer) -> Iterator[grpc.Channel]:
    """Yield a channel to the test server."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        yield opened


@pytest.fixture
def audit_client(channel: grpc.Channel) -> AuditClient:
    """Return a verifier's client of the test server."""
    return AuditClient(channel, timeout_seconds=20)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    """Return where the client keeps its trusted state."""
    (tmp_path / "client").mkdir()
    return tmp_path / "client" / "trusted-state.json"
