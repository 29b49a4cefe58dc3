"""The changes between two rendered views, as paths and new values, and applying them back.

A path names a top-level member of the view (`phase`, `truce`), a member of a top-level
object (`legal_status.cases`), or one record of a list of records by its id
(`statements[s-12]`). A change carries the member's new value, or says it was removed.
Records of a list keep their order by id, as the view renders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

RECORD_IDS = {
    "talks": "talks_id",
    "outcomes": "outcome_id",
    "deadlines": "deadline_id",
    "issues": "issue_id",
    "commitments": "commitment_id",
    "measures": "measure_id",
    "market_reactions": "reaction_id",
    "people": "person_id",
    "statements": "statement_id",
    "investigations": "investigation_id",
    "purchases": "purchase_id",
}
"""Lists of the view whose records are changed one by one, with the member naming each."""

_RECORD_PATH = re.compile(r"(?P<section>[a-z_]+)\[(?P<id>[^\]]+)\]")


@dataclass(frozen=True, slots=True)
class ViewChange:
    """One member of a view that changed: its path and its new value (None when removed)."""

    path: str
    value: Any
    removed: bool = False


def _keyed(records: list[Any], id_member: str) -> dict[str, Any] | None:
    """Return the records by id, or None when some record has no id or two share one."""
    keyed: dict[str, Any] = {}
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get(id_member), str):
            return None
        keyed[record[id_member]] = record
    return keyed if len(keyed) == len(records) else None


def _member_changes(path: str, before: Any, after: Any) -> list[ViewChange]:
    if before == after:
        return []
    if after is None:
        return [ViewChange(path, None, removed=True)]
    return [ViewChange(path, after)]


def _list_changes(name: str, before: list[Any], after: list[Any]) -> list[ViewChange] | None:
    """Return the record-by-record changes of a list, or None when it must go whole."""
    id_member = RECORD_IDS.get(name)
    if id_member is None:
        return None
    old, new = _keyed(before, id_member), _keyed(after, id_member)
    if old is None or new is None:
        return None
    changes: list[ViewChange] = []
    for record_id in sorted(old.keys() | new.keys()):
        changes += _member_changes(f"{name}[{record_id}]", old.get(record_id), new.get(record_id))
    return changes


def view_changes(before: JsonDict, after: JsonDict) -> list[ViewChange]:
    """Return the changes that turn the view ``before`` into ``after``, in path order."""
    changes: list[ViewChange] = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, list) and isinstance(new, list):
            listed = _list_changes(name, old, new)
            if listed is not None:
                changes += listed
                continue
        if isinstance(old, dict) and isinstance(new, dict) and name != "truce":
            for member in sorted(old.keys() | new.keys()):
                changes += _member_changes(f"{name}.{member}", old.get(member), new.get(member))
            continue
        changes += _member_changes(name, old, new)
    return changes


class ChangeError(ValueError):
    """A change names a path the view cannot take."""


def _set_record(view: JsonDict, section: str, record_id: str, change: ViewChange) -> None:
    id_member = RECORD_IDS.get(section)
    if id_member is None:
        raise ChangeError(f"{change.path}: {section} is not a list of records")
    records = [r for r in view.get(section, []) if r.get(id_member) != record_id]
    if not change.removed:
        records.append(change.value)
        records.sort(key=lambda record: str(record[id_member]))
    if records:
        view[section] = records
    else:
        view.pop(section, None)


def apply_view_changes(view: JsonDict, changes: list[ViewChange]) -> JsonDict:
    """Return a copy of ``view`` with ``changes`` applied (raises ChangeError on a bad path)."""
    result = dict(view)
    for change in changes:
        record = _RECORD_PATH.fullmatch(change.path)
        if record is not None:
            _set_record(result, record["section"], record["id"], change)
            continue
        name, _, member = change.path.partition(".")
        if not member:
            if change.removed:
                result.pop(name, None)
            else:
                result[name] = change.value
            continue
        inner = dict(result.get(name) or {})
        if change.removed:
            inner.pop(member, None)
        else:
            inner[member] = change.value
        if inner:
            result[name] = inner
        else:
            result.pop(name, None)
    return result
