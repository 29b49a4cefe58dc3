"""The state as of a date: records derived from only the developments that count by then.

The folded state holds every development, whatever its date. A view as of a date must follow
from what counts by that date alone: names and titles, provenance, confirmations and counts of
sources included. So the records are derived again from the registry without the developments
that count later, and without the sources a later corroboration or a later duplicate brought.
Corrections of facts, dates and retractions apply on every date (the original was wrong all
along); disputes and confirmations carry their own dates and are filtered when rendered.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from newsledger.domain.appliers import NEGOTIATION_OPENED, derive
from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.corrections import set_path
from newsledger.domain.references import earliest_day
from newsledger.domain.registry import CORRECTION_TYPES, MERGED, applied
from newsledger.domain.state import KEYED_SECTIONS, JsonDict, NegotiationState
from newsledger.domain.valid_time import counts_from, counts_on

ATTACHING = "SourceAttached"


def _days(registry: Sequence[JsonDict]) -> list[str]:
    """Return the day each entry's own report counts from ("" for always), in order."""
    return [counts_from(entry["payload"].get("report") or {}) for entry in registry]


def _source_ids(entry: Mapping[str, Any]) -> set[str]:
    """Return the ids of the sources of an entry's report."""
    report = entry["payload"].get("report") or {}
    return {str(source["source_id"]) for source in report.get("sources", [])}


def _late_contributions(
    registry: Sequence[JsonDict], counting: Sequence[bool]
) -> dict[str, JsonDict]:
    """Return, per development id, what entries that count later brought to it.

    A corroboration (SourceAttached) brings its sources to its targets, and a merged duplicate
    brings its sources to the development it was merged into; both are cited in its
    provenance. Each contribution is {"sources": source ids, "by": development ids}.
    `counting[i]` tells whether entry i's own report counts by the date.
    """
    development_of_event = {str(e["event_id"]): str(e["development_id"]) for e in registry}
    late: dict[str, JsonDict] = {}
    for entry, counts in zip(registry, counting, strict=True):
        if counts:
            continue
        if entry["event_type"] == ATTACHING:
            targets = [development_of_event.get(str(e), "") for e in entry["payload"]["corrects"]]
        elif entry["status"] == MERGED:
            targets = [str(entry["merged_into"])]
        else:
            continue
        for target in targets:
            found = late.setdefault(target, {"sources": set(), "by": set()})
            found["sources"] |= _source_ids(entry)
            found["by"].add(str(entry["development_id"]))
    return late


def _without(entry: JsonDict, late: JsonDict) -> JsonDict:
    """Return a copy of an entry without the sources and citations that count later."""
    trimmed = copy.copy(entry)
    payload = trimmed["payload"] = dict(entry["payload"])
    report = payload["report"] = dict(payload.get("report") or {})
    sources = report.get("sources", [])
    report["sources"] = [s for s in sources if s["source_id"] not in late["sources"]]
    for key in ("corrected_by", "merged_from"):
        trimmed[key] = [d for d in entry[key] if d not in late["by"]]
    return trimmed


def _trimmed(registry: Sequence[JsonDict], late: Mapping[str, JsonDict]) -> list[JsonDict]:
    """Return every entry without what the late contributions (`_late_contributions`)
    brought it."""
    return [
        _without(entry, late[str(entry["development_id"])])
        if str(entry["development_id"]) in late
        else entry
        for entry in registry
    ]


def _introduction_counts(introduction: Mapping[str, Any], as_of: date) -> bool:
    """Tell whether a correction that introduced people counts by the date."""
    return counts_on(counts_from(introduction["report"]), as_of)


def _before_introductions(entry: JsonDict, as_of: date) -> JsonDict:
    """Return a copy of an entry as it read before the corrections introducing people that
    count only later: each corrected field takes back its earlier value, latest first."""
    earlier = copy.deepcopy(entry)
    later = [i for i in entry["introductions"] if not _introduction_counts(i, as_of)]
    for introduction in reversed(later):
        set_path(earlier["payload"], str(introduction["field"]), introduction["previous"])
    late_ids = {str(i["development_id"]) for i in later}
    earlier["introductions"] = [i for i in entry["introductions"] if i not in later]
    earlier["corrected_by"] = [d for d in entry["corrected_by"] if d not in late_ids]
    return earlier


