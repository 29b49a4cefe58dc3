"""ReadLog and ReadStream send exactly the messages the stored events convert to, page by page."""

from __future__ import annotations

import uuid

from newsledger.application.app import Application
from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.v1 import event_store_pb2 as es
from tests.support.payloads import statement
from tests.support.plain_messages import plain_message


def append_statements(client: LedgerClient, stream: str, count: int, start: int) -> None:
    texts = [f"Zoë says 北京 \U0001f600 #{start + n}" for n in range(count)]
    client.append(
        stream,
        [
            proposed(str(uuid.uuid4()), "StatementMade", statement(start + n, text=text))
            for n, text in enumerate(texts)
        ],
    )


def read_all_pages(client: LedgerClient, **fields: object) -> list[es.RecordedEvent]:
    received: list[es.RecordedEvent] = []
    token = ""
    while True:
        page = client.read_log(page_token=token, **fields)
        received += page.events
        token = page.next_page_token
        if not token:
            return received


def test_log_pages_carry_the_stored_events_forward_and_backward(
    client: LedgerClient, app: Application
) -> None:
    for round_ in range(3):
        append_statements(client, "a", 4, 10 * round_)
        append_statements(client, "b", 3, 10 * round_ + 5)
    stored = app.store.read_all(limit=1000)
    expected = [plain_message(e) for e in stored]
    assert read_all_pages(client, page_size=4) == expected
    backward = read_all_pages(client, page_size=5, direction=es.READ_DIRECTION_BACKWARD)
    assert backward == expected[::-1]
    assert read_all_pages(client, page_size=2, from_position=7) == expected[7:]
    assert [m.payload_json for m in read_all_pages(client)] == [e.payload for e in stored]


def test_stream_pages_carry_the_stored_events(client: LedgerClient, app: Application) -> None:
    append_statements(client, "a", 5, 0)
    append_statements(client, "b", 2, 20)
    append_statements(client, "a", 4, 40)
    expected = [plain_message(e) for e in app.store.read_stream("a", limit=1000)]
    received: list[es.RecordedEvent] = []
    token = ""
    while True:
        page = client.read_stream("a", page_size=3, page_token=token)
        received += page.events
        token = page.next_page_token
        if not token:
            break
    assert received == expected
    assert [e.event_id for e in received] == [str(e.event_id) for e in app.store.read_stream("a")]
