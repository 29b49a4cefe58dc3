"""Outcomes awaiting a named body's approval, talks over days, each side's readout, and
postponed talks: what the view says as of dates before and after each development."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.output import format_view
from newsledger.domain.negotiation import fold
from newsledger.domain.timeline import TimelineFilter, timeline
from tests.support.builders import Stream, report, reported_on, view_on


def framework_pending_presidents() -> Stream:
    stream = Stream().opened()
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "framework",
            "name": "London framework",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "report": reported_on("2025-06-10"),
        },
    )
    approvers = [
        {"party_id": "us", "approving_body": "President of the United States"},
        {"party_id": "cn", "approving_body": "President of China"},
    ]
    stream.add(
        "ApprovalRequired",
        {"outcome_id": "framework", "approvers": approvers, "report": reported_on("2025-06-11")},
        "needs-presidents",
    )
    return stream


def approve(stream: Stream, party: str, body: str, day: str) -> None:
    stream.add(
        "AgreementApproved",
        {
            "outcome_id": "framework",
            "party_id": party,
            "approving_body": body,
            "report": reported_on(day),
        },
        f"approved-{party}-{day}",
    )


def pending_of(view: dict[str, Any]) -> list[tuple[str, str]]:
    [outcome] = view["outcomes"]
    return [(p["party_id"], p["approving_body"]) for p in outcome.get("pending_approvals", [])]


def test_an_outcome_is_pending_each_named_body_until_that_body_approves() -> None:
    stream = framework_pending_presidents()
    approve(stream, "us", "president of the united states ", "2025-06-20")

    assert pending_of(view_on(stream, date(2025, 6, 10))) == []
    both = [("us", "President of the United States"), ("cn", "President of China")]
    assert pending_of(view_on(stream, date(2025, 6, 11))) == both
    assert pending_of(view_on(stream, date(2025, 6, 19))) == both
    assert pending_of(view_on(stream, date(2025, 6, 20))) == [("cn", "President of China")]
    [pending] = view_on(stream, date(2025, 6, 20))["outcomes"][0]["pending_approvals"]
    assert pending["provenance"]["development_ids"] == ["needs-presidents"]


def test_the_timeline_of_a_party_lists_the_approval_it_must_give() -> None:
    state = fold(framework_pending_presidents().events)
    assert state is not None
    entries = timeline(state, TimelineFilter(party_id="cn"))
    assert "needs-presidents" in [entry["development_id"] for entry in entries]


def test_another_body_of_the_same_party_does_not_clear_the_approval_awaited() -> None:
    stream = framework_pending_presidents()
    approve(stream, "cn", "State Council", "2025-06-20")

    assert ("cn", "President of China") in pending_of(view_on(stream, date(2025, 6, 30)))


def test_the_outcome_is_approved_only_once_no_named_body_is_awaited() -> None:
    stream = framework_pending_presidents()
    approve(stream, "us", "President of the United States", "2025-06-20")
    approve(stream, "cn", "State Council", "2025-06-21")

    held_back = view_on(stream, date(2025, 6, 30))
    assert held_back["outcomes"][0]["status"] == "OUTCOME_STATUS_AGREED_IN_PRINCIPLE"
    assert held_back["phase"] != "NEGOTIATION_PHASE_AGREEMENT_APPROVED"

    approve(stream, "cn", "President of China", "2025-07-01")
    before, after = view_on(stream, date(2025, 6, 30)), view_on(stream, date(2025, 7, 1))
    assert before["outcomes"][0]["status"] == "OUTCOME_STATUS_AGREED_IN_PRINCIPLE"
    assert after["outcomes"][0]["status"] == "OUTCOME_STATUS_APPROVED"
    assert after["phase"] == "NEGOTIATION_PHASE_AGREEMENT_APPROVED"
    assert "pending approval" in format_view(before)
    assert "pending approval" not in format_view(after)


def test_an_approval_required_of_an_unknown_outcome_or_party_is_refused() -> None:
    stream = Stream().opened()
    body = {"party_id": "eu", "approving_body": "European Parliament"}
    stream.add(
        "ApprovalRequired",
        {"outcome_id": "nope", "approvers": [body], "report": reported_on("2025-06-11")},
    )
    state = fold(stream.events)
    assert state is not None
    [problem] = state.problems
    assert "outcome_id refers to unknown outcomes: nope" in problem["description"]

    stream = framework_pending_presidents()
    stream.add(
        "ApprovalRequired",
        {"outcome_id": "framework", "approvers": [body], "report": reported_on("2025-06-12")},
    )
    state = fold(stream.events)
    assert state is not None
    [problem] = state.problems
    assert "unknown parties: eu" in problem["description"]


def talks_held(stream: Stream, occurred: dict[str, Any]) -> None:
    stream.add(
        "TalksHeld",
        {
            "talks_id": "geneva",
            "title": "Geneva talks",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "report": report(
                occurred=occurred,
                sources=[{"source_id": "s", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
            ),
        },
        "geneva-held",
    )


def test_talks_over_two_days_count_from_their_last_day_and_give_their_duration() -> None:
    stream = Stream().opened()
    two_days = {
        "precision": "DATE_PRECISION_DAY",
        "start_date": "2025-05-10",
        "end_date": "2025-05-11",
    }
    talks_held(stream, two_days)

    assert view_on(stream, date(2025, 5, 10)).get("talks", []) == []
    [talks] = view_on(stream, date(2025, 5, 11))["talks"]
    assert talks["duration_days"] == 2
    assert talks["occurred"] == two_days
    assert "2 days" in format_view(view_on(stream, date(2025, 5, 11)))


def test_talks_of_one_day_or_of_a_coarse_span_give_no_duration() -> None:
    for occurred in (
        {"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-10"},
        {"precision": "DATE_PRECISION_WEEK", "start_date": "2025-05-05", "end_date": "2025-05-11"},
    ):
        stream = Stream().opened()
        talks_held(stream, occurred)
        [talks] = view_on(stream, date(2025, 5, 31))["talks"]
        assert "duration_days" not in talks


def readout(stream: Stream, party: str, account: str, day: str, speaker: str = "") -> None:
    payload = {
        "talks_id": "geneva",
        "party_id": party,
        "account": account,
        "report": reported_on(day),
    }
    if speaker:
        payload["speaker_id"] = speaker
    stream.add("TalksReadoutIssued", payload, f"readout-{party}")


def test_each_side_gives_its_own_readout_of_the_same_talks_with_its_source() -> None:
    stream = Stream().opened().person("bessent", "us")
    talks_held(stream, {"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-11"})
    readout(stream, "us", "Substantial progress on the deficit.", "2025-05-11", "bessent")
    readout(stream, "cn", "Candid, in-depth and constructive.", "2025-05-12")

    [first] = view_on(stream, date(2025, 5, 11))["talks"]
    assert [r["party_id"] for r in first["readouts"]] == ["us"]
    [talks] = view_on(stream, date(2025, 5, 12))["talks"]
    cn, us = talks["readouts"]
    assert (cn["party_id"], cn["account"]) == ("cn", "Candid, in-depth and constructive.")
    assert (us["speaker_id"], us["sources"][0]["source_id"]) == ("bessent", "wire-2025-05-11")
    assert us["provenance"]["development_ids"] == ["readout-us"]
    text = format_view(view_on(stream, date(2025, 5, 12)))
    assert "readout by China: Candid, in-depth and constructive. (Wire)" in text


def test_a_readout_of_unknown_talks_or_by_an_unknown_speaker_is_refused() -> None:
    stream = Stream().opened()
    readout(stream, "us", "Progress.", "2025-05-11")
    state = fold(stream.events)
    assert state is not None
    assert "talks_id refers to unknown talks: geneva" in state.problems[0]["description"]

    stream = Stream().opened()
    talks_held(stream, {"precision": "DATE_PRECISION_DAY", "start_date": "2025-05-11"})
    readout(stream, "us", "Progress.", "2025-05-11", "nobody")
    state = fold(stream.events)
    assert state is not None
    assert "speaker_id refers to unknown people: nobody" in state.problems[0]["description"]


JULY = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-01"}
SEPTEMBER = {"precision": "DATE_PRECISION_MONTH", "start_date": "2025-09-01"}


def scheduled_round() -> Stream:
    stream = Stream().opened()
    stream.add(
        "TalksScheduled",
        {
            "talks_id": "round-3",
            "title": "Third round",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "planned": JULY,
            "report": reported_on("2025-06-01"),
        },
    )
    return stream


def test_postponed_talks_show_the_new_date_and_the_date_they_were_postponed_from() -> None:
    stream = scheduled_round()
    stream.add(
        "TalksPostponed",
        {
            "talks_id": "round-3",
            "new_planned": SEPTEMBER,
            "reason": "No agenda.",
            "report": reported_on("2025-06-20"),
        },
        "postponed",
    )

    before = view_on(stream, date(2025, 6, 19))
    assert before["talks"][0]["status"] == "TALKS_STATUS_SCHEDULED"
    assert before["next_round"]["planned"] == JULY
    after = view_on(stream, date(2025, 6, 20))
    [talks] = after["talks"]
    assert (talks["status"], talks["planned"], talks["postponed_from"]) == (
        "TALKS_STATUS_POSTPONED",
        SEPTEMBER,
        [JULY],
    )
    assert (talks["title"], talks["postponement_reason"]) == ("Third round", "No agenda.")
    assert (after["next_round"]["status"], after["next_round"]["planned"]) == (
        "NEXT_ROUND_STATUS_POSTPONED",
        SEPTEMBER,
    )
    assert "postponed" in format_view(after)


def test_talks_postponed_with_no_new_date_have_none() -> None:
    stream = scheduled_round()
    stream.add("TalksPostponed", {"talks_id": "round-3", "report": reported_on("2025-06-20")})

    [talks] = view_on(stream, date(2025, 6, 20))["talks"]
    assert "planned" not in talks
    assert talks["postponed_from"] == [JULY]


def test_held_talks_cannot_be_postponed() -> None:
    stream = scheduled_round()
    talks = {
        "talks_id": "round-3",
        "title": "Third round",
        "format": "TALKS_FORMAT_IN_PERSON_ROUND",
    }
    stream.add("TalksHeld", {**talks, "report": reported_on("2025-07-01")})
    stream.add("TalksPostponed", {"talks_id": "round-3", "report": reported_on("2025-07-02")})
    state = fold(stream.events)
    assert state is not None
    [problem] = state.problems
    assert "talks round-3 were already held, so they cannot be postponed" in problem["description"]
