"""The view's new taxonomy fields travel in the NegotiationView message, as ParseDict reads them."""

from __future__ import annotations

from datetime import date
from typing import Any

from google.protobuf import json_format

from newsledger.api.conversions import negotiation_view
from newsledger.api.message_dicts import _message_converter
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from newsledger.v1 import negotiation_view_pb2
from tests.support.builders import Stream, report

BY_JULY_9 = {
    "precision": "DATE_PRECISION_DAY",
    "start_date": "2025-07-09",
    "qualifier": "DATE_QUALIFIER_NO_LATER_THAN",
}


def test_qualifier_withdrawal_suspension_and_organisation_reach_the_message() -> None:
    stream = Stream().opened()
    stream.add(
        "PersonRoleAssigned",
        {
            "person_id": "mofcom",
            "name": "Ministry of Commerce",
            "party_id": "cn",
            "kind": "PERSON_KIND_ORGANISATION",
            "report": report(),
        },
    )
    tariff = {"description": "Tariffs", "imposed_by": ["us"], "targets": ["cn"]}
    stream.add(
        "TariffMeasureChanged",
        {**tariff, "measure_id": "t", "status": "MEASURE_STATUS_IN_FORCE", "report": report()},
    )
    stream.add(
        "TariffMeasureChanged",
        {
            **tariff,
            "measure_id": "t",
            "status": "MEASURE_STATUS_SUSPENDED",
            "suspended_until": BY_JULY_9,
            "suspended_part": "the part above 10%",
            "report": report(),
        },
    )
    stream.add(
        "TariffMeasureChanged",
        {
            **tariff,
            "measure_id": "threat",
            "status": "MEASURE_STATUS_THREATENED",
            "report": report(),
        },
    )
    stream.add(
        "TariffMeasureChanged",
        {
            **tariff,
            "measure_id": "threat",
            "status": "MEASURE_STATUS_WITHDRAWN",
            "report": report(),
        },
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    view = render_view(state, date(2025, 6, 20))

    message = negotiation_view(view)
    assert message == json_format.ParseDict(view, negotiation_view_pb2.NegotiationView())
    measures = {m.measure_id: m for m in message.measures}
    assert measures["t"].suspended_part == "the part above 10%"
    assert measures["t"].suspended_until.qualifier == 2  # DATE_QUALIFIER_NO_LATER_THAN
    assert measures["t"].in_force
    assert measures["threat"].status == 7  # MEASURE_STATUS_WITHDRAWN
    assert measures["threat"].withdrawn.start_date == "2025-06-10"
    assert [p.kind for p in message.people] == [2]  # PERSON_KIND_ORGANISATION


def _on(day: str) -> dict[str, Any]:
    return report(occurred={"precision": "DATE_PRECISION_DAY", "start_date": day})


def test_dockets_steps_votes_dispositions_and_court_effects_reach_the_message() -> None:
    stream = Stream().opened()
    tariff = {"description": "Tariffs", "imposed_by": ["us"], "targets": ["cn"]}
    stream.add(
        "TariffMeasureChanged",
        {
            **tariff,
            "measure_id": "t",
            "status": "MEASURE_STATUS_IN_FORCE",
            "report": _on("2025-04-09"),
        },
    )
    for case_id in ("scotus", "other"):
        stream.add(
            "CourtCaseDocketed",
            {
                "case_id": case_id,
                "case_name": "Learning Resources, Inc. v. Trump",
                "court": "U.S. Supreme Court",
                "docket_number": "24-1287",
                "parties": [{"name": "Learning Resources, Inc.", "role": "CASE_ROLE_PETITIONER"}],
                "measure_ids": ["t"],
                "report": _on("2025-06-17"),
            },
        )
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "scotus",
            "kind": "COURT_STEP_KIND_CONSOLIDATED",
            "consolidated_case_ids": ["other"],
            "report": _on("2025-09-09"),
        },
    )
    stream.add(
        "CourtStepTaken",
        {
            "case_id": "scotus",
            "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
            "scheduled": {"precision": "DATE_PRECISION_DAY", "start_date": "2026-03-05"},
            "report": _on("2025-09-18"),
        },
    )
    disposition = {
        "kind": "COURT_RULING_KIND_AFFIRM",
        "description": "Affirmed",
        "measure_ids": ["t"],
        "effect": "COURT_EFFECT_ENDS",
        "effective": {"precision": "DATE_PRECISION_DAY", "start_date": "2026-02-24"},
    }
    stream.add(
        "CourtRulingIssued",
        {
            "case_id": "scotus",
            "ruling_id": "scotus-ruling",
            "court": "U.S. Supreme Court",
            "kind": "COURT_RULING_KIND_AFFIRM",
            "holding": "IEEPA does not authorize tariffs",
            "vote": {"majority": 6, "dissent": 3, "majority_by": "Chief Justice Roberts"},
            "dispositions": [disposition],
            "report": _on("2026-02-20"),
        },
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    view = render_view(state, date(2026, 2, 22))

    message = negotiation_view(view)
    assert message == json_format.ParseDict(view, negotiation_view_pb2.NegotiationView())
    cases = {case.case_id: case for case in message.legal_status.cases}
    case = cases["scotus"]
    assert case.docket_number == "24-1287"
    assert case.parties[0].role == 5  # CASE_ROLE_PETITIONER
    assert list(case.consolidated_case_ids) == ["other"]
    assert [step.kind for step in case.steps] == [2, 5]  # consolidated, argument scheduled
    assert case.oral_argument_scheduled.start_date == "2026-03-05"
    ruling = message.legal_status.latest_ruling
    assert (ruling.vote.majority, ruling.vote.dissent) == (6, 3)
    assert ruling.dispositions[0].effect == 1  # COURT_EFFECT_ENDS
    assert ruling.dispositions[0].state == 2  # COURT_EFFECT_STATE_PENDING
    [measure] = message.measures
    assert measure.pending_changes[0].status == 6  # MEASURE_STATUS_ENDED
    assert measure.court_effects[0].ruling_id == "scotus-ruling"
    assert measure.court_effects[0].state == 2  # COURT_EFFECT_STATE_PENDING


def on(day: str) -> dict[str, Any]:
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
    )


