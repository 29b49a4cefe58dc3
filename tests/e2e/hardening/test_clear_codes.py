"""Input that once reached the database or a recursion limit gets a clear code, on both backends.

Deep JSON, forged page tokens and U+0000 in a string are INVALID_ARGUMENT naming the field;
an unexpected error is INTERNAL with the request id and nothing else; an error about many
events fits the client's metadata limit. No answer carries SQL, parameters or a stack.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.message import Message

from newsledger.application.app import Application
from newsledger.application.validation.payloads import validate_payload
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.v1 import event_store_pb2 as es
from newsledger.v1 import negotiations_pb2 as ng
from newsledger.v1 import negotiations_pb2_grpc
from tests.support.leaks import leaked_internals
from tests.support.page_tokens import forged_token
from tests.support.payloads import statement

SEED = "us-china-trade-2025"
PAST_INT64 = 2**63


def event(**fields: Any) -> es.ProposedEvent:
    """Return a valid StatementMade with some fields replaced."""
    message = proposed(str(uuid.uuid4()), "StatementMade", statement())
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def opened(title: str) -> es.ProposedEvent:
    """Return a NegotiationOpened event with the given title."""
    payload = {
        "negotiation_id": "nul-talks",
        "title": title,
        "parties": [{"party_id": "us", "name": "United States", "kind": "PARTY_KIND_STATE"}],
    }
    return proposed(str(uuid.uuid4()), "NegotiationOpened", payload)


def answer(client: LedgerClient, method: str, request: Message) -> ApiError:
    """Call a method that must fail; return the decoded error."""
    service, name = method.split("/")
    stub: Any = client.events
    if service == "NegotiationService":
        stub = negotiations_pb2_grpc.NegotiationServiceStub(client.channel)
    with pytest.raises(grpc.RpcError) as raised:
        reply = getattr(stub, name)(request, timeout=20)
        if hasattr(reply, "__next__"):
            next(reply)
    return ApiError.from_rpc_error(raised.value)


def assert_no_internals(error: ApiError) -> None:
    """The error's message and violations reveal nothing of the server's internals."""
    texts = [error.message, *(f"{field} {text}" for field, text in error.violations)]
    assert not [leak for text in texts for leak in leaked_internals(text)], texts


DEEP_ARRAYS = '{"a":' + "[" * 330 + "]" * 330 + "}"
DEEP_OBJECTS = '{"a":' * 2000 + "1" + "}" * 2000
CASES: dict[str, tuple[str, Message, str, str]] = {
    "metadata nested 330 deep": (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="talks", events=[event(metadata_json=DEEP_ARRAYS)]),
        "events[0].metadata_json",
        "INVALID_EVENT",
    ),
    "payload nested 2000 deep": (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="talks", events=[event(payload_json=DEEP_OBJECTS)]),
        "events[0].payload_json",
        "INVALID_EVENT",
    ),
    "log token at 2^63": (
        "EventStoreService/ReadLog",
        es.ReadLogRequest(page_token=forged_token("log", False, PAST_INT64, "")),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "backward log token at 2^64": (
        "EventStoreService/ReadLog",
        es.ReadLogRequest(page_token=forged_token("log", True, 2**64, "")),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "stream token at 2^63": (
        "EventStoreService/ReadStream",
        es.ReadStreamRequest(
            stream="talks", page_token=forged_token("stream", False, PAST_INT64, "talks")
        ),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "timeline token at 2^63": (
        "NegotiationService/ListTimelineEntries",
        ng.ListTimelineEntriesRequest(
            negotiation_id=SEED, page_token=forged_token("timeline", False, PAST_INT64, "0")
        ),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "timeline offset not an integer": (
        "NegotiationService/ListTimelineEntries",
        ng.ListTimelineEntriesRequest(
            negotiation_id=SEED, page_token=forged_token("timeline", False, 1, "abc")
        ),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "timeline offset at 2^63": (
        "NegotiationService/ListTimelineEntries",
        ng.ListTimelineEntriesRequest(
            negotiation_id=SEED, page_token=forged_token("timeline", False, 1, str(PAST_INT64))
        ),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "negotiations token holding U+0000": (
        "NegotiationService/ListNegotiations",
        ng.ListNegotiationsRequest(page_token=forged_token("negotiations", False, 0, "a\x00")),
        "page_token",
        "INVALID_PAGE_TOKEN",
    ),
    "U+0000 in a title": (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="negotiation-nul-talks", events=[opened("Talks\x00")]),
        "events[0].payload.title",
        "INVALID_EVENT",
    ),
    "U+0000 in a metadata key": (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(stream="talks", events=[event(metadata_json='{"a\\u0000": 1}')]),
        "events[0].metadata.a\\u0000",
        "INVALID_EVENT",
    ),
    "U+0000 in a nested payload string": (
        "EventStoreService/AppendEvents",
        es.AppendEventsRequest(
            stream="talks",
            events=[event(payload_json=json.dumps(statement(text="clear\x00the air")))],
        ),
        "events[0].payload.report.sources[0].quotes[0].text",
        "INVALID_EVENT",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_invalid_argument_naming_the_field_and_writes_nothing(
    app: Application, client: LedgerClient, case: str
) -> None:
    """Given input that once answered UNKNOWN with SQL, the answer names the field instead."""
    method, request, field, reason = CASES[case]
    head = app.store.head_position()
    error = answer(client, method, request)
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, reason)
    assert error.violations[0][0] == field
    assert_no_internals(error)
    assert app.store.head_position() == head


def test_both_backends_accept_what_they_can_both_store(client: LedgerClient) -> None:
    """Given control characters other than U+0000 in a title, both backends store it."""
    written = client.append("negotiation-nul-talks", [opened("Talks\x01\t\n")])
    assert not written.already_recorded
    view = client.negotiation("nul-talks")
    assert view.view.title == "Talks\x01\t\n"


def database_error(*_: Any, **__: Any) -> Any:
    """Fail as a driver error would, with SQL and parameters in its text."""
    raise sa.exc.DataError(
        "SELECT events.payload FROM events WHERE position >= %(position)s",
        {"position": PAST_INT64},
        Exception("bigint out of range"),
    )


def failing_stream(*_: Any, **__: Any) -> Iterator[Any]:
    """Fail mid-stream as a bug would."""
    yield from ()
    raise RuntimeError("SELECT secret FROM somewhere")


@pytest.mark.parametrize(
    ("method", "request_", "attribute", "replacement"),
    [
        ("EventStoreService/ReadLog", es.ReadLogRequest(), "read_log", database_error),
        ("EventStoreService/Subscribe", es.SubscribeRequest(), "follow", failing_stream),
    ],
    ids=["unary", "stream"],
)
def test_an_unexpected_error_is_internal_with_the_request_id_and_logged_in_full(
    app: Application,
    client: LedgerClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
    request_: Message,
    attribute: str,
    replacement: Any,
) -> None:
    """Given an error no table maps, the caller gets INTERNAL and the request id; the log
    keeps the error's text and stack."""
    monkeypatch.setattr(app.ledger, attribute, replacement)
    caplog.set_level(logging.ERROR, logger="newsledger.api.interceptors.errors")
    name = method.split("/")[1]
    with pytest.raises(grpc.RpcError) as raised:
        reply = getattr(client.events, name)(
            request_, timeout=20, metadata=[("x-request-id", "req-internal-1")]
        )
        if hasattr(reply, "__next__"):
            next(reply)
    error = ApiError.from_rpc_error(raised.value)
    assert (error.code, error.reason) == (grpc.StatusCode.INTERNAL, "INTERNAL")
    assert error.metadata == {"request_id": "req-internal-1"}
    assert "req-internal-1" in error.message
    assert_no_internals(error)
    [record] = [r for r in caplog.records if "req-internal-1" in r.getMessage()]
    assert record.exc_info is not None
    assert "SELECT" in str(record.exc_info[1])


@pytest.mark.parametrize("count", [100, 1000])
def test_a_batch_of_invalid_events_is_invalid_argument_with_the_first_violations_and_a_count(
    app: Application, client: LedgerClient, count: int
) -> None:
    """Given a batch of many invalid events, the client sees INVALID_ARGUMENT (not
    RESOURCE_EXHAUSTED for an oversized trailer), the first violations and how many in all."""
    per_event = len(validate_payload("StatementMade", 1, {}))
    total = count * per_event
    events = [event(payload_json="{}") for _ in range(count)]
    error = answer(
        client, "EventStoreService/AppendEvents", es.AppendEventsRequest(stream="t", events=events)
    )
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_EVENT")
    shown = 20
    assert len(error.violations) == shown + 1
    assert error.violations[0][0].startswith("events[0].payload_json.")
    assert error.violations[-1] == (
        "request",
        f"{total - shown} more violations not shown ({total} in all)",
    )
    assert error.metadata["violations"] == str(total)
    assert f"({total} violations in all; the details hold the first {shown})" in error.message
    assert app.store.head_position() is None
