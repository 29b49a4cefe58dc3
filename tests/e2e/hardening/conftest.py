"""Servers with access control: one token per role, and throwaway TLS certificates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsledger.api.security import ServerSecurity
from newsledger.api.server import RunningServer, create_server
from newsledger.api.tokens import Role, TokenRegistry, entry_line, new_token, parse_entries
from newsledger.application.app import Application
from newsledger.client.connection import ClientSecurity
from newsledger.client.ledger_client import LedgerClient
from tests.support.certificates import Certificates, make_certificates

TOKENS = {role: new_token() for role in Role}
"""One token per role, made fresh for each test run."""


def token_registry() -> TokenRegistry:
    """Return a registry holding TOKENS, parsed from the token-file format."""
    lines = [entry_line(role, f"test-{role.label}", token) for role, token in TOKENS.items()]
    return TokenRegistry(parse_entries("\n".join(lines), "test tokens"))


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Return throwaway CA, server and client certificates."""
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def serve_with(app: Application) -> Iterator[Callable[[ServerSecurity], RunningServer]]:
    """Yield a starter of loopback servers with the given security; all stop at the end."""
    started: list[RunningServer] = []

    def start(security: ServerSecurity) -> RunningServer:
        running = create_server(app, "127.0.0.1:0", max_workers=16, security=security)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop(grace_seconds=1.0)


@pytest.fixture
def token_server(serve_with: Callable[[ServerSecurity], RunningServer]) -> RunningServer:
    """Return a plaintext loopback server that needs a token on every RPC."""
    return serve_with(ServerSecurity(tokens=token_registry()))


@pytest.fixture
def client_as(token_server: RunningServer) -> Iterator[Callable[[Role | None], LedgerClient]]:
    """Yield a factory of clients of token_server holding a role's token (None: no token)."""
    opened: list[LedgerClient] = []

    def connect(role: Role | None, token: str | None = None) -> LedgerClient:
        chosen = token if token is not None else (TOKENS[role] if role else None)
        client = LedgerClient(
            f"127.0.0.1:{token_server.port}", 10, security=ClientSecurity(token=chosen)
        )
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


def token_file(directory: Path) -> Path:
    """Write TOKENS as a token file and return its path."""
    path = directory / "tokens"
    lines = [entry_line(role, f"test-{role.label}", token) for role, token in TOKENS.items()]
    path.write_text("# role name sha256\n" + "\n".join(lines) + "\n")
    return path
