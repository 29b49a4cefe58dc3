"""Appliers for measures and their context: tariffs, export controls, licences, courts."""

from __future__ import annotations

from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    check_report,
    merge_provenance,
    require_any_records,
    require_parties,
    require_records,
)
from newsledger.domain.state import JsonDict, NegotiationState

TARIFF = "TariffMeasureChanged"
EXPORT_CONTROL = "ExportControlChanged"


def _change_measure(
    state: NegotiationState, development: Development, measure_type: str
) -> JsonDict:
    """Create or update a measure of `measure_type` and append its new status to history."""
    check_report(state, development)
    imposed_by, targets = development.ids("imposed_by"), development.ids("targets")
    require_parties(state, imposed_by + targets, "imposed_by/targets")
    measure_id = str(development.get("measure_id"))
    measure = state.measures.get(measure_id)
    if measure is not None and measure["measure_type"] != measure_type:
        raise UnappliedEvent(f"measure_id {measure_id} is a {measure['measure_type']}")
    if measure is None:
        measure = state.measures[measure_id] = {
            "measure_id": measure_id,
            "measure_type": measure_type,
            "status_history": [],
            "licence_decisions": [],
        }
    report = development.report
    status = str(development.get("status"))
    measure.update(
        {
            "description": development.get("description"),
            "status": status,
            "imposed_by": imposed_by or measure.get("imposed_by", []),
            "targets": targets or measure.get("targets", []),
            "legal_basis": development.get("legal_basis") or measure.get("legal_basis", ""),
            "effective": report.get("effective") or measure.get("effective", {}),
            "expires": report.get("expires") or measure.get("expires", {}),
            "provenance": merge_provenance(measure.get("provenance"), development.provenance()),
        }
    )
    measure["status_history"].append(
        {
            "status": status,
            "occurred": report.get("occurred", {}),
            "provenance": development.provenance(),
        }
    )
    return measure


def apply_tariff_measure_changed(state: NegotiationState, development: Development) -> None:
    """Record a tariff measure's new status, rate and goods."""
    measure = _change_measure(state, development, TARIFF)
    for name in ("rate_percent", "rate_phrase"):
        measure[name] = development.get(name) or measure.get(name, "")
    goods = str(development.get("goods"))
    measure["items"] = [goods] if goods else measure.get("items", [])


def apply_export_control_changed(state: NegotiationState, development: Development) -> None:
    """Record an export control's new status, kind and items."""
    measure = _change_measure(state, development, EXPORT_CONTROL)
    measure["export_control_kind"] = development.get("kind")
    measure["items"] = development.ids("items") or measure.get("items", [])


def apply_licence_decision_reported(state: NegotiationState, development: Development) -> None:
    """Attach a licence decision to the export control it was made under."""
    check_report(state, development)
    measure_id = str(development.get("measure_id"))
    require_records(state, "measures", [measure_id], "measure_id")
    measure = state.measures[measure_id]
    if measure["measure_type"] != EXPORT_CONTROL:
        raise UnappliedEvent(f"measure_id {measure_id} is not an export control")
    measure["licence_decisions"].append(
        {
            "decision": development.get("decision"),
            "items": development.ids("items"),
            "count_value": development.get("count_value"),
            "occurred": development.report.get("occurred", {}),
            "provenance": development.provenance(),
        }
    )
    measure["provenance"] = merge_provenance(measure["provenance"], development.provenance())


def apply_court_ruling_issued(state: NegotiationState, development: Development) -> None:
    """Record a ruling as its case's latest and as the latest ruling overall."""
    check_report(state, development)
    measure_ids = development.ids("measure_ids")
    require_records(state, "measures", measure_ids, "measure_ids")
    case_id = str(development.get("case_id"))
    case = state.court_cases.setdefault(case_id, {"case_id": case_id, "ruling_count": 0})
    case["case_name"] = development.get("case_name") or case.get("case_name", "")
    case["ruling_count"] += 1
    case["latest_ruling"] = {
        "case_id": case_id,
        "court": development.get("court"),
        "kind": development.get("kind"),
        "holding": development.get("holding"),
        "next_step": development.get("next_step"),
        "measure_ids": measure_ids,
        "occurred": development.report.get("occurred", {}),
        "provenance": development.provenance(),
    }
    state.latest_ruling_case_id = case_id


def apply_economic_indicator_released(state: NegotiationState, development: Development) -> None:
    """Record an indicator or forecast release; figures stay decimal strings or empty."""
    check_report(state, development)
    indicator_id = str(development.get("indicator_id"))
    state.indicators[indicator_id] = {
        "indicator_id": indicator_id,
        **{
            name: development.get(name)
            for name in ("publisher", "name", "period", "reported_value", "previous_value")
        },
        "unit": development.get("unit"),
        "direction": development.get("direction", "DIRECTION_UNSPECIFIED"),
        "reason": development.get("reason"),
        "released": development.report.get("occurred", {}),
        "provenance": development.provenance(),
    }


def apply_market_moved(state: NegotiationState, development: Development) -> None:
    """Record markets' moves and what the sources attribute them to."""
    check_report(state, development)
    attributed_to = development.ids("attributed_to_ids")
    require_any_records(state, attributed_to, "attributed_to_ids")
    reaction_id = str(development.get("reaction_id"))
    state.market_reactions[reaction_id] = {
        "reaction_id": reaction_id,
        "moves": list(development.get("moves", [])),
        "attributed_to_ids": attributed_to,
        "attribution": development.get("attribution"),
        "occurred": development.report.get("occurred", {}),
        "provenance": development.provenance(),
    }
