"""The appliers of developments, and deriving records afresh from a registry of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newsledger.domain import courts, deadlines, economy, measures, positions, talks
from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    UnknownReference,
    check_report,
    stamped,
)
from newsledger.domain.registry import applied, development_of
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import valid_order

NEGOTIATION_OPENED = "NegotiationOpened"

Applier = Callable[[NegotiationState, Development], None]


def apply_negotiation_opened(state: NegotiationState, development: Development) -> None:
    """Set the negotiation's title and parties; it is opened."""
    state.title = str(development.get("title"))
    state.title_history = [{"title": state.title, "provenance": development.provenance()}]
    state.parties = [dict(party) for party in development.get("parties", [])]
    talks.set_phase(state, "NEGOTIATION_PHASE_OPENED", development)


def apply_negotiation_retitled(state: NegotiationState, development: Development) -> None:
    """Give the negotiation a new title; the title is the latest by valid time.

    The opening title stays first in the history; a retitling back-filled about an earlier
    day than another does not push the newer title aside.
    """
    check_report(state, development)
    title = str(development.get("title")).strip()
    if not title:
        raise UnappliedEvent("title is empty: a retitling needs the new title")
    entry: JsonDict = {
        "title": title,
        "replaced": development.occurred(),
        "reason": development.get("reason"),
        "provenance": development.provenance(),
    }
    state.title_history.append(stamped(entry, development))
    state.title = str(max(state.title_history[1:], key=valid_order)["title"])


APPLIERS: dict[str, Applier] = {
    NEGOTIATION_OPENED: apply_negotiation_opened,
    "NegotiationRetitled": apply_negotiation_retitled,
    "ApprovalRequired": talks.apply_approval_required,
    "TalksReadoutIssued": talks.apply_talks_readout_issued,
    "TalksPostponed": talks.apply_talks_postponed,
    "TruceSuspensionsAdded": deadlines.apply_truce_suspensions_added,
    "TalksScheduled": talks.apply_talks_scheduled,
    "TalksHeld": talks.apply_talks_held,
    "OutcomeReached": talks.apply_outcome_reached,
    "AgreementSigned": talks.apply_agreement_signed,
    "AgreementApproved": talks.apply_agreement_approved,
    "NextRoundStatusChanged": talks.apply_next_round_status_changed,
    "TruceAgreed": deadlines.apply_truce_agreed,
    "DeadlineSet": deadlines.apply_deadline_set,
    "DeadlineExtended": deadlines.apply_deadline_extended,
    "TariffMeasureChanged": measures.apply_tariff_measure_changed,
    "ExportControlChanged": measures.apply_export_control_changed,
    "LicenceDecisionReported": measures.apply_licence_decision_reported,
    "EntityListChanged": measures.apply_entity_list_changed,
    "CourtRulingIssued": courts.apply_court_ruling_issued,
    "InvestigationChanged": courts.apply_investigation_changed,
    "CourtCaseDocketed": courts.apply_court_case_docketed,
    "CourtStepTaken": courts.apply_court_step_taken,
    "EconomicIndicatorReleased": economy.apply_economic_indicator_released,
    "MarketMoved": economy.apply_market_moved,
    "PurchaseReported": economy.apply_purchase_reported,
    "PersonRoleAssigned": positions.apply_person_role_assigned,
    "StatementMade": positions.apply_statement_made,
    "IssuePositionStated": positions.apply_issue_position_stated,
    "CommitmentMade": positions.apply_commitment_made,
    "CommitmentStatusChanged": positions.apply_commitment_status_changed,
}
"""Every event type that sets records, with the function that applies it to the state."""


def introduced_people(entry: JsonDict) -> list[Development]:
    """Return the people corrections of an entry introduce, each as its own role development.

    Each is reported by its correction's report and cites the correction; the registry keeps
    it at the entry's place, so the entry's corrected reference resolves.
    """
    return [
        Development(
            development_id=str(introduction["development_id"]),
            payload={**person, "report": introduction["report"]},
            seq=int(entry["seq"]),
        )
        for introduction in entry.get("introductions", [])
        for person in introduction["people"]
    ]


def derive(
    state: NegotiationState, registry: Sequence[JsonDict], skipped: list[JsonDict] | None = None
) -> NegotiationState:
    """Return a state whose records are derived afresh from the registry's applied entries.

    Raises UnappliedEvent when an entry no longer applies (e.g. it refers to a retracted one),
    unless `skipped` is given: then such an entry is left out and added to it. A view as of
    a date derives its records from the developments that count by then, where one may refer
    to a record that does not count yet. Appliers check before they change anything, so a
    skipped entry changed nothing.
    """
    fresh = NegotiationState(
        negotiation_id=state.negotiation_id,
        developments=list(registry),
        last_position=state.last_position,
        problems=state.problems,
    )
    for entry in applied(registry):
        try:
            for person in introduced_people(entry):
                positions.apply_person_role_assigned(fresh, person)
            APPLIERS[str(entry["event_type"])](fresh, development_of(entry))
        except UnappliedEvent as error:
            if skipped is not None:
                skipped.append(entry)
                continue
            message = f"then {entry['development_id']} no longer applies: {error}"
            if isinstance(error, UnknownReference):
                raise UnknownReference(message, error.field, error.missing) from None
            raise UnappliedEvent(message) from None
    return fresh
