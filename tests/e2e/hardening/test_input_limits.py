"""Every RPC refuses out-of-limit input with INVALID_ARGUMENT and field violations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from newsledger.application.app import Application
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.v1 import audit_pb2, audit_pb2_grpc, negotiations_pb2, negotiations_pb2_grpc
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement

MAX_INT64 = 2**63 - 1


def event(**fields: Any) -> es.ProposedEvent:
    message = proposed(str(uuid.uuid4()), "StatementMade", statement())
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def call(client: LedgerClient, method: str, request: Message) -> None:
    """Call a unary or server-streaming method and read its first message."""
    stubs: dict[str, Any] = {
        "EventStoreService": client.events,
        "NegotiationService": negotiations_pb2_grpc.NegotiationServiceStub(client.channel),
        "AuditService": audit_pb2_grpc.AuditServiceStub(client.channel),
    }
    service, name = method.split("/")
    try:
        answer = getattr(stubs[service], name)(request, timeout=10)
        if hasattr(answer, "__next__"):
            next(answer, None)
            answer.cancel()
    except grpc.RpcError as error:
        raise ApiError.from_rpc_error(error) from None


CASES: list[tuple[str, Message, str, str]] = [
    (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="s" * 201, events=[event()]),
        "stream",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="talks", events=[event() for _ in range(1001)]),
        "events",
        "BATCH_TOO_LARGE",
    ),
    (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="talks", events=[event(payload_json="{}" + " " * 600_000)]),
        "events[0].payload_json",
        "EVENT_TOO_LARGE",
    ),
    (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(
            stream="talks",
            events=[event()],
            expected_version=es.ExpectedVersion(exact=MAX_INT64 + 1),
        ),
        "expected_version.exact",
        "INVALID_ARGUMENT",
    ),
    (
        "AuditService/AppendAndProve",
        audit_pb2.AppendAndProveRequest(stream="talks", events=[event(event_type="T\x00")]),
        "events[0].event_type",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/ReadStream",
        es.ReadStreamRequest(stream="talks", direction=7),  # type: ignore[arg-type]
        "direction",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/ReadLog",
        es.ReadLogRequest(page_size=5000),
        "page_size",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/ReadLog",
        es.ReadLogRequest(page_token="t" * 5000),
        "page_token",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/Subscribe",
        es.SubscribeRequest(event_types=["Statement", "T" * 201]),
        "event_types[1]",
        "INVALID_ARGUMENT",
    ),
    (
        "EventStoreService/Subscribe",
        es.SubscribeRequest(after_position=2**64 - 1),
        "after_position",
        "INVALID_ARGUMENT",
    ),
    (
        "NegotiationService/GetNegotiation",
        negotiations_pb2.GetNegotiationRequest(negotiation_id="n" * 2000),
        "negotiation_id",
        "INVALID_ARGUMENT",
    ),
    (
        "NegotiationService/ListNegotiations",
        negotiations_pb2.ListNegotiationsRequest(page_size=-3),
        "page_size",
        "INVALID_ARGUMENT",
    ),
    (
        "AuditService/GetInclusionProof",
        audit_pb2.GetInclusionProofRequest(position=0, tree_size=2**64 - 1),
        "tree_size",
        "INVALID_ARGUMENT",
    ),
    (
        "AuditService/StreamEntries",
        audit_pb2.StreamEntriesRequest(start=2**63, end=2**64 - 1),
        "start",
        "INVALID_ARGUMENT",
    ),
    (
        "AuditService/ReplayNegotiation",
        audit_pb2.ReplayNegotiationRequest(
            negotiation_id="us-china-trade-2025",
            known_at_time={"seconds": 300_000_000_000},
        ),
        "known_at_time",
        "INVALID_ARGUMENT",
    ),
]


@pytest.mark.parametrize(
    ("method", "request_message", "field", "reason"),
    CASES,
    ids=[f"{c[0].split('/')[1]}-{c[2]}" for c in CASES],
)
def test_out_of_limit_input_is_invalid_argument_naming_the_field_and_writes_nothing(
    client: LedgerClient,
    app: Application,
    method: str,
    request_message: Message,
    field: str,
    reason: str,
) -> None:
    """Given a request breaking one limit, the answer names the field; the log stays empty."""
    with pytest.raises(ApiError) as raised:
        call(client, method, request_message)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.reason == reason
    assert field in [f for f, _ in raised.value.violations]
    assert app.store.head_position() is None


@pytest.mark.parametrize(
    "method",
    [
        "EventStoreService/AppendEvents",
        "EventStoreService/Subscribe",
        "NegotiationService/GetNegotiation",
        "AuditService/AppendAndProve",
    ],
)
def test_bytes_that_are_not_a_request_are_invalid_argument(
    client: LedgerClient, app: Application, method: str
) -> None:
    """Given raw bytes no message parses from, the answer is MALFORMED_REQUEST, not INTERNAL."""
    raw: Callable[..., Any]
    path = f"/newsledger.v1.{method}"
    if method.endswith("Subscribe"):
        raw = client.channel.unary_stream(path)
    else:
        raw = client.channel.unary_unary(path)
    with pytest.raises(grpc.RpcError) as raised:
        answer = raw(b"\x0a\xff\xff\xff\xff\x0f", timeout=10)
        next(iter(answer)) if method.endswith("Subscribe") else None
    error = ApiError.from_rpc_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "MALFORMED_REQUEST"
    assert app.store.head_position() is None


def test_a_request_over_the_size_limit_is_invalid_argument(client: LedgerClient) -> None:
    """Given a request just over 8 MiB, the answer names the limit rather than dropping it."""
    request = es.AppendEventsRequest(
        stream="talks", events=[event(metadata_json="x" * 500_000) for _ in range(17)]
    )
    with pytest.raises(grpc.RpcError) as raised:
        client.events.AppendEvents(request, timeout=20)
    error = ApiError.from_rpc_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "REQUEST_TOO_LARGE"
