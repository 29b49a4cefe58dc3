"""A served log signed by a known key, and a verifier's client of it, on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from newsledger.api.server import RunningServer
from newsledger.application.app import Application
from newsledger.audit.verify.live import AuditClient


@pytest.fixture
def app(audited_app: Application) -> Application:
    """Return the application whose audit log is named ORIGIN and signed by `signer`."""
    return audited_app


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
