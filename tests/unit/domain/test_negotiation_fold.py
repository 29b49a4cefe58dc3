"""The negotiation fold: each development changes the state as it should."""

from __future__ import annotations

import json
from datetime import date

from newsledger.domain.negotiation import (
    NEGOTIATION_EVENT_TYPES,
    NegotiationState,
    apply_event,
    fold,
)
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report


def folded(stream: Stream) -> NegotiationState:
    """Fold a stream that must produce a state."""
    state = fold(stream.events)
    assert state is not None
    return state


def test_opening_sets_parties_and_phase() -> None:
    """Given NegotiationOpened, the state has its parties and the OPENED phase."""
    state = folded(Stream().opened())
    assert [party["party_id"] for party in state.parties] == ["us", "cn"]
    assert state.phase == "NEGOTIATION_PHASE_OPENED"
    assert state.problems == []


def test_talks_record_leads_and_enter_talks_phase() -> None:
    """Given talks with a lead actor, the talks list the lead and the phase is TALKS."""
    stream = Stream().opened().person("ana", "us")
    stream.add(
        "TalksHeld",
        {
            "talks_id": "round-1",
            "title": "Round 1",
            "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            "report": report(actors=[{"actor_id": "ana", "role": "ACTOR_ROLE_LEAD", "side": "us"}]),
        },
    )
    state = folded(stream)
    assert state.talks["round-1"]["versions"][-1]["lead_ids"] == ["ana"]
    assert state.phase == "NEGOTIATION_PHASE_TALKS"


def test_outcome_moves_phase_and_confirmation_marks_the_side() -> None:
    """Given an outcome agreed in principle and a confirmation by a cn official, cn confirms it."""
    stream = Stream().opened().person("li", "cn")
    stream.add(
        "TalksHeld",
        {"talks_id": "r1", "title": "R1", "format": "TALKS_FORMAT_SUMMIT", "report": report()},
    )
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "deal",
            "name": "Deal",
            "talks_id": "r1",
            "status": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE",
            "report": report(claimed_by=["us"]),
        },
    )
    stream.add(
        "StatementMade",
        {
            "statement_id": "s1",
            "speaker_id": "li",
            "kind": "STATEMENT_KIND_CONFIRMATION",
            "about_ids": ["deal"],
            "report": report(),
        },
    )
    state = folded(stream)
    assert state.phase == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
    assert render_view(state, date(2025, 6, 11))["outcomes"][0]["confirmed_by"] == ["cn"]
    assert [change["phase"] for change in state.phase_history] == [
        "NEGOTIATION_PHASE_OPENED",
        "NEGOTIATION_PHASE_TALKS",
        "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE",
    ]


def test_deadline_extension_moves_the_truce_deadline_and_keeps_history() -> None:
    """Given a tariff, a truce not naming it and an extension, only the deadline moves."""
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t1",
            "description": "Tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["us"],
            "rate_percent": "145",
            "report": report(),
        },
    )
    stream.truce()
    state = folded(stream)
    assert state.measures["t1"]["status"] == "MEASURE_STATUS_IN_FORCE"  # not named by the truce
    extended = {
        "precision": "DATE_PRECISION_INSTANT",
        "start_time": "2025-11-10T05:01:00Z",
        "time_zone": "America/New_York",
    }
    stream.add(
        "DeadlineSet",
        {
            "deadline_id": "truce",
            "subject": "truce end",
            "truce_id": "truce",
            "deadline": extended,
            "report": report(),
        },
    )
    view = render_view(folded(stream), date(2025, 8, 20))
    assert view["truce"]["deadline"]["start_time"] == "2025-11-10T05:01:00Z"
    assert view["truce"]["deadline_history"][0]["deadline"]["start_time"] == "2025-08-12T04:01:00Z"
    assert view["truce"]["days_remaining"] == 82


