"""Claims, confirmations and sources: who stands behind an item, and how many originals."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.state import NegotiationState
from tests.support.builders import Stream

JUNE = date(2025, 6, 30)


def sourced(*sources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
        "sources": list(sources),
        **extra,
    }


def source(source_id: str, outlet: str, **extra: str) -> dict[str, Any]:
    return {"source_id": source_id, "outlet": outlet, "kind": "SOURCE_KIND_NEWSPAPER", **extra}


def state_of(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert state is not None and not state.problems, state and state.problems
    return state


def with_talks(stream: Stream) -> Stream:
    stream.add(
        "TalksHeld",
        {
            "talks_id": "round",
            "title": "Round",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "report": sourced(source("w", "Wire")),
        },
    )
    return stream


def outcome(claimed_by: list[str], status: str = "OUTCOME_STATUS_AGREED_IN_PRINCIPLE") -> dict:
    return {
        "outcome_id": "deal",
        "name": "Deal",
        "status": status,
        "talks_id": "round",
        "report": sourced(source(f"s-{claimed_by}", "Wire"), claimed_by=claimed_by),
    }


def test_two_one_sided_claims_are_not_a_confirmation_by_all() -> None:
    stream = with_talks(Stream().opened())
    stream.add("OutcomeReached", outcome(["us"]))
    stream.add("OutcomeReached", outcome(["cn"]))
    (deal,) = render_view(state_of(stream), JUNE)["outcomes"]
    confirmation = deal["provenance"]["confirmation"]
    assert confirmation["level"] == "CONFIRMATION_LEVEL_CONFIRMED_BY_SOME_PARTIES"
    assert confirmation["claimed_by"] == ["cn", "us"]


def test_a_joint_claim_is_confirmed_by_all() -> None:
    stream = with_talks(Stream().opened())
    stream.add("OutcomeReached", outcome(["us", "cn"]))
    (deal,) = render_view(state_of(stream), JUNE)["outcomes"]
    level = deal["provenance"]["confirmation"]["level"]
    assert level == "CONFIRMATION_LEVEL_CONFIRMED_BY_ALL_PARTIES"


def test_a_syndicated_copy_is_not_an_independent_source() -> None:
    stream = Stream().opened()
    copy = source("local", "Local Daily", original_outlet="Example Wire")
    stream.add(
        "TalksHeld",
        {
            "talks_id": "round",
            "title": "Round",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "report": sourced(source("wire", "Example Wire"), copy),
        },
    )
    (talks,) = render_view(state_of(stream), JUNE)["talks"]
    confirmation = talks["provenance"]["confirmation"]
    assert confirmation["independent_source_count"] == 1
    assert confirmation["level"] == "CONFIRMATION_LEVEL_SINGLE_SOURCE"
