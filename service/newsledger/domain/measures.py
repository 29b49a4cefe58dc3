"""Appliers for trade measures: tariffs, export controls, licence decisions, entity lists.

Every change of a measure is a status entry dated by its development, carrying what that
development says (rate, legal basis, dates), so the view can say what held on any date.
"""

from __future__ import annotations

from decimal import Decimal

from newsledger.domain.dates import check_reported_time
from newsledger.domain.figures import check_figure
from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    UnknownReference,
    check_report,
    merge_provenance,
    require_parties,
    require_records,
    set_latest,
    stamped,
)
from newsledger.domain.state import JsonDict, NegotiationState

TARIFF = "TariffMeasureChanged"
EXPORT_CONTROL = "ExportControlChanged"
ENTRY_FIELDS = (
    "rate_percent",
    "rate_phrase",
    "rate",
    "legal_basis",
    "suspended_until",
    "suspended_part",
)
SUSPENDED = "MEASURE_STATUS_SUSPENDED"
SUSPENSION_FIELDS = ("suspended_until", "suspended_part")
REPORT_TIMES = ("announced", "effective", "expires")


def _measure(
    state: NegotiationState, development: Development, measure_type: str, create: bool = True
) -> JsonDict:
    """Return the measure a development names, creating it when new; check its parties."""
    check_report(state, development)
    imposed_by, targets = development.ids("imposed_by"), development.ids("targets")
    require_parties(state, imposed_by + targets, "imposed_by/targets")
    measure_id = str(development.get("measure_id"))
    measure = state.measures.get(measure_id)
    if measure is not None and measure["measure_type"] != measure_type:
        raise UnappliedEvent(f"measure_id {measure_id} is a {measure['measure_type']}")
    if measure is None:
        if not create:
            message = f"measure_id refers to unknown measures: {measure_id}"
            raise UnknownReference(message, "measure_id", [measure_id])
        measure = state.measures[measure_id] = {
            "measure_id": measure_id,
            "measure_type": measure_type,
            "status_history": [],
            "licence_decisions": [],
            "entity_list_actions": [],
        }
    measure.setdefault("description", "")
    set_latest(measure, "description", development.get("description"), development)
    set_latest(measure, "imposed_by", imposed_by, development)
    set_latest(measure, "targets", targets, development)
    measure.setdefault("imposed_by", [])
    measure.setdefault("targets", [])
    measure["provenance"] = merge_provenance(measure.get("provenance"), development.provenance())
    stamped(measure, development)
    return measure


WITHDRAWN = "MEASURE_STATUS_WITHDRAWN"
WITHDRAWABLE = frozenset({"MEASURE_STATUS_THREATENED", "MEASURE_STATUS_ANNOUNCED", WITHDRAWN})
"""The statuses a measure may have held and still be withdrawn: never put in force."""


def _check_withdrawal(measure: JsonDict, status: str) -> None:
    """Refuse to withdraw a measure that was put in force: such a measure is ended."""
    held = [entry["status"] for entry in measure["status_history"]]
    if status == WITHDRAWN and any(entry not in WITHDRAWABLE for entry in held):
        raise UnappliedEvent(
            f"measure {measure['measure_id']} was put in force (or suspended), so it cannot be"
            " withdrawn: a measure that was in force is MEASURE_STATUS_ENDED"
        )


def _add_status(measure: JsonDict, status: str, development: Development) -> None:
    """Append a status entry carrying what the development says about the measure."""
    entry: JsonDict = {"status": status, "occurred": development.occurred()}
    entry |= {name: development.get(name) for name in ENTRY_FIELDS if development.get(name)}
    report = development.report
    entry |= {name: report[name] for name in REPORT_TIMES if report.get(name)}
    entry["provenance"] = development.provenance()
    measure["status"] = status
    measure["status_history"].append(stamped(entry, development))


def _check_change(state: NegotiationState, development: Development) -> None:
    """Refuse, before anything changes, a change the measure's status cannot take: a
    suspension's end or part on another status, a withdrawal of a measure that was in force."""
    status = str(development.get("status"))
    named = [name for name in SUSPENSION_FIELDS if development.get(name)]
    if named and status != SUSPENDED:
        raise UnappliedEvent(f"{' and '.join(named)} go with {SUSPENDED}, not {status}")
    if development.get("suspended_until"):
        check_reported_time(development.get("suspended_until"))
    rate = development.get("rate")
    check_figure(rate, "rate")
    parts = [str(part.get("measure_id", "")) for part in (rate or {}).get("components", [])]
    require_records(state, "measures", parts, "rate.components.measure_id")
    measure = state.measures.get(str(development.get("measure_id")))
    if measure is not None:
        _check_withdrawal(measure, str(development.get("status")))


