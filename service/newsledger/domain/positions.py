"""Appliers for who says what: people and roles, statements, issue positions, commitments."""

from __future__ import annotations

from newsledger.domain.figures import check_figure
from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    check_report,
    merge_provenance,
    require_any_records,
    require_parties,
    require_records,
    set_latest,
    stamped,
)
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.talks import mark_parties, settle_phase

CONFIRMATION_FIELDS = {
    "STATEMENT_KIND_CONFIRMATION": "confirmed_by",
    "STATEMENT_KIND_DENIAL": "denied_by",
}
"""The outcome field a statement of each kind adds the speaker's party to."""


def apply_person_role_assigned(state: NegotiationState, development: Development) -> None:
    """Add a person (or an organisation), or a further role of a known one."""
    person_id = str(development.get("person_id"))
    check_report(state, development, person_id)
    require_parties(state, [str(development.get("party_id"))], "party_id")
    person = state.people.setdefault(person_id, {"person_id": person_id, "roles": []})
    person.setdefault("name", "")
    person.setdefault("party_id", "")
    set_latest(person, "name", development.get("name"), development)
    set_latest(person, "party_id", development.get("party_id"), development)
    set_latest(person, "kind", development.get("kind"), development)
    role = {
        "office": development.get("office"),
        "organisation": development.get("organisation"),
        "negotiation_role": development.get("negotiation_role"),
        "since": development.occurred(),
        "provenance": development.provenance(),
    }
    person["roles"].append(stamped(role, development))
    stamped(person, development)


def apply_statement_made(state: NegotiationState, development: Development) -> None:
    """Record a statement with its quotes; a confirmation or denial marks the outcomes."""
    check_report(state, development)
    speaker_id = str(development.get("speaker_id"))
    require_records(state, "people", [speaker_id], "speaker_id")
    about_ids = development.ids("about_ids")
    require_any_records(state, about_ids, "about_ids")
    statement_id = str(development.get("statement_id"))
    kind = str(development.get("kind"))
    state.statements[statement_id] = stamped(
        {
            "statement_id": statement_id,
            "speaker_id": speaker_id,
            "kind": kind,
            "about_ids": about_ids,
            "quotes": [
                quote
                for source in development.report.get("sources", [])
                for quote in source.get("quotes", [])
            ],
            "occurred": development.occurred(),
            "provenance": development.provenance(),
        },
        development,
    )
    side = str(state.people[speaker_id].get("party_id", ""))
    marked_field = CONFIRMATION_FIELDS.get(kind)
    if not side or marked_field is None:
        return
    for about_id in about_ids:
        if about_id in state.outcomes:
            mark_parties(state.outcomes[about_id], marked_field, [side], development)
    settle_phase(state)


def apply_issue_position_stated(state: NegotiationState, development: Development) -> None:
    """Put an issue on the table, or record a party's position and the issue's status."""
    check_report(state, development)
    party_id = str(development.get("party_id"))
    require_parties(state, [party_id], "party_id")
    issue_id = str(development.get("issue_id"))
    issue = state.issues.setdefault(
        issue_id, {"issue_id": issue_id, "status_history": [], "position_entries": []}
    )
    issue.setdefault("title", "")
    set_latest(issue, "title", development.get("title"), development)
    status = str(development.get("status", "ISSUE_STATUS_UNSPECIFIED"))
    if status == "ISSUE_STATUS_UNSPECIFIED" and not issue["status_history"]:
        status = "ISSUE_STATUS_OPEN"
    if status != "ISSUE_STATUS_UNSPECIFIED":
        issue["status_history"].append(stamped({"status": status}, development))
    if party_id:
        position = {
            "party_id": party_id,
            "position": development.get("position"),
            "provenance": development.provenance(),
        }
        issue["position_entries"].append(stamped(position, development))
    issue["provenance"] = merge_provenance(issue.get("provenance"), development.provenance())
    stamped(issue, development)


def _add_commitment_status(commitment: JsonDict, development: Development) -> None:
    """Append the development's status of a commitment to its history."""
    entry = {
        "status": development.get("status"),
        "reason": development.get("reason"),
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    commitment["status_history"].append(stamped(entry, development))
    commitment["provenance"] = merge_provenance(
        commitment.get("provenance"), development.provenance()
    )


def _check_quantities(development: Development) -> None:
    """Refuse a commitment's figures when inconsistent, or a period that ends before it starts."""
    check_figure(development.get("quantity"), "quantity")
    for index, period in enumerate(development.get("schedule", [])):
        check_figure(period.get("quantity"), f"schedule[{index}].quantity")
        if str(period.get("end_date")) < str(period.get("start_date")):
            raise UnappliedEvent(
                f"schedule[{index}]: end_date {period.get('end_date')} is before"
                f" start_date {period.get('start_date')}"
            )


def apply_commitment_made(state: NegotiationState, development: Development) -> None:
    """Record a commitment, or restate it, with the conditions it waits on and how much it
    commits, in all and period by period."""
    check_report(state, development)
    _check_quantities(development)
    conditions = list(development.get("conditions", []))
    require_parties(
        state,
        [str(development.get("party_id"))] + [str(c.get("party_id", "")) for c in conditions],
        "party_id",
    )
    issue_ids = development.ids("issue_ids") + [str(c.get("issue_id", "")) for c in conditions]
    require_records(state, "issues", issue_ids, "issue_ids")
    commitment_id = str(development.get("commitment_id"))
    waits_on = [str(c.get("commitment_id", "")) for c in conditions]
    require_records(state, "commitments", [c for c in waits_on if c != commitment_id], "conditions")
    commitment = state.commitments.setdefault(
        commitment_id, {"commitment_id": commitment_id, "status_history": []}
    )
    commitment |= {
        "party_id": development.get("party_id"),
        "description": development.get("description"),
        "conditions": conditions,
        "issue_ids": development.ids("issue_ids"),
        "quantity": development.get("quantity", {}),
        "schedule": list(development.get("schedule", [])),
        "goods": development.get("goods"),
    }
    stamped(commitment, development)
    _add_commitment_status(commitment, development)


def apply_commitment_status_changed(state: NegotiationState, development: Development) -> None:
    """Record a commitment's new status: fulfilled, withdrawn, said to be broken."""
    check_report(state, development)
    commitment_id = str(development.get("commitment_id"))
    require_records(state, "commitments", [commitment_id], "commitment_id")
    _add_commitment_status(state.commitments[commitment_id], development)
