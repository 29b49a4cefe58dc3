"""Finishing a view's list items once: items unchanged since the previous render are reused.

Finishing (`view._finished`) copies every item and attaches a confirmation to each
provenance; for a long list that is most of a render. An item is reused only when it is
the same, exactly, as when it was finished: the same bytes in `marshal` form (which tells
True from 1 and 1.0, and a list from a tuple), and the same confirmation for each of its
provenances, worked out again now. The finished item is a function of those alone, so a
reused one is the one finishing would build. Only the items of the latest render are kept.

Fast path: ``FinishedItems.finish``. Reference: ``view._finished``. Equivalence test:
``tests/unit/domain/test_view_reuse.py``.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from newsledger.domain.state import JsonDict

MARSHAL_VERSION = 2
"""A version that writes no back-references, so equal items give equal bytes."""


class Confirms(Protocol):
    """What finishing asks of a confirmer."""

    def confirmation(self, provenance: Mapping[str, Any]) -> JsonDict:
        """Return the Confirmation of an item with this provenance."""
        ...


Finisher = Callable[[Any, Confirms], Any]
Asked = tuple[JsonDict, JsonDict]
"""A copy of what a confirmation reads of a provenance (its development and source ids),
and the confirmation it was given."""


class _Recording:
    """A confirmer that notes what each provenance was given (all a confirmation reads)."""

    def __init__(self, confirmer: Confirms) -> None:
        self.confirmer = confirmer
        self.asked: list[Asked] = []

    def confirmation(self, provenance: Mapping[str, Any]) -> JsonDict:
        found = self.confirmer.confirmation(provenance)
        read = {
            "development_ids": list(provenance.get("development_ids", [])),
            "source_ids": list(provenance.get("source_ids", [])),
        }
        self.asked.append((read, found))
        return found


def _same_confirmations(asked: list[Asked], confirmer: Confirms) -> bool:
    """Tell whether each provenance would be given the same confirmation now."""
    return all(confirmer.confirmation(read) == found for read, found in asked)


class FinishedItems:
    """The finished items of a view's top-level lists, by section and exact content.

    Kept with a negotiation's state and used under its lock, one render at a time.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, bytes], tuple[list[Asked], Any]] = {}

    def finish(self, view: JsonDict, confirmer: Confirms, finished: Finisher) -> JsonDict:
        """Return `finished(view, confirmer)`, reusing the finished list items that match."""
        kept: dict[tuple[str, bytes], tuple[list[Asked], Any]] = {}
        lists: dict[str, list[Any]] = {}
        for name, value in view.items():
            if type(value) is not list or not value:
                continue
            items = []
            for item in value:
                if type(item) is not dict:
                    items.append(finished(item, confirmer))
                    continue
                try:
                    key = (name, marshal.dumps(item, MARSHAL_VERSION))
                except ValueError:  # not plain data: finish it every time
                    items.append(finished(item, confirmer))
                    continue
                found = kept.get(key) or self._items.get(key)
                if found is None or not _same_confirmations(found[0], confirmer):
                    recording = _Recording(confirmer)
                    found = (recording.asked, finished(item, recording))
                kept[key] = found
                items.append(found[1])
            lists[name] = items
        self._items = kept
        rest = finished({k: v for k, v in view.items() if k not in lists}, confirmer)
        whole: JsonDict = {}
        for name in view:
            if name in lists:
                if lists[name]:
                    whole[name] = lists[name]
            elif name in rest:
                whole[name] = rest[name]
        return whole
