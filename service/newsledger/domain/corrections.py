"""Corrections as events: each edits registry entries, never the log.

Corroboration attaches sources; a fact correction sets one payload field; a refinement makes a
reported time more precise; a merge folds duplicates into one development; a retraction takes
developments out of the view (and those that referred only to what they set); a dispute or a
confirmation records a party's stance. An editor returns the edited registry or raises
UnappliedEvent; the fold then derives the records again.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from newsledger.domain.appliers import NEGOTIATION_OPENED, derive
from newsledger.domain.references import Development, UnappliedEvent, require_parties
from newsledger.domain.registry import (
    MERGED,
    RETRACTED,
    UNRESOLVED,
    editable_targets,
    replaced,
)
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import is_refinement

Editor = Callable[[NegotiationState, Development], list[JsonDict]]

TIME_FIELDS = {
    "REPORT_TIME_FIELD_OCCURRED": "occurred",
    "REPORT_TIME_FIELD_ANNOUNCED": "announced",
    "REPORT_TIME_FIELD_EFFECTIVE": "effective",
    "REPORT_TIME_FIELD_EXPIRES": "expires",
}
PATH_STEP = re.compile(r"([a-z_][a-z0-9_]*)(?:\[(\d+)\])?")


def _targets(state: NegotiationState, correction: Development, single: bool) -> list[JsonDict]:
    """Return editable copies of the developments a correction names."""
    event_ids = correction.ids("corrects")
    if single and len(event_ids) != 1:
        raise UnappliedEvent("corrects must name exactly one event")
    return editable_targets(state.developments, event_ids)


def _attach_sources(target: JsonDict, sources: list[Any]) -> None:
    """Append sources to a target's report, skipping source ids it already has."""
    report = target["payload"].setdefault("report", {})
    known = {source["source_id"] for source in report.get("sources", [])}
    report["sources"] = [
        *report.get("sources", []),
        *(s for s in sources if s["source_id"] not in known),
    ]


def _corrected(target: JsonDict, correction: Development) -> JsonDict:
    """Note the correction on the target and return it."""
    target["corrected_by"].append(correction.development_id)
    return target


