"""Appliers for the course of talks: phase, talks, outcomes, truces, deadlines, next round."""

from __future__ import annotations

from typing import Any

from newsledger.domain.dates import check_reported_time
from newsledger.domain.references import (
    Development,
    check_report,
    merge_provenance,
    require_any_records,
    require_records,
)
from newsledger.domain.state import JsonDict, NegotiationState

PHASE_BY_OUTCOME_STATUS = {
    "OUTCOME_STATUS_AGREED_IN_PRINCIPLE": "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE",
    "OUTCOME_STATUS_PRELIMINARY_CONSENSUS": "NEGOTIATION_PHASE_PRELIMINARY_CONSENSUS",
    "OUTCOME_STATUS_SIGNED": "NEGOTIATION_PHASE_AGREEMENT_SIGNED",
    "OUTCOME_STATUS_APPROVED": "NEGOTIATION_PHASE_AGREEMENT_APPROVED",
    "OUTCOME_STATUS_NO_OUTCOME": "NEGOTIATION_PHASE_STALLED",
}
"""The phase a negotiation enters when an outcome reaches each status."""


def set_phase(state: NegotiationState, phase: str, development: Development) -> None:
    """Enter `phase`, recording the change in the phase history when it is one."""
    if phase == state.phase:
        return
    state.phase = phase
    change: JsonDict = {"phase": phase, "provenance": development.provenance()}
    if "occurred" in development.report:
        change["occurred"] = development.report["occurred"]
    state.phase_history.append(change)


def _people_with_role(development: Development, role: str) -> list[str]:
    """Return the ids of the report's actors with the given role, in report order."""
    actors = development.report.get("actors", [])
    return [str(actor["actor_id"]) for actor in actors if actor.get("role") == role]


def apply_talks_held(state: NegotiationState, development: Development) -> None:
    """Record a round of talks, call or summit; the negotiation is in talks."""
    check_report(state, development)
    talks_id = str(development.get("talks_id"))
    earlier = state.talks.get(talks_id, {})
    state.talks[talks_id] = {
        "talks_id": talks_id,
        "title": development.get("title"),
        "format": development.get("format"),
        "location": development.get("location", {}),
        "occurred": development.report.get("occurred", {}),
        "lead_ids": _people_with_role(development, "ACTOR_ROLE_LEAD"),
        "participant_ids": _people_with_role(development, "ACTOR_ROLE_PARTICIPANT"),
        "summary": development.report.get("summary", ""),
        "provenance": merge_provenance(earlier.get("provenance"), development.provenance()),
    }
    set_phase(state, "NEGOTIATION_PHASE_TALKS", development)


def apply_outcome_reached(state: NegotiationState, development: Development) -> None:
    """Record an outcome (or update its status) and move the phase accordingly."""
    check_report(state, development)
    require_records(state, "talks", [str(development.get("talks_id"))], "talks_id")
    require_any_records(state, development.ids("builds_on_ids"), "builds_on_ids")
    outcome_id = str(development.get("outcome_id"))
    earlier = state.outcomes.get(outcome_id, {})
    status = str(development.get("status"))
    state.outcomes[outcome_id] = {
        "outcome_id": outcome_id,
        "name": development.get("name"),
        "status": status,
        "talks_id": development.get("talks_id"),
        "builds_on_ids": development.ids("builds_on_ids"),
        "claimed_by": [str(party) for party in development.report.get("claimed_by", [])],
        "confirmed_by": earlier.get("confirmed_by", []),
        "denied_by": earlier.get("denied_by", []),
        "occurred": development.report.get("occurred", {}),
        "summary": development.report.get("summary", ""),
        "provenance": merge_provenance(earlier.get("provenance"), development.provenance()),
    }
    set_phase(state, PHASE_BY_OUTCOME_STATUS.get(status, state.phase), development)


def apply_truce_agreed(state: NegotiationState, development: Development) -> None:
    """Record a truce as the current one and suspend the measures it names."""
    check_report(state, development)
    suspended = development.ids("suspended_measure_ids")
    require_records(state, "measures", suspended, "suspended_measure_ids")
    truce_id = str(development.get("truce_id"))
    report = development.report
    check_reported_time(report.get("expires", {}))
    state.truces[truce_id] = {
        "truce_id": truce_id,
        "name": development.get("name"),
        "duration_days": development.get("duration_days"),
        "agreed": report.get("occurred", {}),
        "effective": report.get("effective", {}),
        "deadline_entries": (
            [_deadline_entry(development, report["expires"])] if "expires" in report else []
        ),
        "suspended_measure_ids": suspended,
        "location": development.get("location", {}),
        "summary": report.get("summary", ""),
        "provenance": development.provenance(),
    }
    state.current_truce_id = truce_id
    for measure_id in suspended:
        measure = state.measures[measure_id]
        measure["status"] = "MEASURE_STATUS_SUSPENDED"
        measure["status_history"].append(
            {
                "status": "MEASURE_STATUS_SUSPENDED",
                "occurred": report.get("effective") or report.get("occurred", {}),
                "provenance": development.provenance(),
            }
        )
        measure["provenance"] = merge_provenance(measure["provenance"], development.provenance())
    set_phase(state, "NEGOTIATION_PHASE_TRUCE", development)


def _deadline_entry(development: Development, deadline: Any) -> JsonDict:
    """Return one entry of a deadline's history, set by `development`."""
    return {"deadline": deadline, "provenance": development.provenance()}


def apply_deadline_set(state: NegotiationState, development: Development) -> None:
    """Set or move a deadline; a truce's deadline moves the truce's own, keeping history."""
    check_report(state, development)
    truce_id = str(development.get("truce_id"))
    require_records(state, "truces", [truce_id], "truce_id")
    check_reported_time(development.get("deadline"))
    entry = _deadline_entry(development, development.get("deadline"))
    record: JsonDict
    if truce_id:
        record = state.truces[truce_id]
    else:
        deadline_id = str(development.get("deadline_id"))
        record = state.deadlines.setdefault(
            deadline_id, {"deadline_id": deadline_id, "deadline_entries": []}
        )
        record["subject"] = development.get("subject")
    record["deadline_entries"].append(entry)
    record["provenance"] = merge_provenance(record.get("provenance"), development.provenance())


def apply_next_round_status_changed(state: NegotiationState, development: Development) -> None:
    """Record the next round's status: not scheduled, proposed, scheduled or cancelled."""
    check_report(state, development)
    state.next_round = {
        "status": development.get("status"),
        "planned": development.get("planned", {}),
        "location": development.get("location", {}),
        "provenance": development.provenance(),
    }
