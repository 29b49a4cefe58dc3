"""TLS and mutual TLS from certificate files, and no unauthenticated server beyond loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest

from newsledger.api.security import ServerSecurity
from newsledger.api.server import RunningServer
from newsledger.api.tls import ServerTls
from newsledger.cli.exits import ExitCode
from newsledger.client.connection import ClientSecurity
from newsledger.client.ledger_client import ApiError, LedgerClient
from newsledger.client.tls import ClientTls
from tests.e2e.hardening.conftest import token_file
from tests.support.certificates import Certificates
from tests.support.serve_process import run_newsledger

Serve = Callable[[ServerSecurity], RunningServer]


def tls_client(server: RunningServer, tls: ClientTls) -> LedgerClient:
    return LedgerClient(f"localhost:{server.port}", 5, security=ClientSecurity(tls=tls))


def test_a_tls_server_answers_clients_that_trust_its_ca(
    serve_with: Serve, certificates: Certificates
) -> None:
    """Given a TLS server, a client trusting its CA reads; a plaintext client cannot."""
    tls = ServerTls(certificates.server_cert, certificates.server_key)
    server = serve_with(ServerSecurity(tls=tls))
    with tls_client(server, ClientTls(ca_file=certificates.ca)) as client:
        assert client.read_log().events == []
    with LedgerClient(f"127.0.0.1:{server.port}", 2) as plaintext:
        with pytest.raises(ApiError) as raised:
            plaintext.read_log()
        assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    untrusting = tls_client(server, ClientTls(ca_file=certificates.other_ca))
    with untrusting, pytest.raises(ApiError):
        untrusting.read_log()


def test_mutual_tls_refuses_a_client_without_a_certificate(
    serve_with: Serve, certificates: Certificates
) -> None:
    """Given mutual TLS, only a client with a certificate signed by the client CA gets in."""
    tls = ServerTls(certificates.server_cert, certificates.server_key, certificates.ca)
    server = serve_with(ServerSecurity(tls=tls))
    with tls_client(server, ClientTls(ca_file=certificates.ca)) as anonymous:
        with pytest.raises(ApiError) as raised:
            anonymous.read_log()
        assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    with_cert = ClientTls(certificates.ca, certificates.client_cert, certificates.client_key)
    with tls_client(server, with_cert) as client:
        assert client.read_log().events == []


def refused_serve(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    return run_newsledger("serve", *arguments, cwd=tmp_path, env=env)


@pytest.mark.parametrize("address", ["0.0.0.0:0", "[::]:0", "192.0.2.10:50051"])
def test_a_non_loopback_bind_without_auth_refuses_to_start(tmp_path: Path, address: str) -> None:
    """Given an address beyond loopback and no tokens or mutual TLS, serve exits at once."""
    result = refused_serve(tmp_path, "--address", address)
    assert result.returncode == 2
    assert f"refusing to listen on {address} without authentication" in result.stderr
    assert "--insecure" in result.stderr
    assert not (tmp_path / "x.db").exists()  # refused before touching the database


def test_serve_reports_a_malformed_token_file(tmp_path: Path) -> None:
    """Given a token file with a plaintext token instead of a hash, serve names the line."""
    path = token_file(tmp_path)
    path.write_text(path.read_text() + "writer ci not-a-hash\n")
    result = refused_serve(tmp_path, "--tokens-file", str(path))
    assert result.returncode == ExitCode.INVALID_INPUT
    assert f"{path}, entry 5: the hash must be 64 hex digits" in result.stderr
