"""Appliers for the legal side: court rulings in cases, and investigations."""

from __future__ import annotations

from newsledger.domain.references import (
    Development,
    check_report,
    merge_provenance,
    require_parties,
    require_records,
    set_latest,
    stamped,
)
from newsledger.domain.state import NegotiationState


def apply_court_ruling_issued(state: NegotiationState, development: Development) -> None:
    """Add a ruling to its case; the view shows the latest ruling as of its date."""
    check_report(state, development)
    measure_ids = development.ids("measure_ids")
    require_records(state, "measures", measure_ids, "measure_ids")
    case_id = str(development.get("case_id"))
    case = state.court_cases.setdefault(case_id, {"case_id": case_id, "rulings": []})
    case.setdefault("case_name", "")
    set_latest(case, "case_name", development.get("case_name"), development)
    ruling = {
        "case_id": case_id,
        "court": development.get("court"),
        "kind": development.get("kind"),
        "holding": development.get("holding"),
        "next_step": development.get("next_step"),
        "measure_ids": measure_ids,
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    case["rulings"].append(stamped(ruling, development))
    stamped(case, development)


def apply_investigation_changed(state: NegotiationState, development: Development) -> None:
    """Open an investigation, or record its new status and finding."""
    check_report(state, development)
    party_id, targets = str(development.get("party_id")), development.ids("targets")
    require_parties(state, [party_id, *targets], "party_id/targets")
    investigation_id = str(development.get("investigation_id"))
    record = state.investigations.setdefault(
        investigation_id,
        {
            "investigation_id": investigation_id,
            "opened": development.occurred(),
            "status_history": [],
        },
    )
    for name in ("subject", "authority", "party_id", "legal_basis"):
        record[name] = development.get(name) or record.get(name, "")
    record["targets"] = targets or record.get("targets", [])
    entry = {
        "status": development.get("status"),
        "finding": development.get("finding"),
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    record["status_history"].append(stamped(entry, development))
    record["provenance"] = merge_provenance(record.get("provenance"), development.provenance())
    stamped(record, development)
