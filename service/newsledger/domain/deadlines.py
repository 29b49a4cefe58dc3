"""Appliers for truces and deadlines: a truce's deadline and suspensions, deadlines set, moved
and extended.

A measure a truce suspends carries the truce's id on its suspension (`_truce_id`): the
suspension lasts as long as the truce, so when the truce's deadline passes with no extension
the measure is back as it was before it (see `view_sections.measure`)."""

from __future__ import annotations

from typing import Any

from newsledger.domain.dates import check_reported_time
from newsledger.domain.references import (
    Development,
    UnappliedEvent,
    check_report,
    merge_provenance,
    require_records,
    stamped,
)
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.talks import set_phase
from newsledger.domain.valid_time import span_start


def _deadline_entry(development: Development, deadline: Any, **extra: Any) -> JsonDict:
    """Return one entry of a deadline's history, set by `development`."""
    entry = {"deadline": deadline, "provenance": development.provenance(), **extra}
    return stamped(entry, development)


def _moved_entry(development: Development, **extra: Any) -> JsonDict:
    """Return the entry of a deadline set or moved; set ahead, it carries when it applies."""
    effective = development.report.get("effective")
    if effective:
        check_reported_time(effective)
        extra["effective"] = effective
    return _deadline_entry(development, development.get("deadline"), **extra)


def apply_truce_agreed(state: NegotiationState, development: Development) -> None:
    """Record a truce and suspend the measures it names; the negotiation is in a truce."""
    check_report(state, development)
    suspended = development.ids("suspended_measure_ids")
    require_records(state, "measures", suspended, "suspended_measure_ids")
    truce_id = str(development.get("truce_id"))
    report = development.report
    check_reported_time(report.get("expires", {}))
    state.truces[truce_id] = stamped(
        {
            "truce_id": truce_id,
            "name": development.get("name"),
            "duration_days": development.get("duration_days"),
            "agreed": development.occurred(),
            "effective": report.get("effective", {}),
            "deadline_entries": (
                [_deadline_entry(development, report["expires"])] if "expires" in report else []
            ),
            "suspended_measure_ids": suspended,
            "location": development.get("location", {}),
            "summary": report.get("summary", ""),
            "provenance": development.provenance(),
        },
        development,
    )
    _suspend(state, suspended, truce_id, development)
    set_phase(state, "NEGOTIATION_PHASE_TRUCE", development)


def _suspend(
    state: NegotiationState, measure_ids: list[str], truce_id: str, development: Development
) -> None:
    """Suspend measures under a truce from the report's `effective` day (else when it happened)."""
    report = development.report
    for measure_id in measure_ids:
        measure = state.measures[measure_id]
        measure["status"] = "MEASURE_STATUS_SUSPENDED"
        entry = {
            "status": "MEASURE_STATUS_SUSPENDED",
            "occurred": report.get("effective") or development.occurred(),
            "provenance": development.provenance(),
            "_truce_id": truce_id,
        }
        if report.get("effective"):
            entry["effective"] = report["effective"]
        measure["status_history"].append(stamped(entry, development))
        measure["provenance"] = merge_provenance(measure["provenance"], development.provenance())


def apply_truce_suspensions_added(state: NegotiationState, development: Development) -> None:
    """Add measures to a truce's suspensions from the report's `effective` day; before that
    day they are pending, as any change announced ahead."""
    check_report(state, development)
    truce_id = str(development.get("truce_id"))
    require_records(state, "truces", [truce_id], "truce_id")
    added = development.ids("measure_ids")
    if not added:
        raise UnappliedEvent("measure_ids is empty: name the measures added to the truce")
    require_records(state, "measures", added, "measure_ids")
    truce = state.truces[truce_id]
    already = set(truce["suspended_measure_ids"])
    already |= {m for a in truce.get("suspension_additions", []) for m in a["measure_ids"]}
    twice = sorted(already.intersection(added))
    if twice:
        raise UnappliedEvent(f"truce {truce_id} already suspends {', '.join(twice)}")
    effective = development.report.get("effective")
    addition: JsonDict = {"measure_ids": added, "provenance": development.provenance()}
    if effective:
        check_reported_time(effective)
        addition["effective"] = effective
    truce.setdefault("suspension_additions", []).append(stamped(addition, development))
    truce["provenance"] = merge_provenance(truce["provenance"], development.provenance())
    _suspend(state, added, truce_id, development)


def _deadline_record(state: NegotiationState, development: Development) -> JsonDict:
    """Return the truce or deadline record a deadline development names."""
    truce_id = str(development.get("truce_id"))
    require_records(state, "truces", [truce_id], "truce_id")
    if truce_id:
        record: JsonDict = state.truces[truce_id]
        return record
    deadline_id = str(development.get("deadline_id"))
    if not deadline_id:
        raise UnappliedEvent("a deadline needs a deadline_id or a truce_id")
    return state.deadlines.setdefault(
        deadline_id, {"deadline_id": deadline_id, "deadline_entries": []}
    )


def apply_deadline_set(state: NegotiationState, development: Development) -> None:
    """Set or move a deadline; a truce's deadline moves the truce's own, keeping history."""
    check_report(state, development)
    check_reported_time(development.get("deadline"))
    record = _deadline_record(state, development)
    if "truce_id" not in record:
        record["subject"] = development.get("subject")
        stamped(record, development)
    record["deadline_entries"].append(_moved_entry(development))
    record["provenance"] = merge_provenance(record.get("provenance"), development.provenance())


def apply_deadline_extended(state: NegotiationState, development: Development) -> None:
    """Extend an existing deadline to a later time; the earlier one stays in its history."""
    check_report(state, development)
    check_reported_time(development.get("deadline"))
    deadline_id = str(development.get("deadline_id"))
    if not development.get("truce_id"):
        require_records(state, "deadlines", [deadline_id], "deadline_id")
    record = _deadline_record(state, development)
    if not record["deadline_entries"]:
        raise UnappliedEvent("the deadline extended has no date yet")
    current = span_start(record["deadline_entries"][-1]["deadline"])
    new = span_start(development.get("deadline"))
    if current is not None and (new is None or new < current):
        raise UnappliedEvent(f"{new} is not later than the current deadline {current}")
    entry = _moved_entry(development, extended=True, reason=development.get("reason"))
    record["deadline_entries"].append(entry)
    record["provenance"] = merge_provenance(record.get("provenance"), development.provenance())