def test_truce_marks_named_measures_suspended() -> None:
    """Given a truce naming a tariff in force, the tariff is suspended with history."""
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t1",
            "description": "Tariff",
            "status": "MEASURE_STATUS_IN_FORCE",
            "report": report(),
        },
    )
    stream.add(
        "TruceAgreed",
        {"truce_id": "truce", "name": "Truce", "suspended_measure_ids": ["t1"], "report": report()},
    )
    measure = folded(stream).measures["t1"]
    assert measure["status"] == "MEASURE_STATUS_SUSPENDED"
    assert [entry["status"] for entry in measure["status_history"]] == [
        "MEASURE_STATUS_IN_FORCE",
        "MEASURE_STATUS_SUSPENDED",
    ]


def test_threatened_tariff_is_not_in_force() -> None:
    """Given only a threat, the measure's status is THREATENED, never IN_FORCE."""
    stream = Stream().opened()
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t2",
            "description": "Threat",
            "status": "MEASURE_STATUS_THREATENED",
            "report": report(),
        },
    )
    assert folded(stream).measures["t2"]["status"] == "MEASURE_STATUS_THREATENED"


def test_export_control_licence_decision_and_commitment_with_condition() -> None:
    """Given a licensing regime, a licence approval and a conditional commitment, all are kept."""
    stream = Stream().opened()
    stream.add(
        "ExportControlChanged",
        {
            "measure_id": "lic",
            "description": "Licences",
            "status": "MEASURE_STATUS_IN_FORCE",
            "kind": "EXPORT_CONTROL_KIND_LICENSING_REQUIREMENT",
            "imposed_by": ["cn"],
            "items": ["rare earths"],
            "report": report(),
        },
    )
    stream.add(
        "LicenceDecisionReported",
        {"measure_id": "lic", "decision": "LICENCE_DECISION_APPROVED", "report": report()},
    )
    stream.add(
        "IssuePositionStated",
        {
            "issue_id": "minerals",
            "title": "Minerals",
            "party_id": "cn",
            "position": "will expedite",
            "status": "ISSUE_STATUS_PROGRESSING",
            "report": report(),
        },
    )
    stream.add(
        "CommitmentMade",
        {
            "commitment_id": "ease",
            "party_id": "us",
            "description": "Ease export measures",
            "status": "COMMITMENT_STATUS_OFFERED",
            "conditions": [
                {"description": "China approves licences", "party_id": "cn", "issue_id": "minerals"}
            ],
            "report": report(),
        },
    )
    state = folded(stream)
    assert state.measures["lic"]["licence_decisions"][0]["decision"] == "LICENCE_DECISION_APPROVED"
    (issue,) = render_view(state, date(2025, 6, 11))["issues"]
    assert issue["positions"][0]["position"] == "will expedite"
    assert issue["status"] == "ISSUE_STATUS_PROGRESSING"
    assert state.commitments["ease"]["conditions"][0]["party_id"] == "cn"


def test_court_indicator_market_and_next_round() -> None:
    """Given a ruling, a forecast cut, a market move and a next round, the view shows each."""
    stream = Stream().opened()
    stream.add(
        "CourtRulingIssued",
        {
            "case_id": "case",
            "court": "Appeals court",
            "kind": "COURT_RULING_KIND_STAY",
            "holding": "collection continues",
            "report": report(),
        },
    )
    stream.add(
        "EconomicIndicatorReleased",
        {
            "indicator_id": "wb",
            "publisher": "World Bank",
            "name": "growth forecast",
            "direction": "DIRECTION_DOWN",
            "report": report(),
        },
    )
    stream.add(
        "MarketMoved",
        {
            "reaction_id": "asia",
            "moves": [{"market": "Tokyo", "direction": "DIRECTION_UP"}],
            "report": report(),
        },
    )
    stream.add(
        "NextRoundStatusChanged", {"status": "NEXT_ROUND_STATUS_SCHEDULED", "report": report()}
    )
    view = render_view(folded(stream), date(2025, 6, 11))
    assert view["legal_status"]["latest_ruling"]["kind"] == "COURT_RULING_KIND_STAY"
    assert view["economic_context"]["indicators"][0]["direction"] == "DIRECTION_DOWN"
    assert "reported_value" not in view["economic_context"]["indicators"][0]
    assert view["market_reactions"][0]["moves"][0]["market"] == "Tokyo"
    assert view["next_round"]["status"] == "NEXT_ROUND_STATUS_SCHEDULED"