def attach_sources(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Corroboration: the correction's sources now also report each target."""
    targets = _targets(state, correction, single=False)
    for target in targets:
        _attach_sources(target, copy.deepcopy(list(correction.report.get("sources", []))))
        _corrected(target, correction)
    return replaced(state.developments, targets)


def set_path(payload: dict[str, Any], path: str, value: Any) -> None:
    """Set the field at a dotted path with list indexes, e.g. `moves[0].change_percent`."""
    steps = path.split(".")
    holder: Any = payload
    for number, step in enumerate(steps):
        match = PATH_STEP.fullmatch(step)
        if match is None:
            raise UnappliedEvent(f"field {path!r} is not a path such as report.summary")
        name, index = match.group(1), match.group(2)
        last = number == len(steps) - 1
        if index is None and last:
            holder[name] = value
            return
        child = holder.get(name) if isinstance(holder, dict) else None
        if index is not None:
            if not isinstance(child, list) or int(index) >= len(child):
                raise UnappliedEvent(f"field {path!r}: {name} has no item {index}")
            if last:
                child[int(index)] = value
                return
            child = child[int(index)]
        elif child is None:
            child = holder[name] = {}
        if not isinstance(child, dict):
            raise UnappliedEvent(f"field {path!r}: {name} is not an object")
        holder = child


def get_path(payload: dict[str, Any], path: str) -> Any:
    """Return the value at a path `set_path` takes, or None where the payload has none."""
    holder: Any = payload
    for step in path.split("."):
        match = PATH_STEP.fullmatch(step)
        if match is None or not isinstance(holder, dict):
            return None
        holder = holder.get(match.group(1))
        if match.group(2) is not None:
            index = int(match.group(2))
            holder = holder[index] if isinstance(holder, list) and index < len(holder) else None
    return holder


def correct_fact(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Fact correction: one field of the target's payload takes the corrected value.

    People or organisations the correction introduces (`introduces`) are kept with the
    target, with the value the field had before: the target's people are introduced with it
    when the records are derived (see `introduced_people`), and a view as of a date before
    the correction counts reads the target as it was (see `as_of`).
    """
    (target,) = _targets(state, correction, single=True)
    field = str(correction.get("field"))
    people = [dict(person) for person in correction.get("introduces", [])]
    known = sorted({str(p["person_id"]) for p in people if p["person_id"] in state.people})
    if known:
        raise UnappliedEvent(f"introduces {', '.join(known)}, whom the negotiation already has")
    if people:
        target.setdefault("introductions", []).append(
            {
                "development_id": correction.development_id,
                "field": field,
                "previous": copy.deepcopy(get_path(target["payload"], field)),
                "people": people,
                "report": copy.deepcopy(dict(correction.report)),
            }
        )
    set_path(target["payload"], field, correction.get("value"))
    return replaced(state.developments, [_corrected(target, correction)])


def refine_time(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Precision refinement: a reported time of the target becomes more precise."""
    (target,) = _targets(state, correction, single=True)
    field = TIME_FIELDS[str(correction.get("time_field"))]
    report = target["payload"].setdefault("report", {})
    refined = correction.get("refined")
    if field in report and not is_refinement(report[field], refined):
        raise UnappliedEvent(f"the refined {field} is coarser than, or outside, the one reported")
    report[field] = refined
    return replaced(state.developments, [_corrected(target, correction)])


def merge_duplicates(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Merge: duplicates fold into one development, which takes their sources."""
    into_id = str(correction.get("into_event_id"))
    duplicates = _targets(state, correction, single=False)
    (into,) = editable_targets(state.developments, [into_id])
    for duplicate in duplicates:
        if duplicate["event_id"] == into_id:
            raise UnappliedEvent("a development cannot be merged into itself")
        if duplicate["event_type"] != into["event_type"]:
            raise UnappliedEvent(
                f"{duplicate['development_id']} is a {duplicate['event_type']}, "
                f"not a {into['event_type']} like {into['development_id']}"
            )
        duplicate |= {"status": MERGED, "merged_into": into["development_id"]}
        _attach_sources(into, duplicate["payload"].get("report", {}).get("sources", []))
        into["merged_from"].append(duplicate["development_id"])
    return replaced(state.developments, [*duplicates, _corrected(into, correction)])


def retract(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Retraction: the targets leave the view; the log and the registry keep them.

    A development that refers to what only a target set (a statement by a person the target
    introduced) no longer resolves: it stays in the registry, UNRESOLVED, and leaves the
    view too, which is then the view the negotiation would have without the targets. The
    opening is no report and is not retracted.
    """
    targets = _targets(state, correction, single=False)
    for target in targets:
        if target["event_type"] == NEGOTIATION_OPENED:
            raise UnappliedEvent("corrects names the negotiation's opening, which is no report")
        target["status"] = RETRACTED
        _corrected(target, correction)
    registry = replaced(state.developments, targets)
    left_out: list[JsonDict] = []
    derive(state, registry, left_out)
    unresolved = copy.deepcopy(left_out)
    for entry in unresolved:
        entry["status"] = UNRESOLVED
        _corrected(entry, correction)
    return replaced(registry, unresolved)


def _stance(
    state: NegotiationState, correction: Development, key: str, **extra: Any
) -> list[JsonDict]:
    """Record a party's stance (dispute or confirmation) on each target, dated by its report."""
    party_id = str(correction.get("party_id"))
    require_parties(state, [party_id], "party_id")
    targets = _targets(state, correction, single=False)
    for target in targets:
        stance = {"party_id": party_id, "development_id": correction.development_id, **extra}
        target[key].append({**stance, **correction.stamp()})
    return replaced(state.developments, targets)


def dispute(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Dispute: a party gives another account of the targets; both are kept."""
    return _stance(state, correction, "disputes", account=correction.get("account"))


def confirm(state: NegotiationState, correction: Development) -> list[JsonDict]:
    """Confirmation: a party confirms the targets, closing any dispute it raised before."""
    return _stance(state, correction, "confirmations")


EDITORS: dict[str, Editor] = {
    "SourceAttached": attach_sources,
    "FactCorrected": correct_fact,
    "DatePrecisionRefined": refine_time,
    "DuplicatesMerged": merge_duplicates,
    "ReportRetracted": retract,
    "AccountDisputed": dispute,
    "AccountConfirmed": confirm,
}
"""The registry editor of each correction type."""
