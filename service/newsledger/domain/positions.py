"""Appliers for who says what: people and roles, statements, issue positions, commitments."""

from __future__ import annotations

from newsledger.domain.references import (
    Development,
    check_report,
    merge_provenance,
    require_any_records,
    require_parties,
    require_records,
)
from newsledger.domain.state import NegotiationState

CONFIRMATION_FIELDS = {
    "STATEMENT_KIND_CONFIRMATION": "confirmed_by",
    "STATEMENT_KIND_DENIAL": "denied_by",
}
"""The outcome field a statement of each kind adds the speaker's party to."""


def apply_person_role_assigned(state: NegotiationState, development: Development) -> None:
    """Add a person, or a further role of a known person."""
    person_id = str(development.get("person_id"))
    check_report(state, development, person_id)
    require_parties(state, [str(development.get("party_id"))], "party_id")
    person = state.people.setdefault(person_id, {"person_id": person_id, "roles": []})
    person["name"] = development.get("name")
    person["party_id"] = development.get("party_id")
    person["roles"].append(
        {
            "office": development.get("office"),
            "organisation": development.get("organisation"),
            "negotiation_role": development.get("negotiation_role"),
            "provenance": development.provenance(),
        }
    )


def apply_statement_made(state: NegotiationState, development: Development) -> None:
    """Record a statement with its quotes; a confirmation or denial marks the outcomes."""
    check_report(state, development)
    speaker_id = str(development.get("speaker_id"))
    require_records(state, "people", [speaker_id], "speaker_id")
    about_ids = development.ids("about_ids")
    require_any_records(state, about_ids, "about_ids")
    statement_id = str(development.get("statement_id"))
    kind = str(development.get("kind"))
    state.statements[statement_id] = {
        "statement_id": statement_id,
        "speaker_id": speaker_id,
        "kind": kind,
        "about_ids": about_ids,
        "quotes": [
            quote
            for source in development.report.get("sources", [])
            for quote in source.get("quotes", [])
        ],
        "occurred": development.report.get("occurred", {}),
        "provenance": development.provenance(),
    }
    side = str(state.people[speaker_id].get("party_id", ""))
    marked_field = CONFIRMATION_FIELDS.get(kind)
    if not side or marked_field is None:
        return
    for about_id in about_ids:
        outcome = state.outcomes.get(about_id)
        if outcome is not None and side not in outcome[marked_field]:
            outcome[marked_field] = sorted([*outcome[marked_field], side])
            outcome["provenance"] = merge_provenance(
                outcome["provenance"], development.provenance()
            )


def apply_issue_position_stated(state: NegotiationState, development: Development) -> None:
    """Put an issue on the table, or record a party's position and the issue's status."""
    check_report(state, development)
    party_id = str(development.get("party_id"))
    require_parties(state, [party_id], "party_id")
    issue_id = str(development.get("issue_id"))
    issue = state.issues.setdefault(
        issue_id, {"issue_id": issue_id, "status": "ISSUE_STATUS_OPEN", "positions": []}
    )
    issue["title"] = development.get("title")
    status = str(development.get("status", "ISSUE_STATUS_UNSPECIFIED"))
    if status != "ISSUE_STATUS_UNSPECIFIED":
        issue["status"] = status
    if party_id:
        positions = [p for p in issue["positions"] if p["party_id"] != party_id]
        positions.append(
            {
                "party_id": party_id,
                "position": development.get("position"),
                "provenance": development.provenance(),
            }
        )
        issue["positions"] = sorted(positions, key=lambda position: str(position["party_id"]))
    issue["provenance"] = merge_provenance(issue.get("provenance"), development.provenance())


def apply_commitment_made(state: NegotiationState, development: Development) -> None:
    """Record a commitment, or a change of its status, with the conditions it waits on."""
    check_report(state, development)
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
    earlier = state.commitments.get(commitment_id, {})
    state.commitments[commitment_id] = {
        "commitment_id": commitment_id,
        "party_id": development.get("party_id"),
        "description": development.get("description"),
        "status": development.get("status"),
        "conditions": conditions,
        "issue_ids": development.ids("issue_ids"),
        "provenance": merge_provenance(earlier.get("provenance"), development.provenance()),
    }
