"""A cap on open streams: beyond it a stream is refused, and unary calls keep answering."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from newsledger.api.interceptors.stream_slots import TOO_MANY_STREAMS
from newsledger.api.metrics import ServerMetrics
from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import event_store_pb2 as es
from tests.support.paths import SEED_STORY
from tests.support.payloads import statement
from tests.support.serve_process import run_newsledger

LIMIT = 2
SEED = "us-china-trade-2025"
SLOT_WAIT_SECONDS = 30.0
"""How long a test waits for the server to notice a stream ended (cancellation is async)."""


@pytest.fixture
def capped(app: Application) -> Iterator[RunningServer]:
    """Yield a server that keeps at most LIMIT streams open, with metrics."""
    running = create_server(
        app, "127.0.0.1:0", max_workers=8, max_streams=LIMIT, metrics=ServerMetrics(app.store)
    )
    yield running
    running.stop(grace_seconds=1.0)


@pytest.fixture
def client(capped: RunningServer) -> Iterator[LedgerClient]:
    """Yield a client of the capped server."""
    with LedgerClient(f"127.0.0.1:{capped.port}", timeout_seconds=20) as connected:
        yield connected


def open_subscription(client: LedgerClient) -> Any:
    """Return a Subscribe call that has sent its first message, so it holds a slot."""
    call = client.subscribe()
    assert next(call).WhichOneof("content") is not None
    return call


def open_watch(client: LedgerClient) -> Any:
    """Return a WatchNegotiation call on the seed that has sent its first view."""
    call = client.watch(SEED)
    assert next(call).view.negotiation_id == SEED
    return call


def refusal(open_stream: Callable[[], Any]) -> ApiError:
    """Open a stream that must be refused; return the decoded error."""
    with pytest.raises(grpc.RpcError) as raised:
        open_stream()
    return ApiError.from_rpc_error(raised.value)


def wait_for_open_streams(server: RunningServer, count: int) -> None:
    """Poll until the server counts count open streams; fail after SLOT_WAIT_SECONDS."""
    assert server.stream_slots is not None
    deadline = time.monotonic() + SLOT_WAIT_SECONDS
    while server.stream_slots.open != count:
        assert time.monotonic() < deadline, f"{server.stream_slots.open} streams still open"
        time.sleep(0.05)


def append_one(client: LedgerClient) -> str:
    """Append one statement; return its event id."""
    event_id = str(uuid.uuid4())
    client.append("talks", [proposed(event_id, "StatementMade", statement())])
    return event_id


def test_a_stream_beyond_the_limit_is_refused_while_unary_calls_still_answer(
    capped: RunningServer, client: LedgerClient
) -> None:
    """Given LIMIT open subscriptions, a third is refused; appends and reads still answer."""
    held = [open_subscription(client) for _ in range(LIMIT)]

    error = refusal(lambda: open_subscription(client))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == TOO_MANY_STREAMS
    assert error.metadata == {"limit": str(LIMIT), "budget": "total"}
    assert f"limit of {LIMIT} open streams" in error.message
    assert "retry later" in error.message

    appended = append_one(client)
    assert [event.event_id for event in client.read_log().events] == [appended]

    held[0].cancel()
    wait_for_open_streams(capped, LIMIT - 1)
    held.append(open_subscription(client))
    for call in held:
        call.cancel()
    wait_for_open_streams(capped, 0)


def test_the_default_limit_leaves_worker_threads_for_unary_calls(app: Application) -> None:
    """Given as many subscribers as worker threads, the surplus is refused and appends answer."""
    workers = 4
    running = create_server(app, "127.0.0.1:0", max_workers=workers)
    try:
        with LedgerClient(f"127.0.0.1:{running.port}", timeout_seconds=20) as client:
            held = []
            for _ in range(workers):
                try:
                    held.append(open_subscription(client))
                except grpc.RpcError as error:
                    assert ApiError.from_rpc_error(error).reason == TOO_MANY_STREAMS
            assert 1 <= len(held) < workers
            appended = append_one(client)
            assert [event.event_id for event in client.read_log().events] == [appended]
            for call in held:
                call.cancel()
    finally:
        running.stop(grace_seconds=1.0)


def test_watch_negotiation_counts_against_the_same_limit(
    app: Application, capped: RunningServer, client: LedgerClient
) -> None:
    """Given one subscription and one watch open, a third stream of either kind is refused."""
    ingest_story_in_process(app.ledger, SEED_STORY)
    subscription = open_subscription(client)
    watch = open_watch(client)

    assert refusal(lambda: open_watch(client)).reason == TOO_MANY_STREAMS
    assert refusal(lambda: open_subscription(client)).reason == TOO_MANY_STREAMS

    watch.cancel()
    wait_for_open_streams(capped, 1)
    second = open_subscription(client)
    subscription.cancel()
    second.cancel()
    wait_for_open_streams(capped, 0)


def test_a_stream_past_its_deadline_gives_its_slot_back(
    capped: RunningServer, client: LedgerClient
) -> None:
    """Given a subscription with a deadline, its slot is free again once the deadline passes."""
    call = client.events.Subscribe(es.SubscribeRequest(), timeout=1.0)
    assert next(call).HasField("caught_up")
    with pytest.raises(grpc.RpcError) as raised:
        list(call)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for_open_streams(capped, 0)


def test_a_refused_stream_takes_no_slot_and_the_open_ones_are_a_metric(
    capped: RunningServer, client: LedgerClient
) -> None:
    """Given a full server and a refusal, the metrics show LIMIT open streams and the limit."""
    held = [open_subscription(client) for _ in range(LIMIT)]
    refusal(lambda: open_subscription(client))
    assert capped.metrics is not None
    registry = capped.metrics.registry
    assert registry.get_sample_value("newsledger_open_streams") == LIMIT
    assert registry.get_sample_value("newsledger_open_streams_limit") == LIMIT
    for call in held:
        call.cancel()
    wait_for_open_streams(capped, 0)


def test_server_shutdown_gives_every_slot_back(app: Application) -> None:
    """Given streams open when the server stops, no slot stays taken."""
    running = create_server(app, "127.0.0.1:0", max_workers=8, max_streams=LIMIT)
    with LedgerClient(f"127.0.0.1:{running.port}", timeout_seconds=20) as client:
        held = [open_subscription(client) for _ in range(LIMIT)]
        running.stop(grace_seconds=1.0)
        wait_for_open_streams(running, 0)
        for call in held:
            call.cancel()


@pytest.mark.parametrize(
    ("arguments", "variables", "refused"),
    [
        (["--max-streams", "128"], {}, "128"),
        ([], {"NEWSLEDGER_MAX_STREAMS": "0"}, "0"),
    ],
)
def test_serve_refuses_a_stream_limit_that_fits_no_worker_pool(
    tmp_path: Path, arguments: list[str], variables: dict[str, str], refused: str
) -> None:
    """Given a limit leaving no worker for unary calls, or no stream, serve exits at once."""
    env = {
        "PATH": "/usr/bin:/bin",
        "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        **variables,
    }
    result = run_newsledger("serve", *arguments, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "the stream limit must be between 1 and 127" in result.stderr
    assert f"not {refused}" in result.stderr
    assert not (tmp_path / "x.db").exists()
