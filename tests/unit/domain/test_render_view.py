"""Rendering the view: days remaining from the query date, and the NegotiationView shape."""

from __future__ import annotations

from datetime import date

import pytest
from google.protobuf import json_format

from newsledger.domain.negotiation import fold
from newsledger.domain.view import render_view
from newsledger.v1.negotiation_view_pb2 import NegotiationView
from tests.support.builders import Stream, report


@pytest.mark.parametrize(
    ("as_of", "days_remaining", "expired"),
    [
        (date(2025, 5, 14), 90, False),
        (date(2025, 6, 11), 62, False),
        (date(2025, 8, 11), 1, False),
        (date(2025, 8, 12), 0, False),
        (date(2025, 8, 13), 0, True),
        (date(2026, 1, 1), 0, True),
    ],
)
def test_days_remaining_are_computed_from_the_query_date(
    as_of: date, days_remaining: int, expired: bool
) -> None:
    """Given a truce expiring 12 Aug 2025 00:01 New York, days remaining follow the as-of date."""
    state = fold(Stream().opened().truce().events)
    assert state is not None
    truce = render_view(state, as_of)["truce"]
    assert truce["days_remaining"] == days_remaining
    assert truce.get("expired", False) is expired


def test_quoted_days_are_never_the_figure() -> None:
    """Given an analyst quoted saying "60 days remain" on 11 June, the view computes 62."""
    stream = Stream().opened().person("wendy", "").truce()
    quote = {"speaker_id": "wendy", "text": "Now just 60 days remain", "verbatim": True}
    source = {**report()["sources"][0], "quotes": [quote]}
    stream.add(
        "StatementMade",
        {
            "statement_id": "s",
            "speaker_id": "wendy",
            "kind": "STATEMENT_KIND_ANALYSIS",
            "about_ids": ["truce"],
            "report": report(sources=[source]),
        },
    )
    state = fold(stream.events)
    assert state is not None
    view = render_view(state, date(2025, 6, 11))
    assert view["truce"]["days_remaining"] == 62
    assert view["statements"][0]["quotes"][0]["text"] == "Now just 60 days remain"


def test_rendered_view_parses_strictly_and_is_canonical() -> None:
    """Given a folded stream, the rendered dict parses into NegotiationView with no leftovers."""
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
    state = fold(stream.events)
    assert state is not None
    rendered = render_view(state, date(2025, 6, 11))
    message = json_format.ParseDict(rendered, NegotiationView(), ignore_unknown_fields=False)
    assert message.truce.days_remaining == 62
    assert message.stale and message.problems[0].event_type == "OutcomeReached"
    assert json_format.MessageToDict(message, preserving_proto_field_name=True) == rendered


def _containers(value: object) -> list[object]:
    """Return every list and dict inside a JSON-shaped value, itself included."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]
    if isinstance(value, list):
        return [value, *(c for item in value for c in _containers(item))]
    return []


def test_rendering_reads_the_state_and_shares_no_list_or_object_with_it() -> None:
    """Given a folded state, rendering leaves it as it was; changing the view cannot change it."""
    stream = Stream().opened().person("ana", "us").truce()
    state = fold(stream.events)
    assert state is not None
    before = state.to_json()
    view = render_view(state, date(2025, 6, 11))
    assert state.to_json() == before
    in_state = {id(c) for c in _containers(state.to_json(shared=True))}
    assert not in_state & {id(c) for c in _containers(view)}
