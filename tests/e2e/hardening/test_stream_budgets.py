"""Hundreds of idle long-lived calls of every kind, with and without tokens, freeze nothing.

Each idle call (a bidirectional reflection stream that never sends a request, a health
Watch, a Subscribe or WatchNegotiation past its first message) would hold a worker thread
for ever. The budgets admit some, refuse the rest at once with RESOURCE_EXHAUSTED naming
the budget, and an authorised client's unary calls keep answering.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_status import rpc_status

from newsledger.api.interceptors.stream_slots import ANONYMOUS, CALLER, TOO_MANY_STREAMS, TOTAL
from newsledger.api.security import ServerSecurity
from newsledger.api.server import RunningServer, create_server
from newsledger.api.tokens import Role, TokenRegistry, entry_line, new_token, parse_entries
from newsledger.application.app import Application
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import event_store_pb2 as es
from newsledger.v1 import event_store_pb2_grpc, negotiations_pb2, negotiations_pb2_grpc
from tests.support.paths import SEED_STORY
from tests.support.payloads import statement

IDLE_CALLS = int(os.environ.get("IDLE_STREAMS", "200"))
"""Idle calls opened of each kind."""
SEED = "us-china-trade-2025"
ANSWER_SECONDS = 30.0
"""A generous deadline: a unary call must answer, however long it usually takes."""
SETTLE_SECONDS = 180.0
REFLECTION = {
    "v1alpha": "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "v1": "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
}
HEALTH_WATCH = "/grpc.health.v1.Health/Watch"
TOKENS = {name: new_token() for name in ("attacker", "reader", "writer")}
ROLES = {"attacker": Role.READER, "reader": Role.READER, "writer": Role.WRITER}


def registry() -> TokenRegistry:
    """Return a registry with two readers (one attacking) and a writer."""
    lines = [entry_line(ROLES[name], name, token) for name, token in TOKENS.items()]
    return TokenRegistry(parse_entries("\n".join(lines), "test tokens"))


def bearer(name: str | None) -> list[tuple[str, str]]:
    """Return the metadata presenting name's token, or none."""
    return [("authorization", f"Bearer {TOKENS[name]}")] if name else []


@dataclass
class IdleCalls:
    """Idle calls opened against one server, and the status of each that has ended."""

    channels: list[grpc.Channel]
    release: threading.Event = field(default_factory=threading.Event)
    calls: list[Any] = field(default_factory=list)

    def _never_sends(self) -> Iterator[bytes]:
        self.release.wait()
        yield from ()

    def open(self, kind: str, count: int, token: str | None = None) -> None:
        """Open count idle calls of kind, presenting token's holder's token."""
        metadata = bearer(token)
        for index in range(count):
            channel = self.channels[index % len(self.channels)]
            self.calls.append(self._start(channel, kind, metadata))

    def _start(self, channel: grpc.Channel, kind: str, metadata: list[tuple[str, str]]) -> Any:
        if kind in REFLECTION:
            bidi = channel.stream_stream(
                REFLECTION[kind],
                request_serializer=lambda raw: raw,
                response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
            )
            return bidi(self._never_sends(), metadata=metadata)
        if kind == "health":
            watch = health_pb2_grpc.HealthStub(channel).Watch
            return watch(health_pb2.HealthCheckRequest(), metadata=metadata)
        if kind == "subscribe":
            events = event_store_pb2_grpc.EventStoreServiceStub(channel)
            return events.Subscribe(es.SubscribeRequest(), metadata=metadata)
        negotiations = negotiations_pb2_grpc.NegotiationServiceStub(channel)
        request = negotiations_pb2.WatchNegotiationRequest(negotiation_id=SEED)
        return negotiations.WatchNegotiation(request, metadata=metadata)

    def ended(self) -> list[Any]:
        """Return the calls that have ended."""
        return [call for call in self.calls if call.done()]

    def close(self) -> None:
        """Cancel every call and release the idle request streams."""
        self.release.set()
        for call in self.calls:
            call.cancel()


@pytest.fixture
def idle_calls() -> Iterator[Callable[[RunningServer], IdleCalls]]:
    """Yield a factory of idle-call sets against a server; all are cancelled at the end."""
    made: list[IdleCalls] = []

    def against(server: RunningServer) -> IdleCalls:
        channels = [grpc.insecure_channel(f"127.0.0.1:{server.port}") for _ in range(8)]
        made.append(IdleCalls(channels))
        return made[-1]

    yield against
    for calls in made:
        calls.close()
        for channel in calls.channels:
            channel.close()


def settle(server: RunningServer, calls: IdleCalls) -> None:
    """Wait until every call is either refused (ended) or holds a slot on the server."""
    slots = server.stream_slots
    assert slots is not None
    deadline = time.monotonic() + SETTLE_SECONDS
    while len(calls.ended()) + slots.open != len(calls.calls):
        assert time.monotonic() < deadline, (
            f"{len(calls.ended())} ended and {slots.open} open of {len(calls.calls)}"
        )
        time.sleep(0.2)
    time.sleep(1.0)  # nothing should move any more
    assert len(calls.ended()) + slots.open == len(calls.calls)


