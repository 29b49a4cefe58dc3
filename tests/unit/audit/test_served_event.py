"""A response item sent with an audit entry is read back to the event it holds, or refused
with what is wrong, so the verifier can compare what readers get with what was recorded."""

from __future__ import annotations

import uuid

import pytest

from newsledger.api.conversions import recorded_event
from newsledger.audit.verify.wire import served_event
from newsledger.domain.events import StoredEvent
from newsledger.store.wire_form import response_item
from newsledger.v1.event_store_pb2 import ReadLogResponse

EVENT = StoredEvent(
    7, uuid.uuid4(), "notes", 2, "Noted", 1, '{"a":"é"}', "{}", 1_750_000_000_000_005
)


def test_a_stored_item_reads_back_as_its_event() -> None:
    assert served_event(response_item(EVENT)) == EVENT


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (b"\x0a\x05ab", "it is not a serialised response"),
        (b"", "it holds 0 events, not one"),
        (response_item(EVENT) * 2, "it holds 2 events, not one"),
        (response_item(EVENT) + ReadLogResponse(next_page_token="t").SerializeToString(), "token"),
        (
            ReadLogResponse(events=[recorded_event(EVENT)])
            .SerializeToString()
            .replace(str(EVENT.event_id).encode(), b"x" * 36),
            "event_id is not a UUID",
        ),
    ],
)
def test_an_item_that_is_not_one_event_is_refused_with_what_is_wrong(
    item: bytes, problem: str
) -> None:
    found = served_event(item)
    assert isinstance(found, str)
    assert problem in found