def counted_registry(
    registry: Sequence[JsonDict], as_of: date, days: Sequence[str] | None = None
) -> list[JsonDict] | None:
    """Return the registry as it stands by the date, or None when all of it counts by then.

    Sources that a later corroboration or duplicate brought are taken off the developments
    they reached; then developments that count later are left out (the opening never is).
    Corrections stay: they apply on every date, or are filtered by their own dates.
    `days` are the days the entries count from, when known already (a RegistryIndex's).
    """
    counting = [counts_on(day, as_of) for day in (_days(registry) if days is None else days)]
    late_contributions = _late_contributions(registry, counting)
    kept: list[JsonDict] = []
    changed = bool(late_contributions)
    for entry, counts in zip(registry, counting, strict=True):
        late = late_contributions.get(str(entry["development_id"]))
        if late:  # without the sources that count later, it may count later itself
            entry = _without(entry, late)
            counts = counts_on(_days([entry])[0], as_of)
        if any(not _introduction_counts(i, as_of) for i in entry.get("introductions", [])):
            entry = _before_introductions(entry, as_of)
            changed = True
        development = entry["event_type"] not in CORRECTION_TYPES
        if development and entry["event_type"] != NEGOTIATION_OPENED and not counts:
            changed = True
            continue
        kept.append(entry)
    return kept if changed else None


def strings_in(value: Any) -> set[str]:
    """Return every string inside a JSON value."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(strings_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(strings_in(item) for item in value))
    return set()


def creators_of(state: NegotiationState) -> dict[str, int]:
    """Return, per record id, the stream version of the first applied development naming it
    in one of its own id fields (`measure_id`, `outcome_id`, `person_id`…): its creator."""
    records = {record_id for section in KEYED_SECTIONS for record_id in getattr(state, section)}
    creators: dict[str, int] = {}
    for entry in applied(state.developments):
        for name, value in entry["payload"].items():
            if name.endswith("_id") and value in records:
                creators.setdefault(value, int(entry["seq"]))
    return creators


def state_as_of(
    state: NegotiationState, as_of: date, index: RegistryIndex | None = None
) -> NegotiationState:
    """Return the state with records derived from only what counts by the date.

    The state itself is returned when everything counts by the date. A development that
    counts but refers to a record created by one that counts only later (a truce suspending
    a measure known from a later article) proves that record existed: the development that
    created it is taken in too (without the sources later corroborations brought it), and
    nothing else of what counts later.

    An `index` kept with the state knows the day each entry counts from: the current view
    (every entry counting by today) then costs one comparison, not a walk of the registry.
    """
    if index is not None:
        index.of(state.developments)
        if counts_on(index.latest_day, as_of):
            return state
    days = _days(state.developments) if index is None else index.days
    registry = counted_registry(state.developments, as_of, days)
    if registry is None:
        return state
    creators = creators_of(state)
    # A creator taken in comes without what later corroborations brought it, as if it counted.
    late = _late_contributions(state.developments, [counts_on(day, as_of) for day in days])
    by_seq = {int(entry["seq"]): entry for entry in _trimmed(state.developments, late)}
    while True:
        skipped: list[JsonDict] = []
        derived = derive(state, registry, skipped)
        kept = {int(entry["seq"]) for entry in registry}
        wanted: dict[int, str] = {}
        for entry in skipped:
            referred_from = _referrer_counts_from(entry)
            for name in strings_in(entry["payload"]):
                seq = creators.get(name)
                if seq is None or seq >= _seq(entry) or seq in kept:
                    continue
                wanted[seq] = earliest_day(wanted.get(seq, referred_from), referred_from)
        if not wanted:
            return derived
        taken_in = [{**by_seq[seq], "counts_from": day} for seq, day in wanted.items()]
        registry = sorted([*registry, *taken_in], key=_seq)


def _referrer_counts_from(entry: Mapping[str, Any]) -> str:
    """Return the day a development referring to a record counts from (its own, or given)."""
    own = counts_from(entry["payload"].get("report") or {})
    given = entry.get("counts_from")
    return own if given is None else earliest_day(own, str(given))


def _seq(entry: Mapping[str, Any]) -> int:
    return int(entry["seq"])
