"""Why the view says what it says: a field's value and the developments behind it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from newsledger.domain.as_of import state_as_of
from newsledger.domain.confirmation import Confirmer
from newsledger.domain.registry import entry_by_development_id
from newsledger.domain.state import JsonDict, NegotiationState

STEP = re.compile(r"([a-z_]+)((?:\[[^\[\]]+\])*)")
ALIASES = {"phase": "phase_history[-1]"}
"""Fields whose provenance lives elsewhere: the phase is set by the latest phase change."""

FROM_STATUS_HISTORY = frozenset(
    {"status", "rate_percent", "rate", "effective", "suspended_until", "suspended_part"}
    | {"resumes", "withdrawn"}
)
"""Fields of a record with a status history that its latest entry giving them sets: a
measure's status, rate (or fee figure), effective date and the day a suspension ends are
explained by that change alone, not by every development of the measure. The entry gives the
value the record shows (after a lapsed suspension, the status is the one before it);
`withdrawn` is set by the withdrawal."""


class FieldNotFound(ValueError):
    """A well-formed field path names nothing in the view."""


class InvalidFieldPath(ValueError):
    """A field path is malformed: not fields, ids and indexes in the documented form."""


def _steps(path: str) -> list[str | int]:
    """Split a path such as `measures[t1].status_history[0]` into names, keys and indexes."""
    steps: list[str | int] = []
    for part in path.split(".") if path else []:
        match = STEP.fullmatch(part)
        if match is None:
            raise InvalidFieldPath(f"{path!r} is not a path such as truce.deadline or measures[id]")
        steps.append(match.group(1))
        for key in re.findall(r"\[([^\[\]]+)\]", match.group(2)):
            steps.append(int(key) if re.fullmatch(r"-?\d+", key) else key)
    if not steps:
        raise InvalidFieldPath("the field path is empty")
    return steps


def _item(items: list[Any], key: str | int, path: str) -> Any:
    """Return a list item by index, or the one whose `*_id` field equals the key."""
    if isinstance(key, int):
        if -len(items) <= key < len(items):
            return items[key]
    else:
        for item in items:
            if isinstance(item, Mapping) and any(
                name.endswith("_id") and value == key for name, value in item.items()
            ):
                return item
    raise FieldNotFound(f"{path!r}: no item {key!r} in the view")


def _sets(entry: Mapping[str, Any], item: Mapping[str, Any], field: str) -> bool:
    """Tell whether a status entry gives the value the item shows for a field."""
    if field == "withdrawn":
        return entry.get("status") == "MEASURE_STATUS_WITHDRAWN"
    return bool(entry.get(field)) and entry.get(field) == item.get(field)


def _setting_entry(item: Mapping[str, Any], field: str) -> int | None:
    """Return the index of the status entry that set an item's field, or None."""
    history = item.get("status_history")
    if field not in FROM_STATUS_HISTORY or not isinstance(history, list):
        return None
    for index in range(len(history) - 1, -1, -1):
        entry = history[index]
        if isinstance(entry, Mapping) and entry.get("provenance") and _sets(entry, item, field):
            return index
    return None


def resolve(view: Mapping[str, Any], path: str) -> tuple[Any, str, Mapping[str, Any]]:
    """Return a field's value, the path of the item explaining it, and that item's provenance."""
    value: Any = view
    walked, explained_by, provenance = "", "", {}
    for step in _steps(ALIASES.get(path, path)):
        setter = None
        if isinstance(step, str) and isinstance(value, Mapping):
            if step not in value:
                missing = f"{walked}.{step}" if walked else step
                raise FieldNotFound(f"{path!r}: the view has no {missing!r} on this date")
            setter = _setting_entry(value, step)
            if setter is not None:
                explained_by = f"{walked}.status_history[{setter}]"
                provenance = value["status_history"][setter]["provenance"]
            value = value[step]
            walked += f".{step}" if walked else step
        elif isinstance(value, list):
            value = _item(value, step, path)
            walked += f"[{step}]"
        else:
            raise FieldNotFound(f"{path!r}: {walked!r} has no field {step!r}")
        if isinstance(value, Mapping) and value.get("provenance") and setter is None:
            explained_by, provenance = walked, value["provenance"]
    if path in ALIASES:
        value = view.get(path)
    return value, explained_by, provenance


def explain(state: NegotiationState, view: Mapping[str, Any], path: str, as_of: date) -> JsonDict:
    """Return the explanation of one field of a view rendered from `state` as of a date."""
    value, explained_by, provenance = resolve(view, path)
    state = state_as_of(state, as_of)
    entries = entry_by_development_id(state.developments)
    confirmer = Confirmer(state.developments, state.party_ids(), as_of)
    developments = []
    for development_id in provenance.get("development_ids", []):
        entry = entries.get(development_id)
        if entry is None:
            continue
        report = entry["payload"].get("report", {})
        sources = list(report.get("sources", []))
        own = {"development_ids": [development_id], "source_ids": [s["source_id"] for s in sources]}
        developments.append(
            {
                "development_id": development_id,
                "event_id": entry["event_id"],
                "event_type": entry["event_type"],
                "occurred": report.get("occurred", {}),
                "record_time": entry["recorded_at"],
                "summary": report.get("summary", ""),
                "sources": sources,
                "corrected_by": entry["corrected_by"],
                "confirmation": confirmer.confirmation(own),
                "_seq": entry["seq"],
            }
        )
    developments.sort(key=lambda development: int(development.pop("_seq")))
    return {
        "field_path": path,
        "value": value,
        "explained_by_path": explained_by,
        "developments": developments,
        "confirmation": provenance.get("confirmation", {}),
        "as_of": as_of.isoformat(),
    }
