"""The view's new taxonomy fields travel in the NegotiationView message, as ParseDict reads them."""

from __future__ import annotations

from datetime import date

from google.protobuf import json_format

from newsledger.api.conversions import negotiation_view
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
