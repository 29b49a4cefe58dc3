"""Appliers for the course of talks: phase, talks scheduled, postponed and held, each side's
readout, outcomes and the approvals they await, next round."""

from __future__ import annotations

from typing import Any

from newsledger.domain.dates import check_reported_time
from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    check_report,
    merge_provenance,
    require_any_records,
    require_parties,
    require_records,
    stamped,
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


def set_phase(
    state: NegotiationState, phase: str, development: Development, outcome_id: str = ""
) -> None:
    """Enter `phase`; every phase-setting development is kept, the view collapses repeats.

    A development claimed by some parties only is kept with its claimants (`_claimed_by`)
    and the outcome it is about: the view shows it as a claim until every party stands
    behind it, and the phase after every development does not take it.
    """
    claimed = sorted({str(party) for party in development.report.get("claimed_by", [])})
    one_sided = bool(claimed) and not set(claimed) >= state.party_ids()
    if not one_sided:
        state.phase = phase
    change: JsonDict = {"phase": phase, "provenance": development.provenance()}
    if development.occurred():
        change["occurred"] = development.occurred()
    if one_sided:
        change |= {"_claimed_by": claimed, "_outcome_id": outcome_id}
    state.phase_history.append(stamped(change, development))


def settle_phase(state: NegotiationState) -> None:
    """Set the phase after every development: the last phase change every party stands behind.

    A one-sided claim counts once the other parties confirmed the outcome it is about (a
    confirming statement) or the development itself (AccountConfirmed), with no dispute.
    """
    by_id = {str(entry["development_id"]): entry for entry in state.developments}
    for change in reversed(state.phase_history):
        claimed = change.get("_claimed_by")
        if claimed:
            outcome = state.outcomes.get(str(change.get("_outcome_id", "")), {})
            marks = outcome.get("party_marks", [])
            backers = set(claimed) | {m["party_id"] for m in marks if m["field"] == "confirmed_by"}
            entry = by_id.get(str(change["provenance"]["development_ids"][0]), {})
            backers |= {c["party_id"] for c in entry.get("confirmations", [])}
            if entry.get("disputes") or not backers >= state.party_ids():
                continue
        state.phase = str(change["phase"])
        return


def _people_with_role(development: Development, role: str) -> list[str]:
    """Return the ids of the report's actors with the given role, in report order."""
    actors = development.report.get("actors", [])
    return [str(actor["actor_id"]) for actor in actors if actor.get("role") == role]


def _add_talks_version(state: NegotiationState, development: Development, **fields: Any) -> None:
    """Append the talks as this development leaves them: the view shows the latest counted."""
    talks_id = str(development.get("talks_id"))
    record = state.talks.setdefault(talks_id, {"talks_id": talks_id, "versions": []})
    earlier: JsonDict = record["versions"][-1] if record["versions"] else {}
    version = {
        **{key: value for key, value in earlier.items() if not key.startswith("_")},
        "talks_id": talks_id,
        "title": development.get("title") or earlier.get("title", ""),
        "format": development.get("format") or earlier.get("format", ""),
        "location": development.get("location") or earlier.get("location", {}),
        **fields,
        "provenance": merge_provenance(earlier.get("provenance"), development.provenance()),
    }
    record["versions"].append(stamped(version, development))
    stamped(record, development)


def apply_talks_scheduled(state: NegotiationState, development: Development) -> None:
    """Record talks as scheduled; the next round is these talks."""
    check_report(state, development)
    talks_id = str(development.get("talks_id"))
    talks = state.talks.get(talks_id)
    if talks is not None and talks["versions"][-1]["status"] == "TALKS_STATUS_HELD":
        raise UnappliedEvent(f"talks {talks_id} were already held")
    _add_talks_version(
        state, development, planned=development.get("planned"), status="TALKS_STATUS_SCHEDULED"
    )
    _set_next_round(state, development, "NEXT_ROUND_STATUS_SCHEDULED", talks_id)


TALKS_POSTPONED = "TALKS_STATUS_POSTPONED"


