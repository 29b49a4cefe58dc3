"""Thousands of random and malformed requests through the real server, on every RPC.

Whatever arrives, the server answers with a deliberate status (never INTERNAL or
UNKNOWN) whose text reveals no SQL, parameter or stack, keeps serving, and a request it
refuses leaves the log as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.api.server import RunningServer
from newsledger.application.app import Application
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import audit_pb2, event_store_pb2, negotiations_pb2
from tests.support.leaks import leaked_internals
from tests.support.paths import SEED_NEGOTIATION, SEED_STORY
from tests.support.request_strategies import FORGED_KEY, hostile_events, messages, page_tokens

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


def exchange(channel: grpc.Channel, method: Method, raw: bytes) -> tuple[grpc.StatusCode, str]:
    """Send raw request bytes; return the status and its text (streams: after one message)."""
    try:
        if method.streams:
            call = channel.unary_stream(method.path)(raw, timeout=20)
            next(call, None)
            call.cancel()
            code = call.code()
            if code == grpc.StatusCode.CANCELLED:
                return grpc.StatusCode.OK, ""
            return code, call.details() or ""
        channel.unary_unary(method.path)(raw, timeout=20)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return error.code(), error.details() or ""  # type: ignore[attr-defined]


def assert_answered_deliberately(
    app: Application, channel: grpc.Channel, method: Method, raw: bytes
) -> None:
    head_before = app.store.head_position()
    code, text = exchange(channel, method, raw)
    assert code not in NEVER, f"{method.path} answered {code.name}: {text}"
    assert not leaked_internals(text), f"{method.path} answered {code.name}: {text}"
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


READS = {"ReadLog": "log", "ReadStream": "stream", "ListTimelineEntries": "timeline"}
READS["ListNegotiations"] = "negotiations"
READS["ListCheckpoints"] = "checkpoints"
READS["ListStatements"] = "statements"
PAGED = [m for m in METHODS if "page_token" in m.request.fields_by_name]


def matching_key(read: str, request: Any) -> str:
    """Return the key a token of read must carry to be taken for this request's own."""
    if read == "stream":
        return str(request.stream)
    if read == "log":
        return ",".join(request.event_types)
    return "0"


@pytest.mark.slow
@pytest.mark.parametrize("method", PAGED, ids=[m.path.rsplit("/", 1)[1] for m in PAGED])
def test_forged_page_tokens_get_deliberate_answers(
    seeded_channel: grpc.Channel, app: Application, method: Method
) -> None:
    """Given page tokens forged with positions past 2^63, keys that are not offsets and keys
    holding U+0000, on requests they would otherwise fit, every answer is deliberate."""
    read = READS[method.path.rsplit("/", 1)[1]]

    @settings(FUZZ, max_examples=max(EXAMPLES // 2, 50))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        request: Any = data.draw(messages(method.request))
        if "negotiation_id" in method.request.fields_by_name:
            request.negotiation_id = SEED_NEGOTIATION
        own = st.just(matching_key(read, request))
        request.page_token = data.draw(page_tokens(st.just(read), own | FORGED_KEY))
        assert_answered_deliberately(app, seeded_channel, method, request.SerializeToString())

    check()
    assert_still_serving(seeded_channel)


APPENDS = [m for m in METHODS if m.path.endswith(("/AppendEvents", "/AppendAndProve"))]


@pytest.mark.slow
@pytest.mark.parametrize("method", APPENDS, ids=[m.path.rsplit("/", 1)[1] for m in APPENDS])
def test_hostile_json_and_nul_strings_get_deliberate_answers(
    seeded_channel: grpc.Channel, app: Application, method: Method
) -> None:
    """Given events with JSON nested hundreds deep, a key twice, or U+0000 in a string (a
    negotiation's title among them), every answer is deliberate and a refusal writes
    nothing, on either backend."""

    @settings(FUZZ, max_examples=max(EXAMPLES // 2, 50))
    @given(events=st.lists(hostile_events(), min_size=1, max_size=3))
    def check(events: list[Any]) -> None:
        request: Any = GetMessageClass(method.request)()
        nul_title = any(e.event_type == "NegotiationOpened" for e in events)
        request.stream = "negotiation-fuzz-talks" if nul_title else "talks"
        request.events.extend(events)
        assert_answered_deliberately(app, seeded_channel, method, request.SerializeToString())

    check()
    assert_still_serving(seeded_channel)
