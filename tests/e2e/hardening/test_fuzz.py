"""Thousands of random and malformed requests through the real server, on every RPC.

Whatever arrives, the server answers with a deliberate status (never INTERNAL or
UNKNOWN), keeps serving, and a request it refuses leaves the log as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.descriptor import Descriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.api.server import RunningServer
from newsledger.application.app import Application
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import audit_pb2, event_store_pb2, negotiations_pb2
from tests.support.paths import SEED_STORY
from tests.support.request_strategies import messages

# Examples per method and backend; FUZZ_EXAMPLES raises it for a longer local run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}


@dataclass(frozen=True)
class Method:
    """One RPC: its path, its request type, and whether it streams responses."""

    path: str
    request: Descriptor
    streams: bool


METHODS = [
    Method(f"/{service.full_name}/{method.name}", method.input_type, method.server_streaming)
    for module, name in (
        (event_store_pb2, "EventStoreService"),
        (negotiations_pb2, "NegotiationService"),
        (audit_pb2, "AuditService"),
    )
    for service in [module.DESCRIPTOR.services_by_name[name]]
    for method in service.methods
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def seeded_channel(app: Application, server: RunningServer) -> Iterator[grpc.Channel]:
    """Yield a channel to a server whose log holds the seed story."""
    ingest_story_in_process(app.ledger, SEED_STORY)
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield channel


def exchange(channel: grpc.Channel, method: Method, raw: bytes) -> grpc.StatusCode:
    """Send raw request bytes; return the status (streams: after their first message)."""
    try:
        if method.streams:
            call = channel.unary_stream(method.path)(raw, timeout=20)
            next(call, None)
            call.cancel()
            code = call.code()
            return grpc.StatusCode.OK if code == grpc.StatusCode.CANCELLED else code
        channel.unary_unary(method.path)(raw, timeout=20)
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]


def assert_answered_deliberately(
    app: Application, channel: grpc.Channel, method: Method, raw: bytes
) -> None:
    head_before = app.store.head_position()
    code = exchange(channel, method, raw)
    assert code not in NEVER, f"{method.path} answered {code.name}"
    if code != grpc.StatusCode.OK:
        assert app.store.head_position() == head_before, f"{method.path} refused but wrote"


def assert_still_serving(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert health.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS, ids=[m.path.rsplit("/", 1)[1] for m in METHODS])
def test_random_requests_get_deliberate_answers_and_refusals_write_nothing(
    seeded_channel: grpc.Channel, app: Application, method: Method
) -> None:
    """Given random well-typed requests with edge values, every answer is deliberate."""

    @FUZZ
    @given(request=messages(method.request))
    def check(request: object) -> None:
        raw = request.SerializeToString()  # type: ignore[attr-defined]
        assert_answered_deliberately(app, seeded_channel, method, raw)

    check()
    assert_still_serving(seeded_channel)


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS, ids=[m.path.rsplit("/", 1)[1] for m in METHODS])
def test_malformed_bytes_get_deliberate_answers_and_write_nothing(
    seeded_channel: grpc.Channel, app: Application, method: Method
) -> None:
    """Given bytes that are mostly not a valid message, every answer is deliberate."""

    @settings(FUZZ, max_examples=max(EXAMPLES // 3, 20))
    @given(raw=st.binary(max_size=256) | st.binary(min_size=1, max_size=8).map(lambda b: b * 40))
    def check(raw: bytes) -> None:
        assert_answered_deliberately(app, seeded_channel, method, raw)

    check()
    assert_still_serving(seeded_channel)
