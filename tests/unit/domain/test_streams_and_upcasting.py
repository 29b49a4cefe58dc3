"""Negotiation streams are named from ids, and old schema versions upcast or are refused."""

from __future__ import annotations

import pytest

from newsledger.domain import upcasting
from newsledger.domain.negotiation import (
    InvalidNegotiationId,
    negotiation_id_from_stream,
    stream_for,
)


def test_stream_names_round_trip_for_slugs() -> None:
    """Given a slug id, its stream is prefixed and maps back to the id."""
    assert stream_for("us-china-trade-2025") == "negotiation-us-china-trade-2025"
    assert negotiation_id_from_stream("negotiation-us-china-trade-2025") == "us-china-trade-2025"


@pytest.mark.parametrize("stream", ["audit-log", "negotiation-", "negotiation-Bad_Id"])
def test_other_streams_have_no_negotiation_id(stream: str) -> None:
    """Given a stream that is not a negotiation's, no id is returned."""
    assert negotiation_id_from_stream(stream) is None


@pytest.mark.parametrize("negotiation_id", ["", "-x", "Upper", "a" * 64, "has space"])
def test_bad_ids_are_refused(negotiation_id: str) -> None:
    """Given an id that is not a lowercase slug, stream_for refuses it."""
    with pytest.raises(InvalidNegotiationId):
        stream_for(negotiation_id)


def test_upcaster_steps_old_payloads_to_the_current_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given a registered v0 step, a v0 payload is rewritten; unknown versions are refused."""
    monkeypatch.setitem(
        upcasting.UPCASTERS, ("TalksHeld", 0), lambda payload: {**payload, "title": "renamed"}
    )
    assert upcasting.upcast("TalksHeld", 0, {"name": "x"})["title"] == "renamed"
    assert upcasting.upcast("TalksHeld", 1, {"title": "kept"}) == {"title": "kept"}
    with pytest.raises(upcasting.UnsupportedSchemaVersion):
        upcasting.upcast("TalksHeld", 2, {})
    with pytest.raises(upcasting.UnsupportedSchemaVersion):
        upcasting.upcast("OutcomeReached", 0, {})
