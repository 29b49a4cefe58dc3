"""The served reference library stores what it is sent and refuses a wrong expected version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from bench import grpc_cases
from bench.backends import SqliteBackend
from bench.workload import plan
from newsledger.client.connection import open_channel
from newsledger.v1 import event_store_pb2 as es

pytest.importorskip("eventsourcing", reason="the bench extra is not installed")

from bench import peer_server


@pytest.fixture
def sqlite_backend() -> Iterator[SqliteBackend]:
    """Yield a backend of SQLite files, removed after."""
    backend = SqliteBackend()
    yield backend
    backend.close()


def _call(target: str) -> Any:
    channel = open_channel(target)
    return channel, channel.unary_unary(
        peer_server.METHOD,
        request_serializer=es.AppendEventsRequest.SerializeToString,
        response_deserializer=es.AppendEventsResponse.FromString,
    )


@pytest.mark.slow
@pytest.mark.parametrize("level", peer_server.LEVELS)
def test_the_served_library_records_every_event(sqlite_backend: SqliteBackend, level: str) -> None:
    append_plan = plan(10, 200)  # two streams of 100 events, in batches of 10
    site = sqlite_backend.fresh(level)
    with peer_server.PeerServer(site, level) as server:
        channel, call = _call(server.target)
        responses = [call(r, timeout=30) for r in grpc_cases.append_requests(append_plan)]
        with pytest.raises(grpc.RpcError) as refused:
            call(grpc_cases.append_requests(append_plan)[1], timeout=30)  # version 9 is taken
        channel.close()
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert [r.positions[0].position for r in responses] == list(range(1, 201, 10))
    assert [r.stream_version for r in responses] == [b[-1].version for b in append_plan.batches]

    from eventsourcing.persistence import InfrastructureFactory
    from eventsourcing.utils import Environment

    factory: Any = InfrastructureFactory.construct(Environment("check", site.eventsourcing_env()))
    stored = factory.application_recorder().select_notifications(1, 1000)
    factory.close()
    assert len(stored) == 200
    if level == "recorder":
        texts = [e.json for e in append_plan.events()]
        assert [n.state.decode() for n in stored] == texts
    else:  # the Application stores its aggregates' events, each carrying the payload
        payloads = [e.payload for e in append_plan.events()]
        for notification, payload in zip(stored, payloads, strict=True):
            assert json.dumps(payload["statement_id"]) in notification.state.decode()
