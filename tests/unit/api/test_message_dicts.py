"""Messages from proto-JSON dicts: equal to ParseDict's, with ParseDict's errors.

The quick path builds messages with the constructor, which accepts more than ParseDict does
(bytes for text, integers for booleans): each such value must still be refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from newsledger.api.message_dicts import message_from_dict
from newsledger.domain.negotiation import fold
from newsledger.domain.view import render_view
from newsledger.v1.negotiation_view_pb2 import NegotiationView, StreamPosition, TruceView
from tests.support.builders import Stream, report

pytestmark = pytest.mark.equivalence


def parse_dict(data: dict[str, Any], message_type: type[Message]) -> bytes:
    """Return what ParseDict builds, serialized."""
    return json_format.ParseDict(data, message_type()).SerializeToString()


def rendered_views() -> list[dict[str, Any]]:
    """Return views of a stream with a truce, a person, an outcome and a problem, on dates
    before, during and after the truce (days remaining present, zero and expired)."""
    stream = Stream().opened().person("ana", "us").truce()
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "o",
            "name": "O",
            "status": "OUTCOME_STATUS_NO_OUTCOME",
            "talks_id": "missing",
            "report": report(),
        },
    )
    views = []
    for length in range(1, len(stream.events) + 1):
        state = fold(stream.events[:length])
        assert state is not None
        for as_of in (date(2025, 1, 1), date(2025, 6, 11), date(2025, 8, 12), date(2026, 1, 1)):
            views.append(render_view(state, as_of))
    return views


def test_rendered_views_are_built_byte_for_byte_as_parse_dict_builds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    views = rendered_views()
    expected = [parse_dict(view, NegotiationView) for view in views]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a rendered view left the quick path")

    monkeypatch.setattr(json_format, "ParseDict", refuse)
    built = [message_from_dict(view, NegotiationView).SerializeToString() for view in views]
    assert built == expected


@pytest.mark.parametrize(
    "data",
    [
        {"position": "12", "stream_version": 3},
        {"position": "0"},
        {"position": "+4"},
        {"position": 7.0},
        {"streamVersion": "5"},
        {"position": None, "event_id": "e"},
        {},
    ],
)
def test_numbers_names_and_nulls_are_read_as_parse_dict_reads_them(data: dict[str, Any]) -> None:
    assert message_from_dict(data, StreamPosition).SerializeToString() == parse_dict(
        data, StreamPosition
    )


@pytest.mark.parametrize(
    "data",
    [
        {"truce_id": "t", "days_remaining": 0},
        {"truce_id": "t", "days_remaining": None},
        {"truce_id": "t", "expired": True, "in_effect": False},
    ],
)
def test_optional_fields_keep_their_presence(data: dict[str, Any]) -> None:
    assert message_from_dict(data, TruceView).SerializeToString() == parse_dict(data, TruceView)


@pytest.mark.parametrize(
    ("message_type", "data"),
    [
        (NegotiationView, {"title": b"bytes, not text"}),
        (NegotiationView, {"stale": 1}),
        (NegotiationView, {"title": "lone \ud800 surrogate"}),
        (NegotiationView, {"phase": "NO_SUCH_PHASE"}),
        (NegotiationView, {"no_such_field": 1}),
        (NegotiationView, {"phase_history": [None]}),
        (NegotiationView, {"truce": "not an object"}),
        (StreamPosition, {"position": True}),
        (StreamPosition, {"position": "1 2"}),
        (StreamPosition, {"position": 1.5}),
        (StreamPosition, {"position": 2**70}),
        (StreamPosition, {"position": "-4"}),  # positions are uint64
    ],
)
def test_what_parse_dict_refuses_is_refused_with_its_error(
    message_type: type[Message], data: dict[str, Any]
) -> None:
    with pytest.raises(json_format.ParseError):
        json_format.ParseDict(data, message_type())
    with pytest.raises(json_format.ParseError):
        message_from_dict(data, message_type)


def test_an_enum_given_by_number_and_a_timestamp_in_text_are_read_as_parse_dict_reads_them() -> (
    None
):
    occurred = {
        "precision": "DATE_PRECISION_INSTANT",
        "start_time": "2025-05-12T04:01:00Z",
    }
    data = {
        "phase": 3,
        "phase_history": [{"phase": "NEGOTIATION_PHASE_OPENED", "occurred": occurred}],
    }
    assert message_from_dict(data, NegotiationView).SerializeToString() == parse_dict(
        data, NegotiationView
    )