def test_next_round_is_explicitly_not_scheduled_when_never_set() -> None:
    """Given no next-round development, the view says NOT_SCHEDULED."""
    view = render_view(folded(Stream().opened()), date(2025, 6, 11))
    assert view["next_round"]["status"] == "NEXT_ROUND_STATUS_NOT_SCHEDULED"


def test_unknown_reference_is_a_problem_not_a_silent_skip() -> None:
    """Given an outcome naming unknown talks, the state records a problem and the view is stale."""
    stream = Stream().opened()
    stream.add(
        "OutcomeReached",
        {
            "outcome_id": "deal",
            "name": "Deal",
            "talks_id": "nowhere",
            "status": "OUTCOME_STATUS_SIGNED",
            "report": report(),
        },
        "bad-outcome",
    )
    state = folded(stream)
    assert "deal" not in state.outcomes
    assert state.problems[0]["development_id"] == "bad-outcome"
    assert "nowhere" in state.problems[0]["description"]
    view = render_view(state, date(2025, 6, 11))
    assert view["stale"] is True
    assert view["problems"][0]["event_type"] == "OutcomeReached"


def test_unknown_person_type_and_unopened_stream_are_problems() -> None:
    """Given an unknown speaker, an unknown type, and events before opening, each is reported."""
    unopened = Stream()
    unopened.add(
        "TalksHeld",
        {"talks_id": "r", "title": "R", "format": "TALKS_FORMAT_SUMMIT", "report": report()},
    )
    assert "NegotiationOpened" in folded(unopened).problems[0]["description"]
    stream = Stream().opened()
    stream.add(
        "StatementMade",
        {
            "statement_id": "s",
            "speaker_id": "ghost",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report(),
        },
    )
    stream.add("SomethingNew", {"report": report()})
    descriptions = [problem["description"] for problem in folded(stream).problems]
    assert "ghost" in descriptions[0]
    assert "unknown event type SomethingNew" in descriptions[1]


def test_apply_event_leaves_the_earlier_state_unchanged() -> None:
    """Given a state, applying an event returns a new state and keeps the old one intact."""
    stream = Stream().opened()
    before = folded(stream)
    snapshot = before.to_json()
    after = apply_event(
        before,
        stream.add(
            "NextRoundStatusChanged", {"status": "NEXT_ROUND_STATUS_PROPOSED", "report": report()}
        ),
    )
    assert before.to_json() == snapshot
    assert after.next_round_history[-1]["status"] == "NEXT_ROUND_STATUS_PROPOSED"
    assert after.last_position["stream_version"] == "1"


def test_fold_is_deterministic_and_state_round_trips() -> None:
    """Given the same events twice, the JSON is byte-identical and from_json(to_json) is exact."""

    def build() -> NegotiationState:
        stream = Stream().opened().person("ana", "us").truce()
        return folded(stream)

    first, second = build(), build()
    encoded = json.dumps(first.to_json(), sort_keys=True)
    assert encoded == json.dumps(second.to_json(), sort_keys=True)
    assert NegotiationState.from_json(first.to_json()) == first
    assert (
        json.dumps(NegotiationState.from_json(json.loads(encoded)).to_json(), sort_keys=True)
        == encoded
    )


def test_fold_of_no_events_is_none_and_event_types_cover_every_applier() -> None:
    """Given no events there is no state; the public type list names the core types."""
    assert fold([]) is None
    assert {"NegotiationOpened", "TruceAgreed", "CommitmentMade"} <= NEGOTIATION_EVENT_TYPES
