"""PostgreSQL cut off or frozen: health says so, calls end UNAVAILABLE with a retry hint.

A pure-Python TCP proxy stands between the service and the shared PostgreSQL server, so a
test can cut every connection (as when the server stops) or freeze them (as when it hangs)
and then restore them, without touching the server other tests use.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from sqlalchemy.engine import Engine, make_url

from newsledger.api.server import RunningServer, create_server
from newsledger.bootstrap import build_application
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.v1 import event_store_pb2 as es
from tests.conftest import POSTGRES_URL, fresh_postgres_schema
from tests.support.leaks import leaked_internals
from tests.support.payloads import statement
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

NOTICE_SECONDS = 60.0
"""How long a test waits for health to follow the database (probes run every 0.2 s)."""
ANSWER_SECONDS = 30.0


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    """Yield a proxy to the test PostgreSQL server."""
    url = make_url(POSTGRES_URL or "")
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running


@pytest.fixture
def proxied_url(proxy: TcpProxy) -> Iterator[str]:
    """Yield the URL of a fresh schema, reached through the proxy."""
    with fresh_postgres_schema() as direct:
        yield (
            make_url(direct)
            .set(host="127.0.0.1", port=proxy.port)
            .render_as_string(hide_password=False)
        )


@pytest.fixture
def serve_over(proxied_url: str) -> Iterator[Callable[..., RunningServer]]:
    """Yield a starter of servers on the proxied database, probing health every 0.2 s."""
    started: list[tuple[RunningServer, Engine]] = []

    def start(**engine_options: Any) -> RunningServer:
        engine = create_engine(proxied_url, **engine_options)
        upgrade_to_head(engine)
        app = build_application(EventStore(engine, lock_timeout_seconds=5.0))
        running = create_server(
            app, "127.0.0.1:0", max_workers=16, probe_interval_seconds=0.2, probe_timeout_seconds=1
        )
        started.append((running, engine))
        return running

    yield start
    for running, engine in started:
        running.stop(grace_seconds=1.0)
        engine.dispose()


def health_of(server: RunningServer) -> str:
    """Return the server's overall health status by name."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=ANSWER_SECONDS
        )
    return health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)


def wait_for_health(server: RunningServer, wanted: str) -> None:
    """Poll health until it reports wanted; fail after NOTICE_SECONDS."""
    deadline = time.monotonic() + NOTICE_SECONDS
    while (status := health_of(server)) != wanted:
        assert time.monotonic() < deadline, f"health still {status}"
        time.sleep(0.1)


def unavailable(call: Callable[[], Any]) -> tuple[ApiError, int]:
    """Run a call that must fail UNAVAILABLE; return the error and its retry delay in ms."""
    with pytest.raises(grpc.RpcError) as raised:
        call()
    error = ApiError.from_rpc_error(raised.value)
    assert error.code == grpc.StatusCode.UNAVAILABLE, error
    status = rpc_status.from_call(raised.value)  # type: ignore[arg-type]
    assert status is not None
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in status.details)
    assert not leaked_internals(error.message)
    return error, retry.retry_delay.ToMilliseconds()


def append_request() -> es.AppendEventsRequest:
    """Return a request appending one statement."""
    event = proposed(str(uuid.uuid4()), "StatementMade", statement())
    return es.AppendEventsRequest(stream="talks", events=[event])


def append_one(client: LedgerClient) -> None:
    """Append one statement."""
    client.events.AppendEvents(append_request(), timeout=ANSWER_SECONDS)