def apply_tariff_measure_changed(state: NegotiationState, development: Development) -> None:
    """Record a tariff measure's new status, rate and goods."""
    _check_change(state, development)
    measure = _measure(state, development, TARIFF)
    measure.setdefault("items", [])
    set_latest(measure, "items", development.ids("items"), development)
    _add_status(measure, str(development.get("status")), development)


def apply_export_control_changed(state: NegotiationState, development: Development) -> None:
    """Record an export control's new status, kind and items."""
    _check_change(state, development)
    _check_extended_list(state, development)
    measure = _measure(state, development, EXPORT_CONTROL)
    measure["export_control_kind"] = development.get("kind")
    set_latest(measure, "extends_measure_id", development.get("extends_measure_id"), development)
    measure["items"] = development.ids("items") or measure.get("items", [])
    _add_status(measure, str(development.get("status")), development)


LISTING_RULE = "EXPORT_CONTROL_KIND_LISTING_RULE"


def _check_extended_list(state: NegotiationState, development: Development) -> None:
    """Refuse a list a listing rule extends that is unknown, not an export control, or named
    by a control that is not a listing rule."""
    extended = str(development.get("extends_measure_id"))
    if not extended:
        return
    if development.get("kind") != LISTING_RULE:
        raise UnappliedEvent(f"extends_measure_id goes with {LISTING_RULE}")
    require_records(state, "measures", [extended], "extends_measure_id")
    if state.measures[extended]["measure_type"] != EXPORT_CONTROL:
        raise UnappliedEvent(f"extends_measure_id {extended} is not an export control")


def apply_licence_decision_reported(state: NegotiationState, development: Development) -> None:
    """Attach a licence decision to the export control it was made under."""
    check_report(state, development)
    measure_id = str(development.get("measure_id"))
    require_records(state, "measures", [measure_id], "measure_id")
    measure = state.measures[measure_id]
    if measure["measure_type"] != EXPORT_CONTROL:
        raise UnappliedEvent(f"measure_id {measure_id} is not an export control")
    terms = list(development.get("terms", []))
    for index, term in enumerate(terms):
        check_figure(term.get("figure"), f"terms[{index}].figure")
    beneficiaries = [str(term.get("beneficiary_party_id", "")) for term in terms]
    require_parties(state, beneficiaries, "terms.beneficiary_party_id")
    decision = {
        "decision": development.get("decision"),
        "items": development.ids("items"),
        "count_value": development.get("count_value"),
        "company": development.get("company"),
        "terms": terms,
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    measure["licence_decisions"].append(stamped(decision, development))
    measure["provenance"] = merge_provenance(measure["provenance"], development.provenance())


def apply_entity_list_changed(state: NegotiationState, development: Development) -> None:
    """Add or remove entities on an entity list; a new list is an export control in force.

    The sources may name the entities, give only their number (`count_value`), or both.
    """
    entities = [str(entity) for entity in development.get("entities", [])]
    count = development.get("count_value")
    if not entities and not count:
        raise UnappliedEvent("an entity-list action names its entities or gives count_value")
    if count and Decimal(str(count)) != Decimal(str(count)).to_integral_value():
        raise UnappliedEvent(f"count_value {count} is not a whole number of entities")
    if count and Decimal(str(count)) < len(entities):
        raise UnappliedEvent(
            f"count_value {count} is fewer than the {len(entities)} entities named"
        )
    measure = _measure(state, development, EXPORT_CONTROL)
    measure["export_control_kind"] = "EXPORT_CONTROL_KIND_ENTITY_LIST"
    if development.get("legal_basis"):
        measure["legal_basis"] = development.get("legal_basis")
    if not measure["status_history"]:
        _add_status(measure, "MEASURE_STATUS_IN_FORCE", development)
    action = {
        "action": development.get("action"),
        "entities": entities,
        "count_value": count,
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    measure["entity_list_actions"].append(stamped(action, development))
