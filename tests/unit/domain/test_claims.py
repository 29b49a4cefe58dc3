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


def test_a_one_sided_claim_shows_as_claimed_not_as_the_phase() -> None:
    stream = with_talks(Stream().opened())
    stream.add("OutcomeReached", outcome(["us"]))
    view = render_view(state_of(stream), JUNE)
    assert view["phase"] == "NEGOTIATION_PHASE_TALKS"
    (claim,) = view["claimed_phases"]
    assert claim["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
    assert claim["claimed_by"] == ["us"]
    assert state_of(stream).phase == "NEGOTIATION_PHASE_TALKS"


def test_the_phase_follows_once_the_other_party_confirms_from_the_confirmation_day() -> None:
    stream = with_talks(Stream().opened())
    claimed = stream.add("OutcomeReached", outcome(["us"]))
    confirmation = sourced(source("cn-ministry", "Ministry", published_date="2025-06-20"))
    confirmation["occurred"] = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-20"}
    stream.add(
        "AccountConfirmed",
        {"corrects": [str(claimed.event_id)], "party_id": "cn", "report": confirmation},
    )
    state = state_of(stream)
    assert render_view(state, date(2025, 6, 15))["phase"] == "NEGOTIATION_PHASE_TALKS"
    confirmed = render_view(state, date(2025, 6, 20))
    assert confirmed["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
    assert "claimed_phases" not in confirmed


def test_a_confirming_statement_of_the_other_party_confirms_the_outcome() -> None:
    stream = with_talks(Stream().opened().person("he", "cn"))
    stream.add("OutcomeReached", outcome(["us"]))
    stream.add(
        "StatementMade",
        {
            "statement_id": "he-confirms",
            "speaker_id": "he",
            "kind": "STATEMENT_KIND_CONFIRMATION",
            "about_ids": ["deal"],
            "report": sourced(source("x", "Xinhua")),
        },
    )
    view = render_view(state_of(stream), JUNE)
    assert view["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"


def test_a_disputing_account_carries_the_party_that_claims_it() -> None:
    stream = with_talks(Stream().opened())
    claimed = stream.add("OutcomeReached", outcome(["us"]))
    stream.add(
        "AccountDisputed",
        {
            "corrects": [str(claimed.event_id)],
            "party_id": "cn",
            "account": "No framework was agreed.",
            "report": sourced(source("mofcom", "MOFCOM")),
        },
        "cn-disputes",
    )
    (dispute,) = render_view(state_of(stream), JUNE)["disputes"]
    original, disputing = dispute["accounts"]
    assert original["party_ids"] == ["us"]
    assert original["provenance"]["confirmation"]["claimed_by"] == ["us"]
    assert disputing["party_ids"] == ["cn"]
    assert disputing["provenance"]["confirmation"]["claimed_by"] == ["cn"]
    level = disputing["provenance"]["confirmation"]["level"]
    assert level == "CONFIRMATION_LEVEL_CONFIRMED_BY_SOME_PARTIES"


def test_the_state_text_shows_a_claimed_phase_with_its_party() -> None:
    from newsledger.cli.text.output import format_view

    stream = with_talks(Stream().opened())
    stream.add("OutcomeReached", outcome(["us"]))
    text = format_view(render_view(state_of(stream), JUNE))
    assert "agreed in principle, by United States only" in text