def test_health_follows_a_stopped_database_and_calls_are_unavailable_until_it_returns(
    serve_over: Callable[..., RunningServer], proxy: TcpProxy
) -> None:
    """Given the database cut off, health turns NOT_SERVING and reads and appends are
    UNAVAILABLE (DATABASE_UNAVAILABLE) with a retry hint; once it is back, SERVING, and both
    work again."""
    server = serve_over()
    with LedgerClient(f"127.0.0.1:{server.port}", ANSWER_SECONDS) as client:
        append_one(client)
        assert health_of(server) == "SERVING"

        proxy.cut()
        wait_for_health(server, "NOT_SERVING")
        error, retry_ms = unavailable(lambda: client.events.ReadLog(es.ReadLogRequest()))
        assert error.reason == "DATABASE_UNAVAILABLE" and retry_ms > 0
        error, _ = unavailable(lambda: client.events.AppendEvents(append_request()))
        assert error.reason == "DATABASE_UNAVAILABLE"

        proxy.restore()
        wait_for_health(server, "SERVING")
        append_one(client)
        assert len(client.read_log().events) == 2


def test_health_follows_a_frozen_database_and_an_exhausted_pool_is_unavailable(
    serve_over: Callable[..., RunningServer], proxy: TcpProxy
) -> None:
    """Given the database frozen, health turns NOT_SERVING, a read holding the only pooled
    connection waits, the next read is UNAVAILABLE (DATABASE_BUSY) with a retry hint instead
    of UNKNOWN; once it thaws, the waiting read answers and health is SERVING again."""
    server = serve_over(pool_size=1, max_overflow=0, pool_timeout_seconds=1)
    engine = server.app.engine
    with LedgerClient(f"127.0.0.1:{server.port}", ANSWER_SECONDS) as client:
        append_one(client)

        proxy.freeze()
        wait_for_health(server, "NOT_SERVING")
        waiting: list[Any] = []
        reader = threading.Thread(
            target=lambda: waiting.append(client.events.ReadLog(es.ReadLogRequest(), timeout=120))
        )
        reader.start()
        deadline = time.monotonic() + NOTICE_SECONDS
        while engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        error, retry_ms = unavailable(lambda: client.events.ReadLog(es.ReadLogRequest()))
        assert error.reason == "DATABASE_BUSY" and retry_ms > 0

        proxy.restore()
        reader.join(timeout=ANSWER_SECONDS)
        assert [len(page.events) for page in waiting] == [1]
        wait_for_health(server, "SERVING")
        assert len(client.read_log().events) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_statement_waiting_on_a_lock_or_running_too_long_is_cut_short(
    make_engine: Callable[..., Engine],
) -> None:
    """Given statement and lock timeouts, a read blocked by a lock ends with an error that
    answers UNAVAILABLE, and so does a statement that runs too long."""
    engine = make_engine(statement_timeout_seconds=2, lock_timeout_seconds=0.5)
    upgrade_to_head(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar_one() == "2s"
        assert conn.execute(sa.text("SHOW lock_timeout")).scalar_one() == "500ms"
    app = build_application(EventStore(engine, lock_timeout_seconds=0.5))
    server = create_server(app, "127.0.0.1:0", max_workers=8, probe_interval_seconds=None)
    try:
        with engine.connect() as holder, holder.begin():
            holder.execute(sa.text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
            with LedgerClient(f"127.0.0.1:{server.port}", ANSWER_SECONDS) as client:
                error, _ = unavailable(lambda: client.events.ReadLog(es.ReadLogRequest()))
        assert error.reason == "DATABASE_UNAVAILABLE"
        with (
            pytest.raises(sa.exc.OperationalError, match="statement timeout"),
            engine.connect() as conn,
        ):
            conn.execute(sa.text("SELECT pg_sleep(30)"))
    finally:
        server.stop(grace_seconds=1.0)


def test_connecting_to_a_frozen_database_gives_up_after_the_connect_timeout(
    proxied_url: str, proxy: TcpProxy
) -> None:
    """Given a database that accepts a connection and never answers, connecting fails."""
    proxy.freeze()
    engine = create_engine(proxied_url, connect_timeout_seconds=2)
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            with engine.connect():
                pass
        except BaseException as error:
            outcome.append(error)

    attempt = threading.Thread(target=connect, daemon=True)
    attempt.start()
    attempt.join(timeout=NOTICE_SECONDS)
    assert not attempt.is_alive(), "connecting still waits"
    assert isinstance(outcome[0], sa.exc.OperationalError)
    engine.dispose()
