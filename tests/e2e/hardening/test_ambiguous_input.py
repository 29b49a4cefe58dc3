"""Input two readers could read differently is refused; a partly recorded batch is precise.

A key twice in one JSON object (which value wins depends on the parser) and an unknown
event type in a log filter (which matches nothing, silently) are INVALID_ARGUMENT naming
the key or the type. A batch of which some events are already recorded writes the others
atomically and says exactly where each event lies.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from newsledger.application.app import Application
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement

STATEMENT = json.dumps(statement())


def refused(call: Callable[[], Any]) -> ApiError:
    """Run a call that must fail; return the decoded error."""
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return ApiError.from_rpc_error(raised.value)


@pytest.mark.parametrize(
    ("payload_json", "metadata_json", "field", "key"),
    [
        (STATEMENT[:-1] + ', "speaker_id": "someone-else"}', "{}", "payload_json", "speaker_id"),
        (
            STATEMENT.replace('"verbatim": true', '"verbatim": true, "verbatim": false'),
            "{}",
            "payload_json",
            "verbatim",
        ),
        (STATEMENT, '{"source": "wire", "source": "desk"}', "metadata_json", "source"),
    ],
    ids=["top level", "nested", "metadata"],
)
def test_a_key_twice_in_one_object_is_refused_naming_it(
    app: Application,
    client: LedgerClient,
    payload_json: str,
    metadata_json: str,
    field: str,
    key: str,
) -> None:
    """Given JSON naming a key twice, the append is INVALID_ARGUMENT naming the key, and
    nothing is written."""
    event = es.ProposedEvent(
        event_id=str(uuid.uuid4()),
        event_type="StatementMade",
        payload_json=payload_json,
        metadata_json=metadata_json,
    )
    error = refused(
        lambda: client.events.AppendEvents(es.AppendEventsRequest(stream="talks", events=[event]))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_EVENT")
    assert error.violations == (
        (f"events[0].{field}", f"has the key {key!r} more than once; each key may appear once"),
    )
    assert app.store.head_position() is None


def test_an_unknown_event_type_in_a_log_filter_is_refused_naming_it(client: LedgerClient) -> None:
    """Given a filter naming a type no schema declares, ReadLog and Subscribe refuse it;
    a declared type is accepted."""
    wanted = ["StatementMade", "StatementMadeTypo"]
    read = refused(lambda: client.events.ReadLog(es.ReadLogRequest(event_types=wanted)))
    subscription = client.events.Subscribe(es.SubscribeRequest(event_types=wanted), timeout=20)
    subscribe = refused(lambda: next(subscription))
    for error in (read, subscribe):
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert error.violations == (("event_types", "unknown event type 'StatementMadeTypo'"),)
    assert client.read_log(event_types=["StatementMade"]).events == []
    accepted = client.events.Subscribe(es.SubscribeRequest(event_types=["StatementMade"]))
    assert next(accepted).WhichOneof("content") is not None
    accepted.cancel()


def statements(count: int) -> list[es.ProposedEvent]:
    """Return count statements with fresh ids."""
    return [proposed(str(uuid.uuid4()), "StatementMade", statement(n)) for n in range(count)]


def test_a_partly_recorded_batch_writes_only_the_new_events_and_says_where_each_lies(
    client: LedgerClient,
) -> None:
    """Given [a] recorded, the batch [b, a] under ANY writes b after the head: a keeps its
    position, already_recorded is false, and the record time is b's; retried whole, it
    writes nothing and already_recorded is true."""
    a, b = statements(2)
    other = client.append("other", statements(1))
    first = client.append("talks", [a])
    batch = client.append("talks", [b, a])
    assert not batch.already_recorded
    assert [(p.event_id, p.position, p.stream_version) for p in batch.positions] == [
        (b.event_id, 2, 1),
        (a.event_id, 1, 0),
    ]
    assert batch.stream_version == 1
    assert batch.record_time.ToMicroseconds() > first.record_time.ToMicroseconds()
    log = client.read_log().events
    assert [e.event_id for e in log] == [other.positions[0].event_id, a.event_id, b.event_id]
    assert batch.record_time == log[-1].record_time

    again = client.append("talks", [b, a])
    assert again.already_recorded
    assert again.positions == batch.positions
    assert len(client.read_log().events) == 3


def test_a_partly_recorded_batch_meets_the_expected_version_of_the_stream_as_it_is(
    app: Application, client: LedgerClient
) -> None:
    """Given [a] recorded as the stream's first event, [a, b] expecting no stream (what the
    first append expected) is ABORTED, expecting version 0 (the stream as it is) writes b;
    a changed a is ALREADY_EXISTS."""
    a, b, c = statements(3)
    client.append("talks", [a], expected=es.ExpectedVersion(no_stream={}))
    stale = es.ExpectedVersion(no_stream={})
    error = refused(
        lambda: client.events.AppendEvents(
            es.AppendEventsRequest(stream="talks", events=[a, b], expected_version=stale)
        )
    )
    assert (error.code, error.reason) == (grpc.StatusCode.ABORTED, "WRONG_EXPECTED_VERSION")
    assert error.metadata["actual"] == "0"
    changed = es.ProposedEvent()
    changed.CopyFrom(a)
    changed.metadata_json = '{"edited": true}'
    error = refused(
        lambda: client.events.AppendEvents(
            es.AppendEventsRequest(stream="talks", events=[changed, c])
        )
    )
    assert (error.code, error.reason) == (grpc.StatusCode.ALREADY_EXISTS, "EVENT_ID_CONFLICT")
    assert app.store.head_position() == 0

    written = client.append("talks", [a, b], expected=es.ExpectedVersion(exact=0))
    assert not written.already_recorded
    assert [p.stream_version for p in written.positions] == [0, 1]