def refusal(call: Any) -> tuple[str, dict[str, str], int]:
    """Return a refused call's ErrorInfo reason, metadata and retry delay in milliseconds."""
    status = rpc_status.from_call(call)
    assert status is not None, f"{call.code()} without details: {call.details()}"
    info, retry = error_details_pb2.ErrorInfo(), error_details_pb2.RetryInfo()
    for detail in status.details:
        if not detail.Unpack(info):
            detail.Unpack(retry)
    return info.reason, dict(info.metadata), retry.retry_delay.ToMilliseconds()


def refused_budgets(calls: IdleCalls) -> set[str]:
    """Check every ended call is a deliberate refusal; return the budgets they name."""
    budgets = set()
    for call in calls.ended():
        if call.code() == grpc.StatusCode.UNIMPLEMENTED:
            continue  # a reflection version this server does not serve holds nothing
        assert call.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, call.details()
        reason, metadata, retry_ms = refusal(call)
        assert reason == TOO_MANY_STREAMS and retry_ms > 0
        assert f"limit of {metadata['limit']} open streams" in call.details()
        budgets.add(metadata["budget"])
    return budgets


def assert_unary_calls_answer(server: RunningServer, token: str | None) -> None:
    """An authorised client appends, reads a view and checks health, each within the deadline."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        metadata = bearer(token)
        event = es.ProposedEvent(
            event_id=str(uuid.uuid4()),
            event_type="StatementMade",
            payload_json=json.dumps(statement()),
        )
        appended = event_store_pb2_grpc.EventStoreServiceStub(channel).AppendEvents(
            es.AppendEventsRequest(stream="talks", events=[event]),
            timeout=ANSWER_SECONDS,
            metadata=metadata,
        )
        assert appended.positions[0].event_id == event.event_id
        view = negotiations_pb2_grpc.NegotiationServiceStub(channel).GetNegotiation(
            negotiations_pb2.GetNegotiationRequest(negotiation_id=SEED),
            timeout=ANSWER_SECONDS,
            metadata=metadata,
        )
        assert view.view.negotiation_id == SEED
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=ANSWER_SECONDS, metadata=metadata
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def assert_can_subscribe(server: RunningServer, token: str | None) -> None:
    """A reader who holds no stream yet can still open one."""
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        call = event_store_pb2_grpc.EventStoreServiceStub(channel).Subscribe(
            es.SubscribeRequest(), timeout=ANSWER_SECONDS, metadata=bearer(token)
        )
        assert next(call).WhichOneof("content") is not None
        call.cancel()


@pytest.fixture
def seeded(app: Application) -> Application:
    """Return the application with the seed story in its log."""
    ingest_story_in_process(app.ledger, SEED_STORY)
    return app


@pytest.mark.slow
def test_idle_streams_of_every_kind_with_and_without_tokens_leave_unary_calls_answering(
    seeded: Application, idle_calls: Callable[[RunningServer], IdleCalls]
) -> None:
    """Given a server with tokens and the default 128 threads, an anonymous caller opens
    hundreds of idle reflection (v1alpha, v1) and health streams and a reader hundreds of
    subscriptions, watches, reflection and health streams: each budget fills, the rest is
    refused, a writer's unary calls answer and another reader can still subscribe."""
    server = create_server(seeded, "127.0.0.1:0", security=ServerSecurity(tokens=registry()))
    try:
        slots = server.stream_slots
        assert slots is not None
        calls = idle_calls(server)
        for kind in ("v1alpha", "v1", "health"):
            calls.open(kind, IDLE_CALLS)
        for kind in ("subscribe", "watch", "v1alpha", "health"):
            calls.open(kind, IDLE_CALLS, token="attacker")
        settle(server, calls)

        assert slots.open_anonymous == slots.anonymous
        assert slots.open == slots.anonymous + slots.per_caller < slots.limit
        assert refused_budgets(calls) == {ANONYMOUS, CALLER}
        assert_unary_calls_answer(server, "writer")
        assert_can_subscribe(server, "reader")
        assert_unary_calls_answer(server, "writer")  # still, after all of that
    finally:
        server.stop(grace_seconds=1.0)


@pytest.mark.slow
def test_idle_streams_on_a_server_without_tokens_leave_unary_calls_answering(
    seeded: Application, idle_calls: Callable[[RunningServer], IdleCalls]
) -> None:
    """Given a server without authentication, hundreds of idle reflection, health, Subscribe
    and WatchNegotiation calls fill the anonymous budget and the total, and unary calls
    answer."""
    server = create_server(seeded, "127.0.0.1:0")
    try:
        slots = server.stream_slots
        assert slots is not None
        calls = idle_calls(server)
        for kind in ("v1alpha", "v1", "health", "subscribe", "watch"):
            calls.open(kind, IDLE_CALLS)
        settle(server, calls)

        assert slots.open_anonymous == slots.anonymous
        assert slots.open == slots.limit
        assert refused_budgets(calls) == {ANONYMOUS, TOTAL}
        assert_unary_calls_answer(server, None)
    finally:
        server.stop(grace_seconds=1.0)
