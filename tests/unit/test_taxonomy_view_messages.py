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
