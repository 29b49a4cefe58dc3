"""The wider taxonomy: scheduled and held talks, agreements, commitments, controls, purchases."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report


def view_of(stream: Stream, as_of: date = date(2025, 12, 31)) -> dict[str, Any]:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return render_view(state, as_of)


def on(day: str) -> dict[str, Any]:
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
    )


def test_scheduled_talks_are_the_next_round_until_they_are_held() -> None:
    stream = Stream().opened()
    planned = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-07-01"}
    stream.add(
        "TalksScheduled",
        {
            "talks_id": "r2",
            "title": "Round 2",
            "format": "TALKS_FORMAT_SUMMIT",
            "planned": planned,
            "report": on("2025-06-15"),
        },
    )
    stream.add(
        "TalksHeld",
        {
            "talks_id": "r2",
            "title": "Round 2",
            "format": "TALKS_FORMAT_SUMMIT",
            "report": on("2025-07-01"),
        },
    )

    before = view_of(stream, date(2025, 6, 20))
    after = view_of(stream, date(2025, 7, 2))
    assert before["next_round"]["status"] == "NEXT_ROUND_STATUS_SCHEDULED"
    assert before["next_round"]["talks_id"] == "r2"
    assert before["talks"][0]["status"] == "TALKS_STATUS_SCHEDULED"
    assert after["talks"][0]["status"] == "TALKS_STATUS_HELD"
    assert after["next_round"]["status"] == "NEXT_ROUND_STATUS_NOT_SCHEDULED"


def test_an_agreement_is_approved_once_every_party_has_approved_it() -> None:
    stream = Stream().opened()
    stream.add(
        "TalksHeld",
        {
            "talks_id": "r",
            "title": "R",
            "format": "TALKS_FORMAT_SUMMIT",
            "report": on("2025-06-01"),
        },
    )
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "deal",
            "name": "Deal",
            "talks_id": "r",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "report": on("2025-06-01"),
        },
    )
    stream.add(
        "AgreementSigned",
        {"outcome_id": "deal", "signatory_ids": ["us", "cn"], "report": on("2025-07-01")},
    )
    stream.add(
        "AgreementApproved", {"outcome_id": "deal", "party_id": "us", "report": on("2025-08-01")}
    )
    halfway = view_of(stream)
    assert halfway["outcomes"][0]["status"] == "OUTCOME_STATUS_SIGNED"
    assert halfway["outcomes"][0]["approved_by"] == ["us"]
    assert halfway["phase"] == "NEGOTIATION_PHASE_AGREEMENT_SIGNED"

    stream.add(
        "AgreementApproved", {"outcome_id": "deal", "party_id": "cn", "report": on("2025-09-01")}
    )
    approved = view_of(stream)
    assert approved["outcomes"][0]["status"] == "OUTCOME_STATUS_APPROVED"
    assert approved["phase"] == "NEGOTIATION_PHASE_AGREEMENT_APPROVED"
    assert view_of(stream, date(2025, 7, 15))["outcomes"][0]["status"] == "OUTCOME_STATUS_SIGNED"


def test_a_commitment_status_change_keeps_its_history() -> None:
    stream = Stream().opened()
    stream.add(
        "CommitmentMade",
        {
            "commitment_id": "buy",
            "party_id": "cn",
            "description": "Buy soybeans",
            "status": "COMMITMENT_STATUS_MADE",
            "report": on("2025-06-01"),
        },
    )
    stream.add(
        "PurchaseReported",
        {
            "purchase_id": "p1",
            "party_id": "cn",
            "from_party_id": "us",
            "goods": "soybeans",
            "quantity_value": "12",
            "quantity_unit": "million tonnes",
            "commitment_id": "buy",
            "report": on("2025-07-01"),
        },
    )
    stream.add(
        "CommitmentStatusChanged",
        {
            "commitment_id": "buy",
            "status": "COMMITMENT_STATUS_FULFILLED",
            "report": on("2025-08-01"),
        },
    )
    view = view_of(stream)
    (commitment,) = view["commitments"]
    assert commitment["status"] == "COMMITMENT_STATUS_FULFILLED"
    assert [e["status"] for e in commitment["status_history"]] == [
        "COMMITMENT_STATUS_MADE",
        "COMMITMENT_STATUS_FULFILLED",
    ]
    assert view["purchases"][0]["quantity_value"] == "12"
    assert view_of(stream, date(2025, 7, 2))["commitments"][0]["status"] == "COMMITMENT_STATUS_MADE"


def test_an_entity_list_adds_and_removes_entities_and_is_in_force() -> None:
    stream = Stream().opened()
    for action, day in (("ADDED", "2025-06-01"), ("REMOVED", "2025-07-01")):
        stream.add(
            "EntityListChanged",
            {
                "measure_id": "entities",
                "action": f"ENTITY_LIST_ACTION_{action}",
                "entities": ["Acme Chips"] if action == "REMOVED" else ["Acme Chips", "Bolt AI"],
                "imposed_by": ["us"],
                "targets": ["cn"],
                "description": "Entity List",
                "report": on(day),
            },
        )
    june, july = view_of(stream, date(2025, 6, 15)), view_of(stream, date(2025, 7, 2))
    assert june["measures"][0]["listed_entities"] == ["Acme Chips", "Bolt AI"]
    assert july["measures"][0]["listed_entities"] == ["Bolt AI"]
    assert june["measures_in_force"] == [{"party_id": "us", "export_control_ids": ["entities"]}]


def test_an_investigation_opens_then_concludes_with_a_finding() -> None:
    stream = Stream().opened()
    stream.add(
        "InvestigationChanged",
        {
            "investigation_id": "s301",
            "subject": "Shipbuilding",
            "status": "INVESTIGATION_STATUS_OPENED",
            "party_id": "us",
            "targets": ["cn"],
            "report": on("2025-03-01"),
        },
    )
    stream.add(
        "InvestigationChanged",
        {
            "investigation_id": "s301",
            "subject": "Shipbuilding",
            "status": "INVESTIGATION_STATUS_CONCLUDED",
            "finding": "Unreasonable",
            "report": on("2025-09-01"),
        },
    )
    assert (
        view_of(stream, date(2025, 4, 1))["investigations"][0]["status"]
        == "INVESTIGATION_STATUS_OPENED"
    )
    concluded = view_of(stream)["investigations"][0]
    assert (concluded["status"], concluded["finding"]) == (
        "INVESTIGATION_STATUS_CONCLUDED",
        "Unreasonable",
    )


def test_a_version_1_tariff_is_read_with_its_goods_as_items() -> None:
    stream = Stream().opened()
    event = stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t",
            "description": "T",
            "goods": "steel",
            "status": "MEASURE_STATUS_IN_FORCE",
            "report": on("2025-06-01"),
        },
    )
    assert event.schema_version == 1
    assert view_of(stream)["measures"][0]["items"] == ["steel"]
