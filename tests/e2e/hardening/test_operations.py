"""Request ids, structured logs and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from collections.abc import Iterator

import grpc
import pytest

from newsledger.api.log_format import JsonFormatter
from newsledger.api.metrics import ServerMetrics
from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement


def append_request() -> es.AppendEventsRequest:
    event = proposed(str(uuid.uuid4()), "StatementMade", statement())
    return es.AppendEventsRequest(stream="talks", events=[event])


def trailing_request_id(call: grpc.Call) -> str:
    return dict(call.trailing_metadata() or ())["x-request-id"]


def test_a_callers_request_id_comes_back_in_the_trailing_metadata(client: LedgerClient) -> None:
    """Given x-request-id metadata, the same id returns, on success and on failure."""
    _, call = client.events.AppendEvents.with_call(
        append_request(), metadata=[("x-request-id", "req-42")]
    )
    assert trailing_request_id(call) == "req-42"
    with pytest.raises(grpc.RpcError) as raised:
        client.events.ReadLog(es.ReadLogRequest(page_size=-1), metadata=[("x-request-id", "r-7")])
    assert trailing_request_id(raised.value) == "r-7"  # type: ignore[arg-type]


def test_a_request_id_is_made_when_the_caller_sends_none_or_a_bad_one(
    client: LedgerClient,
) -> None:
    """Given no id, or one that is not a plausible id, the server makes a fresh one."""
    _, plain = client.events.ReadLog.with_call(es.ReadLogRequest())
    _, odd = client.events.ReadLog.with_call(
        es.ReadLogRequest(), metadata=[("x-request-id", "bad id with spaces")]
    )
    made = {trailing_request_id(plain), trailing_request_id(odd)}
    assert len(made) == 2
    assert all(len(request_id) == 32 for request_id in made)


def test_each_rpc_logs_one_json_line_with_its_request_id_and_outcome(
    client: LedgerClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Given two calls, the request log has one structured line each, with id and status."""
    caplog.set_level(logging.INFO, logger="newsledger.requests")
    client.events.AppendEvents(append_request(), metadata=[("x-request-id", "append-1")])
    with pytest.raises(grpc.RpcError):
        client.events.ReadLog(es.ReadLogRequest(page_size=-1), metadata=[("x-request-id", "r-2")])
    records = [r for r in caplog.records if r.name == "newsledger.requests"]
    lines = [json.loads(JsonFormatter().format(record)) for record in records]
    assert [(line["method"], line["code"]) for line in lines] == [
        ("/newsledger.v1.EventStoreService/AppendEvents", "OK"),
        ("/newsledger.v1.EventStoreService/ReadLog", "INVALID_ARGUMENT"),
    ]
    assert [line["request_id"] for line in lines] == ["append-1", "r-2"]
    assert all(line["duration_ms"] >= 0 and line["level"] == "info" for line in lines)


@pytest.fixture
def measured(app: Application) -> Iterator[tuple[RunningServer, str]]:
    """Yield a server with metrics on a free loopback port, and the metrics URL."""
    metrics = ServerMetrics(app.store)
    port = metrics.serve("127.0.0.1:0")
    running = create_server(app, "127.0.0.1:0", max_workers=8, metrics=metrics)
    yield running, f"http://127.0.0.1:{port}/metrics"
    running.stop(grace_seconds=1.0)


def scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_count_appends_time_them_and_track_subscribers(
    measured: tuple[RunningServer, str],
) -> None:
    """Given two appends, a refused one and a live subscriber, the metrics say so."""
    server, url = measured
    with LedgerClient(f"127.0.0.1:{server.port}", 10) as client:
        client.events.AppendEvents(append_request())
        client.events.AppendEvents(append_request())
        with pytest.raises(grpc.RpcError):
            client.events.AppendEvents(es.AppendEventsRequest(stream="talks"))
        subscription = client.subscribe()
        next(subscription)  # caught up: the stream is open
        during = scrape(url)
        subscription.cancel()
    assert during['newsledger_appends_total{code="OK"}'] == 2
    assert during['newsledger_appends_total{code="INVALID_ARGUMENT"}'] == 1
    assert during["newsledger_append_duration_seconds_count"] == 3
    assert during['newsledger_append_duration_seconds_bucket{le="+Inf"}'] == 3
    assert during["newsledger_subscribers"] == 1
    assert during["newsledger_log_head_position"] == 1
    assert during["newsledger_projection_lag_events"] == 0
