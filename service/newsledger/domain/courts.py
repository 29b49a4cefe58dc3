"""Appliers for the legal side: court cases on their dockets, procedural steps, rulings with
their votes and dispositions, and investigations.

A case is one court's docket. A ruling's dispositions may end or block named measures from a
date; each such effect is also written on the measure (`court_effects`), and a later ruling
that stays it on the measure and the stayed ruling's case (`court_stays`, `stays`), so a
measure and a case each render as of a date from their own record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsledger.domain.dates import check_reported_time
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

STAY = "COURT_RULING_KIND_STAY"
EFFECTS = frozenset({"COURT_EFFECT_ENDS", "COURT_EFFECT_BLOCKS"})
"""The effects that change whether a measure applies."""
CONSOLIDATED = "COURT_STEP_KIND_CONSOLIDATED"
ORAL_ARGUMENT_SCHEDULED = "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED"
DOCKET_FIELDS = ("court", "docket_number", "appeal_from_case_id")


def _case(state: NegotiationState, case_id: str) -> JsonDict:
    """Return a case record, created empty when new."""
    case = state.court_cases.setdefault(case_id, {"case_id": case_id, "rulings": []})
    case.setdefault("case_name", "")
    return case


def _rulings_by_id(state: NegotiationState) -> dict[str, JsonDict]:
    """Return every ruling that has an id, with the case holding it, by its id."""
    return {
        str(ruling["ruling_id"]): case
        for case in state.court_cases.values()
        for ruling in case["rulings"]
        if ruling.get("ruling_id")
    }


def _check_time(value: Any, field: str) -> None:
    """Raise UnappliedEvent if a reported time in the payload cannot be read."""
    if not value:
        return
    try:
        check_reported_time(value)
    except (ValueError, KeyError) as error:
        raise UnappliedEvent(f"{field} is not a readable time: {error}") from error


def _check_disposition(
    state: NegotiationState, disposition: Mapping[str, Any], field: str, rulings: Mapping[str, Any]
) -> None:
    """Refuse a disposition whose references or effect cannot be applied."""
    measure_ids = [str(item) for item in disposition.get("measure_ids", [])]
    require_records(state, "measures", measure_ids, f"{field}.measure_ids")
    effect = str(disposition.get("effect", ""))
    if effect in EFFECTS and not measure_ids:
        raise UnappliedEvent(f"{field}.effect {effect} names no measure_ids")
    stayed = str(disposition.get("stays_ruling_id", ""))
    if stayed and disposition.get("kind") != STAY:
        raise UnappliedEvent(f"{field}.stays_ruling_id goes with {STAY}")
    if stayed and stayed not in rulings:
        message = f"{field}.stays_ruling_id refers to unknown rulings: {stayed}"
        raise UnknownReference(message, f"{field}.stays_ruling_id", [stayed])
    _check_time(disposition.get("effective"), f"{field}.effective")
    _check_time(disposition.get("stayed_until"), f"{field}.stayed_until")


def _check_ruling(state: NegotiationState, development: Development) -> None:
    """Refuse, before anything changes, a ruling that refers to what the negotiation lacks."""
    check_report(state, development)
    require_records(state, "measures", development.ids("measure_ids"), "measure_ids")
    rulings = _rulings_by_id(state)
    ruling_id = str(development.get("ruling_id"))
    if ruling_id and ruling_id in rulings:
        raise UnappliedEvent(f"ruling_id {ruling_id} is already a ruling's id")
    vote = development.get("vote") or {}
    if int(vote.get("majority", 0)) < 0 or int(vote.get("dissent", 0)) < 0:
        raise UnappliedEvent("vote counts judges: majority and dissent cannot be negative")
    for index, disposition in enumerate(development.get("dispositions", [])):
        _check_disposition(state, disposition, f"dispositions[{index}]", rulings)


def _effect_entry(
    ruling: Mapping[str, Any], disposition: Mapping[str, Any], development: Development
) -> JsonDict:
    """Return what a disposition does to a measure, as the measure keeps it."""
    entry: JsonDict = {
        "case_id": ruling["case_id"],
        "ruling_id": ruling.get("ruling_id", ""),
        "court": ruling["court"],
        "effect": disposition["effect"],
        "occurred": ruling["occurred"],
    }
    for name in ("effective", "stayed_until"):
        if disposition.get(name):
            entry[name] = disposition[name]
    entry["provenance"] = development.provenance()
    return stamped(entry, development)


def _record_effects(
    state: NegotiationState, ruling: Mapping[str, Any], development: Development
) -> None:
    """Write each ending or blocking disposition on its measures, and each stay on the
    measures and the case of the ruling it stays."""
    cases = _rulings_by_id(state)
    for disposition in ruling["dispositions"]:
        if disposition.get("effect") in EFFECTS:
            for measure_id in disposition["measure_ids"]:
                effects = state.measures[measure_id].setdefault("court_effects", [])
                effects.append(_effect_entry(ruling, disposition, development))
        stayed = str(disposition.get("stays_ruling_id", ""))
        if not stayed:
            continue
        stay: JsonDict = {"ruling_id": stayed, "by_ruling_id": ruling.get("ruling_id", "")}
        if disposition.get("effective"):
            stay["effective"] = disposition["effective"]
        cases[stayed].setdefault("stays", []).append(stamped(dict(stay), development))
        for measure in state.measures.values():
            if any(e.get("ruling_id") == stayed for e in measure.get("court_effects", [])):
                measure.setdefault("court_stays", []).append(stamped(dict(stay), development))


def apply_court_ruling_issued(state: NegotiationState, development: Development) -> None:
    """Add a ruling to its case; the view shows the latest ruling as of its date."""
    _check_ruling(state, development)
    case_id = str(development.get("case_id"))
    case = _case(state, case_id)
    set_latest(case, "case_name", development.get("case_name"), development)
    ruling: JsonDict = {
        "case_id": case_id,
        "court": development.get("court"),
        "kind": development.get("kind"),
        "holding": development.get("holding"),
        "next_step": development.get("next_step"),
        "measure_ids": development.ids("measure_ids"),
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    for name in ("ruling_id", "vote"):
        if development.get(name):
            ruling[name] = development.get(name)
    dispositions = [dict(d) for d in development.get("dispositions", [])]
    if dispositions:
        ruling["dispositions"] = dispositions
    _record_effects(state, {**ruling, "dispositions": dispositions}, development)
    case["rulings"].append(stamped(ruling, development))
    stamped(case, development)


def apply_court_case_docketed(state: NegotiationState, development: Development) -> None:
    """Record a case on a court's docket: its name, court, number, parties, the case below."""
    check_report(state, development)
    measure_ids = development.ids("measure_ids")
    require_records(state, "measures", measure_ids, "measure_ids")
    below = str(development.get("appeal_from_case_id"))
    require_records(state, "court_cases", [below], "appeal_from_case_id")
    case_id = str(development.get("case_id"))
    if below == case_id:
        raise UnappliedEvent(f"appeal_from_case_id {below} is the case itself")
    case = _case(state, case_id)
    set_latest(case, "case_name", development.get("case_name"), development)
    for name in DOCKET_FIELDS:
        set_latest(case, name, development.get(name), development)
    set_latest(case, "parties", [dict(p) for p in development.get("parties", [])], development)
    set_latest(case, "measure_ids", measure_ids, development)
    case["provenance"] = merge_provenance(case.get("provenance"), development.provenance())
    stamped(case, development)


