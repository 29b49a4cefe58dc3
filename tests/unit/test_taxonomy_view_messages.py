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


def on(day: str, **extra: object) -> dict[str, object]:
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
                "report": on("2025-04-01"),
            },
        )
    day = {"precision": "DATE_PRECISION_DAY"}
    stream.add(
        "TruceAgreed",
        {
            "truce_id": "truce",
            "name": "Truce",
            "suspended_measure_ids": ["t"],
            "report": on("2025-05-12", expires={**day, "start_date": "2025-08-12"}),
        },
    )
    stream.add(
        "TruceSuspensionsAdded",
        {
            "truce_id": "truce",
            "measure_ids": ["u"],
            "report": on("2025-06-01", effective={**day, "start_date": "2025-07-01"}),
        },
    )
    two_days = {**day, "start_date": "2025-06-09", "end_date": "2025-06-10"}
    held = {"talks_id": "london", "title": "London talks", "format": "TALKS_FORMAT_IN_PERSON_ROUND"}
    stream.add("TalksHeld", {**held, "report": report(occurred=two_days)})
    stream.add(
        "TalksReadoutIssued",
        {"talks_id": "london", "party_id": "cn", "account": "Candid.", "report": on("2025-06-10")},
    )
    scheduled = {"talks_id": "next", "title": "Next", "format": "TALKS_FORMAT_IN_PERSON_ROUND"}
    stream.add(
        "TalksScheduled",
        {**scheduled, "planned": {**day, "start_date": "2025-07-01"}, "report": on("2025-06-10")},
    )
    stream.add(
        "TalksPostponed",
        {
            "talks_id": "next",
            "new_planned": {**day, "start_date": "2025-09-01"},
            "report": on("2025-06-12"),
        },
    )
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "framework",
            "name": "Framework",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "report": on("2025-06-10"),
        },
    )
    approvers = [{"party_id": "us", "approving_body": "President"}]
    stream.add(
        "ApprovalRequired",
        {"outcome_id": "framework", "approvers": approvers, "report": on("2025-06-11")},
    )
    stream.add("NegotiationRetitled", {"title": "Framework talks", "report": on("2025-06-12")})
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