def apply_talks_postponed(state: NegotiationState, development: Development) -> None:
    """Record scheduled talks as postponed, to a new date when given; the next round too,
    when it is these talks."""
    check_report(state, development)
    talks_id = str(development.get("talks_id"))
    require_records(state, "talks", [talks_id], "talks_id")
    latest = state.talks[talks_id]["versions"][-1]
    if latest["status"] == "TALKS_STATUS_HELD":
        raise UnappliedEvent(f"talks {talks_id} were already held, so they cannot be postponed")
    new_planned = development.get("new_planned", {})
    if new_planned:
        check_reported_time(new_planned)
    earlier = list(latest.get("postponed_from", []))
    if latest.get("planned"):
        earlier.append(latest["planned"])
    _add_talks_version(
        state,
        development,
        planned=new_planned,
        postponed_from=earlier,
        postponement_reason=development.get("reason"),
        status=TALKS_POSTPONED,
    )
    rounds = state.next_round_history
    if rounds and rounds[-1].get("talks_id") == talks_id:
        _set_next_round(state, development, "NEXT_ROUND_STATUS_POSTPONED", talks_id)


def apply_talks_readout_issued(state: NegotiationState, development: Development) -> None:
    """Keep one party's own account of talks beside the other side's, with its sources."""
    check_report(state, development)
    talks_id = str(development.get("talks_id"))
    require_records(state, "talks", [talks_id], "talks_id")
    party_id = str(development.get("party_id"))
    require_parties(state, [party_id], "party_id")
    speaker_id = str(development.get("speaker_id"))
    require_records(state, "people", [speaker_id], "speaker_id")
    readout = {
        "party_id": party_id,
        "account": development.get("account"),
        "speaker_id": speaker_id,
        "occurred": development.occurred(),
        "sources": [dict(source) for source in development.report.get("sources", [])],
        "provenance": development.provenance(),
    }
    state.talks[talks_id].setdefault("readouts", []).append(stamped(readout, development))


def apply_talks_held(state: NegotiationState, development: Development) -> None:
    """Record a round of talks, call or summit; the negotiation is in talks."""
    check_report(state, development)
    talks_id = str(development.get("talks_id"))
    _add_talks_version(
        state,
        development,
        occurred=development.occurred(),
        lead_ids=_people_with_role(development, "ACTOR_ROLE_LEAD"),
        participant_ids=_people_with_role(development, "ACTOR_ROLE_PARTICIPANT"),
        summary=development.report.get("summary", ""),
        status="TALKS_STATUS_HELD",
    )
    set_phase(state, "NEGOTIATION_PHASE_TALKS", development)
    latest = state.next_round_history[-1] if state.next_round_history else {}
    if latest.get("talks_id") == talks_id:
        _set_next_round(state, development, "NEXT_ROUND_STATUS_NOT_SCHEDULED", "")


def apply_outcome_reached(state: NegotiationState, development: Development) -> None:
    """Record an outcome (or a new status of it) and move the phase accordingly."""
    check_report(state, development)
    require_records(state, "talks", [str(development.get("talks_id"))], "talks_id")
    require_any_records(state, development.ids("builds_on_ids"), "builds_on_ids")
    outcome_id = str(development.get("outcome_id"))
    outcome = state.outcomes.setdefault(
        outcome_id, {"outcome_id": outcome_id, "status_history": [], "party_marks": []}
    )
    status = str(development.get("status"))
    outcome |= {
        "name": development.get("name"),
        "talks_id": development.get("talks_id"),
        "builds_on_ids": development.ids("builds_on_ids"),
        "claimed_by": [str(party) for party in development.report.get("claimed_by", [])],
        "occurred": development.occurred(),
        "summary": development.report.get("summary", ""),
        "provenance": merge_provenance(outcome.get("provenance"), development.provenance()),
    }
    stamped(outcome, development)
    add_outcome_status(outcome, status, development)
    set_phase(state, PHASE_BY_OUTCOME_STATUS.get(status, state.phase), development, outcome_id)


def add_outcome_status(outcome: JsonDict, status: str, development: Development) -> None:
    """Append a status the outcome entered to its history."""
    entry = {"status": status, "occurred": development.occurred()}
    entry["provenance"] = development.provenance()
    outcome["status_history"].append(stamped(entry, development))


def mark_parties(
    outcome: JsonDict, field: str, parties: list[str], development: Development
) -> None:
    """Record that parties confirmed, denied, signed or approved the outcome (`field`)."""
    for party in parties:
        mark = {"field": field, "party_id": party}
        outcome["party_marks"].append(stamped(mark, development))
    outcome["provenance"] = merge_provenance(outcome["provenance"], development.provenance())


