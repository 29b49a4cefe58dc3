"""The Python client's promises: retries, a subscription that survives a restart, stream errors."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import grpc
import pytest

from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.client import ApiError, connect
from newsledger.client.ledger_client import LedgerClient
from tests.support.payloads import statement
from tests.support.serve_process import ServeProcess

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def append_statements(client: LedgerClient, numbers: range) -> None:
    client.append(
        "talks", [{"event_type": "StatementMade", "payload": statement(n)} for n in numbers]
    )


def test_a_call_is_retried_until_a_late_server_answers(app: Application) -> None:
    """Given a server that starts just after the call is made, the retry policy answers."""
    port = free_port()
    with connect(f"127.0.0.1:{port}", retry_attempts=1, timeout_seconds=5) as once:
        with pytest.raises(ApiError) as refused:
            once.list_negotiations()
        assert refused.value.code == grpc.StatusCode.UNAVAILABLE
    started: list[RunningServer] = []

    def start_late() -> None:
        time.sleep(0.2)
        started.append(create_server(app, f"127.0.0.1:{port}", max_workers=8))

    starter = threading.Thread(target=start_late)
    starter.start()
    try:
        with connect(f"127.0.0.1:{port}", timeout_seconds=20) as client:
            assert client.list_negotiations() == []  # one call: the channel retried it
    finally:
        starter.join()
        for server in started:
            server.stop(grace_seconds=0.5)


def test_follow_resumes_after_a_server_restart_without_loss_or_repeat(tmp_path: Path) -> None:
    """Given a follower, a restart of the server between appends loses and repeats nothing."""
    database = f"sqlite:///{tmp_path / 'follow.db'}"
    first = ServeProcess(database, tmp_path)
    address = first.target
    received: list[int] = []
    with connect(address) as client:
        append_statements(client, range(3))
        subscription = client.follow()

        def consume() -> None:
            for event in subscription:
                received.append(event.position)
                if len(received) == 6:
                    return

        follower = threading.Thread(target=consume, daemon=True)
        follower.start()
        deadline = time.monotonic() + 30
        while len(received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.stop()
        second = ServeProcess(database, tmp_path, "--address", address)
        try:
            append_statements(client, range(3, 6))
            follower.join(timeout=60)
        finally:
            subscription.close()
            second.stop()
    assert received == list(range(6))


def test_a_stream_failure_is_the_same_api_error(client: LedgerClient) -> None:
    """Given a watch of no negotiation, iterating raises ApiError NOT_FOUND, not a gRPC error."""
    with pytest.raises(ApiError) as raised:
        next(iter(client.changes("no-such-talks")))
    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    assert raised.value.reason == "NEGOTIATION_NOT_FOUND"
