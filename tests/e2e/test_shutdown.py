"""SIGTERM stops `newsledger serve` gracefully: appends finish or vanish whole, streams end."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from sqlalchemy.engine import Engine

from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.store.locking import append_transaction
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement
from tests.support.serve_process import ServeProcess

GRACE_SECONDS = 5.0
"""The grace period `newsledger serve` gives in-flight calls after SIGTERM."""
BATCH = 25


@pytest.fixture
def start_server(database_url: str, tmp_path: Path) -> Iterator[Callable[[float], ServeProcess]]:
    """Yield a starter of serve processes; any still running at the end is killed."""
    started: list[ServeProcess] = []

    def start(lock_timeout_seconds: float) -> ServeProcess:
        timeout = {"NEWSLEDGER_LOCK_TIMEOUT_SECONDS": str(lock_timeout_seconds)}
        server = ServeProcess(database_url, tmp_path, environment=timeout)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


class InBackground:
    """Runs one call on a thread and keeps its result or its error."""

    def __init__(self, call: Callable[[], object]) -> None:
        self.result: object = None
        self.error: BaseException | None = None
        self.done = threading.Event()

        def run() -> None:
            try:
                self.result = call()
            except BaseException as error:
                self.error = error
            finally:
                self.done.set()

        threading.Thread(target=run, daemon=True).start()


class LiveSubscription:
    """A Subscribe stream on the whole log, read on a thread until it ends."""

    def __init__(self, client: LedgerClient) -> None:
        self.caught_up = threading.Event()
        self.call = client.subscribe()
        self.reader = InBackground(self._read)

    def _read(self) -> None:
        for message in self.call:
            if message.HasField("caught_up"):
                self.caught_up.set()

    def end_code(self) -> grpc.StatusCode | None:
        """Return the status the stream ended with, or None if it ended cleanly."""
        error = self.reader.error
        return error.code() if isinstance(error, grpc.RpcError) else None


def statements(count: int) -> list[es.ProposedEvent]:
    return [proposed(str(uuid.uuid4()), "StatementMade", statement(n)) for n in range(count)]


def recorded_ids(engine: Engine) -> list[str]:
    """Read the log straight from the database, after the server is gone."""
    from newsledger.store.event_store import EventStore

    return [str(event.event_id) for event in EventStore(engine).read_all(limit=10_000)]


def test_sigterm_lets_an_in_flight_append_finish_and_ends_live_streams(
    start_server: Callable[[float], ServeProcess], make_engine: Callable[..., Engine]
) -> None:
    """Given a live subscriber and an append waiting on the lock, SIGTERM drains and exits 0.

    The test holds the append lock so the append is certainly in flight when SIGTERM
    arrives; it releases the lock within the grace period, so the append must complete.
    """
    server = start_server(10.0)
    batch = statements(BATCH)
    with LedgerClient(server.target, timeout_seconds=30) as client:
        subscription = LiveSubscription(client)
        assert subscription.caught_up.wait(10)
        with append_transaction(make_engine(), timeout_seconds=10):
            append = InBackground(lambda: client.append("talks", batch))
            time.sleep(0.5)  # the append reaches the server and waits for the lock
            sent = server.terminate()
            assert subscription.reader.done.wait(GRACE_SECONDS / 2)
            assert subscription.end_code() == grpc.StatusCode.UNAVAILABLE
            assert not append.done.is_set()
            assert server.process.poll() is None  # still draining the append
        exit_code = server.process.wait(timeout=GRACE_SECONDS + 5)
        stopped_after = time.monotonic() - sent

    assert exit_code == 0
    assert stopped_after < GRACE_SECONDS
    assert append.error is None
    assert isinstance(append.result, es.AppendEventsResponse)
    assert len(append.result.positions) == BATCH
    assert recorded_ids(make_engine()) == [event.event_id for event in batch]


def test_an_append_that_cannot_finish_during_shutdown_records_nothing(
    start_server: Callable[[float], ServeProcess], make_engine: Callable[..., Engine]
) -> None:
    """Given an append still waiting on the lock when it gives up, none of it is recorded."""
    server = start_server(1.0)
    with LedgerClient(server.target, timeout_seconds=30) as client:
        with append_transaction(make_engine(), timeout_seconds=10):
            append = InBackground(lambda: client.append("talks", statements(BATCH)))
            time.sleep(0.5)
            server.terminate()
            assert append.done.wait(GRACE_SECONDS)  # the server's 1 s lock wait expires
        exit_code = server.process.wait(timeout=GRACE_SECONDS + 5)

    assert exit_code == 0
    assert isinstance(append.error, ApiError)
    assert append.error.code == grpc.StatusCode.UNAVAILABLE
    assert recorded_ids(make_engine()) == []