def _agreement(state: NegotiationState, development: Development, parties: list[str]) -> JsonDict:
    """Return the outcome an agreement development names, after checking its references."""
    check_report(state, development)
    outcome_id = str(development.get("outcome_id"))
    require_records(state, "outcomes", [outcome_id], "outcome_id")
    require_parties(state, parties, "party_id")
    outcome: JsonDict = state.outcomes[outcome_id]
    return outcome


def apply_agreement_signed(state: NegotiationState, development: Development) -> None:
    """Record the signatories; the outcome is signed and so is the negotiation's agreement."""
    signatories = development.ids("signatory_ids")
    outcome = _agreement(state, development, signatories)
    mark_parties(outcome, "signed_by", signatories, development)
    add_outcome_status(outcome, "OUTCOME_STATUS_SIGNED", development)
    outcome_id = str(development.get("outcome_id"))
    set_phase(state, "NEGOTIATION_PHASE_AGREEMENT_SIGNED", development, outcome_id)


def body_key(party_id: str, body: Any) -> tuple[str, str]:
    """Return what tells one approving body from another: its party and its name, compared
    ignoring case and surrounding spaces."""
    return (party_id, str(body or "").strip().casefold())


def apply_approval_required(state: NegotiationState, development: Development) -> None:
    """Record the bodies whose approval an outcome awaits, each pending until it approves."""
    approvers = list(development.get("approvers", []))
    outcome = _agreement(state, development, [str(a.get("party_id", "")) for a in approvers])
    if not approvers:
        raise UnappliedEvent("approvers is empty: name at least one approving body")
    unnamed = [
        str(a.get("party_id", ""))
        for a in approvers
        if not str(a.get("approving_body", "")).strip()
    ]
    if unnamed:
        raise UnappliedEvent(f"approvers of {', '.join(unnamed)} name no approving_body")
    for approver in approvers:
        requirement = {
            "party_id": str(approver["party_id"]),
            "approving_body": str(approver["approving_body"]).strip(),
            "reason": development.get("reason"),
            "since": development.occurred(),
            "provenance": development.provenance(),
        }
        outcome.setdefault("approvals_required", []).append(stamped(requirement, development))
    outcome["provenance"] = merge_provenance(outcome["provenance"], development.provenance())


def awaited(marks: list[JsonDict], requirements: list[JsonDict]) -> list[JsonDict]:
    """Return the requirements no approval mark by the same body answers, in order."""
    approvals = [m for m in marks if m["field"] == "approved_by"]
    given = {body_key(m["party_id"], m.get("approving_body")) for m in approvals}
    return [r for r in requirements if body_key(r["party_id"], r["approving_body"]) not in given]


def apply_agreement_approved(state: NegotiationState, development: Development) -> None:
    """Record one party's approval; once every party approved, and no named body's approval
    is still awaited, the agreement is approved."""
    party_id = str(development.get("party_id"))
    outcome = _agreement(state, development, [party_id])
    mark_parties(outcome, "approved_by", [party_id], development)
    body = str(development.get("approving_body")).strip()
    if body:
        outcome["party_marks"][-1]["approving_body"] = body
    marks = outcome["party_marks"]
    approved = {m["party_id"] for m in marks if m["field"] == "approved_by"}
    pending = awaited(marks, outcome.get("approvals_required", []))
    if approved >= state.party_ids() and not pending:
        add_outcome_status(outcome, "OUTCOME_STATUS_APPROVED", development)
        set_phase(state, "NEGOTIATION_PHASE_AGREEMENT_APPROVED", development)


def _set_next_round(
    state: NegotiationState, development: Development, status: str, talks_id: str
) -> None:
    """Append the next round's new status to its history."""
    entry: JsonDict = {"status": status, "talks_id": talks_id}
    if talks_id:
        talks = state.talks[talks_id]["versions"][-1]
        entry |= {"planned": talks.get("planned", {}), "location": talks.get("location", {})}
    entry["provenance"] = development.provenance()
    state.next_round_history.append(stamped(entry, development))


def apply_next_round_status_changed(state: NegotiationState, development: Development) -> None:
    """Record the next round's status: not scheduled, proposed, scheduled or cancelled."""
    check_report(state, development)
    entry: JsonDict = {
        "status": development.get("status"),
        "planned": development.get("planned", {}),
        "location": development.get("location", {}),
        "provenance": development.provenance(),
    }
    state.next_round_history.append(stamped(entry, development))
