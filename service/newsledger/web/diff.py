"""What changed between two views of a negotiation, and the developments that changed it.

Two points differ in valid time (`as_of`), record time (`known_at`) or both. A development
"moved" between them when it is in one view and not in the other: recorded by one known_at
and not the other, or counted by one as_of and not the other. Each change of the view is
caused by the moved developments that stand behind the changed item (its provenance) or
correct one that does; a change with none is the calendar's own (days remaining, expiry).
Pure: protobuf JSON dicts in, changes out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from newsledger.domain.explain import FieldNotFound, resolve
from newsledger.domain.valid_time import counts_on

Record = Mapping[str, Any]

IGNORED = frozenset({"as_of_date", "last_position"})
"""Top-level fields that differ between any two points and say nothing about the negotiation."""
PROVENANCE_LISTS = frozenset({"development_ids", "source_ids"})
"""Provenance lists, read for causes and not reported as changes themselves."""


@dataclass(frozen=True, slots=True)
class Side:
    """One point of a diff: the view there and the timeline as known there."""

    as_of: date
    known_at: datetime | None
    view: Record
    entries: Sequence[Record]


@dataclass(frozen=True, slots=True)
class Change:
    """One change: its path in the view, added, removed or changed, and what caused it."""

    path: str
    kind: str
    before: Any
    after: Any
    caused_by: tuple[Record, ...] = ()
    development_ids: frozenset[str] = field(default_factory=frozenset)
    in_after: bool = True

    @property
    def explained_at(self) -> str:
        """Return which point's view holds the path: "after", or "before" when it is gone."""
        return "after" if self.in_after else "before"

    def as_dict(self) -> dict[str, Any]:
        """Return the change as JSON-ready data; causes by id, type, day and summary."""
        return {
            "path": self.path,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "caused_by": [cause_summary(entry) for entry in self.caused_by],
            "explained_at": self.explained_at,
        }


def cause_summary(entry: Record) -> dict[str, Any]:
    """Return the fields of a timeline entry that say what it is."""
    return {
        "development_id": entry.get("development_id", ""),
        "event_type": entry.get("event_type", ""),
        "summary": entry.get("summary", ""),
        "counts_from": entry.get("counts_from", ""),
        "record_time": entry.get("record_time", ""),
    }


def _key(item: Any) -> str | None:
    """Return a list item's key: the value of its first `*_id` field."""
    if not isinstance(item, Mapping):
        return None
    key = next((v for k, v in item.items() if k.endswith("_id")), None)
    return key if isinstance(key, str) else None


def _keyed(items: Sequence[Any]) -> dict[str, Any] | None:
    """Return list items by key, or None when some have no key or two share one."""
    keys = [_key(item) for item in items]
    if any(key is None for key in keys) or len(set(keys)) != len(keys):
        return None
    return {str(key): item for key, item in zip(keys, items, strict=True)}


def _ids(provenance: Any) -> frozenset[str]:
    if not isinstance(provenance, Mapping):
        return frozenset()
    return frozenset(str(d) for d in provenance.get("development_ids", []))


@dataclass(frozen=True, slots=True)
class _Found:
    path: str
    kind: str
    before: Any
    after: Any
    ids: frozenset[str]
    in_after: bool = True


def _walk(
    path: str, before: Any, after: Any, ids: frozenset[str], inside_provenance: bool = False
) -> Iterator[_Found]:
    """Yield the changes between two values, each with the provenance around it."""
    if before == after:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        ids = ids | _ids(before.get("provenance")) | _ids(after.get("provenance"))
        names = [*after, *(name for name in before if name not in after)]
        for name in names:
            if (not path and name in IGNORED) or (inside_provenance and name in PROVENANCE_LISTS):
                continue
            child = f"{path}.{name}" if path else name
            old, new = before.get(name), after.get(name)
            if isinstance(old, list) or isinstance(new, list):
                old, new = old or [], new or []  # protobuf JSON leaves empty lists out
            elif (old is None) != (new is None) and isinstance(old or new, Mapping):
                kind = "added" if old is None else "removed"
                found_ids = ids | _ids(_provenance(old or new))
                yield _Found(child, kind, old, new, found_ids, in_after=new is not None)
                continue
            yield from _walk(child, old, new, ids, inside_provenance or name == "provenance")
        return
    if isinstance(before, list) and isinstance(after, list):
        yield from _walk_list(path, before, after, ids, inside_provenance)
        return
    if after is None:
        yield _Found(path, "changed", before, _empty(before), ids, in_after=False)
    else:
        yield _Found(path, "changed", _empty(after) if before is None else before, after, ids)