def _check_step(state: NegotiationState, development: Development) -> None:
    """Refuse a step on an unknown case, or fields that do not go with its kind."""
    check_report(state, development)
    case_id, kind = str(development.get("case_id")), str(development.get("kind"))
    require_records(state, "court_cases", [case_id], "case_id")
    joined = development.ids("consolidated_case_ids")
    require_records(state, "court_cases", joined, "consolidated_case_ids")
    if (kind == CONSOLIDATED) != bool(joined):
        raise UnappliedEvent(f"consolidated_case_ids go with {CONSOLIDATED}, and it needs them")
    if case_id in joined:
        raise UnappliedEvent(f"consolidated_case_ids names the case itself: {case_id}")
    if (kind == ORAL_ARGUMENT_SCHEDULED) != bool(development.get("scheduled")):
        raise UnappliedEvent(f"scheduled goes with {ORAL_ARGUMENT_SCHEDULED}, and it needs it")
    _check_time(development.get("scheduled"), "scheduled")


def apply_court_step_taken(state: NegotiationState, development: Development) -> None:
    """Add a procedural step to its case; a consolidation joins every case it names."""
    _check_step(state, development)
    case_id = str(development.get("case_id"))
    case = state.court_cases[case_id]
    step: JsonDict = {
        "kind": development.get("kind"),
        "description": development.get("description"),
        "consolidated_case_ids": development.ids("consolidated_case_ids"),
        "occurred": development.occurred(),
        "provenance": development.provenance(),
    }
    if development.get("scheduled"):
        step["scheduled"] = development.get("scheduled")
    case.setdefault("steps", []).append(stamped(step, development))
    joined = [case_id, *step["consolidated_case_ids"]]
    for member in joined if len(joined) > 1 else []:
        entry = stamped({"case_ids": joined}, development)
        state.court_cases[member].setdefault("consolidations", []).append(entry)
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