def test_figures_commitments_licences_and_list_counts_reach_the_message() -> None:
    stream = Stream().opened()
    fee = {
        "exact_value": "400",
        "currency": "CNY",
        "per": "net ton",
        "equivalents": [{"exact_value": "56", "currency": "USD", "approximate": True}],
        "components": [{"label": "first tranche", "exact_value": "400", "measure_id": ""}],
    }
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "fees",
            "description": "Port fees",
            "status": "MEASURE_STATUS_IN_FORCE",
            "rate": fee,
            "report": on("2025-10-14"),
        },
    )
    stream.add(
        "EntityListChanged",
        {
            "measure_id": "list",
            "action": "ENTITY_LIST_ACTION_ADDED",
            "count_value": "23",
            "report": on("2025-09-12"),
        },
    )
    stream.add(
        "ExportControlChanged",
        {
            "measure_id": "affiliates",
            "description": "Affiliates rule",
            "status": "MEASURE_STATUS_SUSPENDED",
            "kind": "EXPORT_CONTROL_KIND_LISTING_RULE",
            "extends_measure_id": "list",
            "suspended_until": {"precision": "DATE_PRECISION_DAY", "start_date": "2026-11-09"},
            "report": on("2025-11-10"),
        },
    )
    stream.add(
        "LicenceDecisionReported",
        {
            "measure_id": "affiliates",
            "decision": "LICENCE_DECISION_APPROVED",
            "company": "Nvidia",
            "terms": [
                {
                    "description": "revenue share",
                    "figure": {"exact_value": "15", "unit": "percent"},
                    "beneficiary_party_id": "us",
                }
            ],
            "report": on("2025-11-11"),
        },
    )
    tonnes = {"exact_value": "12000000", "unit": "tonnes"}
    stream.add(
        "CommitmentMade",
        {
            "commitment_id": "soy",
            "party_id": "cn",
            "description": "Soybeans",
            "status": "COMMITMENT_STATUS_MADE",
            "goods": "soybeans",
            "quantity": tonnes,
            "schedule": [
                {"quantity": tonnes, "start_date": "2025-11-01", "end_date": "2025-12-31"}
            ],
            "report": on("2025-10-30"),
        },
    )
    stream.add(
        "PurchaseReported",
        {
            "purchase_id": "cargo",
            "party_id": "cn",
            "goods": "soybeans",
            "commitment_id": "soy",
            "quantity": {"low_value": "3000000", "high_value": "4000000", "unit": "tonnes"},
            "amount": {"exact_value": "1200000000", "currency": "USD", "approximate": True},
            "report": on("2025-11-20"),
        },
    )
    stream.add(
        "EconomicIndicatorReleased",
        {
            "indicator_id": "growth",
            "publisher": "IMF",
            "name": "growth",
            "figure": {"low_value": "2.8", "high_value": "3.0", "unit": "percent"},
            "report": on("2025-10-14"),
        },
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    assert state.problems == []
    view = render_view(state, date(2025, 12, 1))

    message = negotiation_view(view)
    assert message == json_format.ParseDict(view, negotiation_view_pb2.NegotiationView())
    measures = {m.measure_id: m for m in message.measures}
    assert measures["fees"].rate.equivalents[0].approximate
    assert measures["fees"].rate.components[0].label == "first tranche"
    assert measures["list"].listed_count_value == "23"
    assert measures["list"].entity_list_actions[0].count_value == "23"
    assert measures["affiliates"].extends_measure_id == "list"
    assert measures["affiliates"].resumes.start_date == "2026-11-10"
    assert measures["affiliates"].status_history[0].resumes.start_date == "2026-11-10"
    [licence] = measures["affiliates"].licence_decisions
    assert (licence.company, licence.terms[0].figure.exact_value) == ("Nvidia", "15")
    [commitment] = message.commitments
    assert commitment.status == 30  # COMMITMENT_STATUS_PARTIALLY_FULFILLED
    assert commitment.fulfilment.fulfilled.low_value == "3000000"
    assert commitment.fulfilment.fulfilled_percent == "25"
    assert commitment.schedule[0].fulfilled.high_value == "4000000"
    assert message.purchases[0].amount.approximate
    assert message.economic_context.indicators[0].figure.high_value == "3.0"


def test_the_view_message_still_takes_the_quick_conversion() -> None:
    assert _message_converter(negotiation_view_pb2.NegotiationView.DESCRIPTOR) is not None


def reported_on(day: str, **extra: object) -> dict[str, object]:
    source = {"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}
    occurred = {"precision": "DATE_PRECISION_DAY", "start_date": day}
    return report(occurred=occurred, sources=[{**source, "published_date": day}], **extra)


def test_approvals_readouts_postponements_titles_and_truce_additions_reach_the_message() -> None:
    stream = Stream().opened()
    tariff = {"description": "Tariffs", "imposed_by": ["us"], "targets": ["cn"]}
    for measure_id in ("t", "u"):
        stream.add(
            "TariffMeasureChanged",
            {
                **tariff,
                "measure_id": measure_id,
                "status": "MEASURE_STATUS_IN_FORCE",
                "report": reported_on("2025-04-01"),
            },
        )
    day = {"precision": "DATE_PRECISION_DAY"}
    stream.add(
        "TruceAgreed",
        {
            "truce_id": "truce",
            "name": "Truce",
            "suspended_measure_ids": ["t"],
            "report": reported_on("2025-05-12", expires={**day, "start_date": "2025-08-12"}),
        },
    )
    stream.add(
        "TruceSuspensionsAdded",
        {
            "truce_id": "truce",
            "measure_ids": ["u"],
            "report": reported_on("2025-06-01", effective={**day, "start_date": "2025-07-01"}),
        },
    )
    two_days = {**day, "start_date": "2025-06-09", "end_date": "2025-06-10"}
    held = {"talks_id": "london", "title": "London talks", "format": "TALKS_FORMAT_IN_PERSON_ROUND"}
    stream.add("TalksHeld", {**held, "report": report(occurred=two_days)})
    stream.add(
        "TalksReadoutIssued",
        {
            "talks_id": "london",
            "party_id": "cn",
            "account": "Candid.",
            "report": reported_on("2025-06-10"),
        },
    )
    scheduled = {"talks_id": "next", "title": "Next", "format": "TALKS_FORMAT_IN_PERSON_ROUND"}
    stream.add(
        "TalksScheduled",
        {
            **scheduled,
            "planned": {**day, "start_date": "2025-07-01"},
            "report": reported_on("2025-06-10"),
        },
    )
    stream.add(
        "TalksPostponed",
        {
            "talks_id": "next",
            "new_planned": {**day, "start_date": "2025-09-01"},
            "report": reported_on("2025-06-12"),
        },
    )
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "framework",
            "name": "Framework",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "report": reported_on("2025-06-10"),
        },
    )
    approvers = [{"party_id": "us", "approving_body": "President"}]
    stream.add(
        "ApprovalRequired",
        {"outcome_id": "framework", "approvers": approvers, "report": reported_on("2025-06-11")},
    )
    stream.add(
        "NegotiationRetitled", {"title": "Framework talks", "report": reported_on("2025-06-12")}
    )
    state = fold(stream.events)
    assert isinstance(state, NegotiationState) and not state.problems
    view = render_view(state, date(2025, 6, 20))

    message = negotiation_view(view)
    assert message == json_format.ParseDict(view, negotiation_view_pb2.NegotiationView())
    assert (message.title, message.former_titles[0].title) == ("Framework talks", "Test talks")
    assert message.outcomes[0].pending_approvals[0].approving_body == "President"
    talks = {t.talks_id: t for t in message.talks}
    assert (talks["london"].duration_days, talks["london"].readouts[0].party_id) == (2, "cn")
    assert talks["next"].status == negotiation_view_pb2.TALKS_STATUS_POSTPONED
    assert talks["next"].postponed_from[0].start_date == "2025-07-01"
    assert message.next_round.status == 40  # NEXT_ROUND_STATUS_POSTPONED
    assert list(message.truce.pending_suspensions[0].measure_ids) == ["u"]
    assert {m.measure_id: m.suspended_by_truce_id for m in message.measures} == {
        "t": "truce",
        "u": "",
    }