def _empty(value: Any) -> Any:
    """Return the value protobuf JSON leaves out for a field of value's type."""
    return type(value)() if isinstance(value, bool | int | float | str) else None


def _provenance(value: Any) -> Any:
    return value.get("provenance") if isinstance(value, Mapping) else None


def _walk_list(
    path: str, before: list[Any], after: list[Any], ids: frozenset[str], inside: bool
) -> Iterator[_Found]:
    old, new = _keyed(before), _keyed(after)
    if old is not None and new is not None:
        for key in [*new, *(k for k in old if k not in new)]:
            child = f"{path}[{key}]"
            if key not in old:
                yield _Found(child, "added", None, new[key], ids | _ids(_provenance(new[key])))
            elif key not in new:
                found_ids = ids | _ids(_provenance(old[key]))
                yield _Found(child, "removed", old[key], None, found_ids, in_after=False)
            else:
                yield from _walk(child, old[key], new[key], ids, inside)
        return
    shorter, longer = sorted((before, after), key=len)
    if longer[: len(shorter)] == shorter:
        kind = "added" if longer is after else "removed"
        for index in range(len(shorter), len(longer)):
            item = longer[index]
            old_item, new_item = (None, item) if kind == "added" else (item, None)
            found_ids = ids | _ids(_provenance(item))
            in_after = kind == "added"
            yield _Found(f"{path}[{index}]", kind, old_item, new_item, found_ids, in_after)
        return
    yield _Found(path, "changed", before, after, ids)


def _present(entry: Record, side: Side) -> bool:
    """Tell whether a development stands in the view of a side (counted and applied)."""
    return counts_on(str(entry.get("counts_from", "")), side.as_of)


def moved(before: Side, after: Side) -> list[Record]:
    """Return the developments in exactly one of the two views, in time order.

    A development whose status changed between the points (retracted, merged, corrected) is
    in both: the correction that changed it is the one in exactly one.
    """
    old = {str(e["development_id"]): e for e in before.entries if _present(e, before)}
    new = {str(e["development_id"]): e for e in after.entries if _present(e, after)}
    changed = [e for key, e in new.items() if key not in old]
    changed += [e for key, e in old.items() if key not in new]
    return sorted(changed, key=lambda e: (str(e.get("counts_from", "")), str(e["record_time"])))


def _causes(found: _Found, moved_entries: Sequence[Record]) -> tuple[Record, ...]:
    """Return the moved developments behind a change: in its provenance or correcting it."""
    return tuple(
        entry
        for entry in moved_entries
        if str(entry["development_id"]) in found.ids or found.ids & set(entry.get("corrects", []))
    )


def _explained_ids(found: _Found, before: Side, after: Side) -> _Found:
    """Return the change with the provenance the explanation finds when none was on its way.

    A field such as `phase` holds no provenance of its own: the explanation reads it from
    the latest phase change, and so does the diff.
    """
    if found.ids:
        return found
    ids: frozenset[str] = frozenset()
    for side in (before, after):
        try:
            ids |= _ids(resolve(side.view, found.path)[2])
        except FieldNotFound:
            continue
    return replace(found, ids=ids)


def diff(before: Side, after: Side) -> list[Change]:
    """Return every change from one point's view to the other's, with its causes."""
    moved_entries = moved(before, after)
    found = [
        _explained_ids(f, before, after) for f in _walk("", before.view, after.view, frozenset())
    ]
    return [
        Change(f.path, f.kind, f.before, f.after, _causes(f, moved_entries), f.ids, f.in_after)
        for f in found
    ]
