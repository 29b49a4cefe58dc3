"""A diff between two points of a negotiation, read over the API and computed here.

It takes two GetNegotiation calls and one ListTimelineEntries per distinct known_at: the
views already carry each item's provenance, and the timeline says when each development
counts and was recorded, so nothing more is needed from the server (see web.diff).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.web.diff import Change, Side, diff
from newsledger.web.points import BadPoint, Point
from newsledger.web.reader import PageReader


def _pair(values: Sequence[str], name: str) -> tuple[str, str]:
    """Return two values of one axis from zero, one or two given; an empty second repeats."""
    cleaned = [value.strip() for value in values]
    if len(cleaned) > 2:
        raise BadPoint(name, f"give at most two values, not {len(cleaned)}")
    first = cleaned[0] if cleaned else ""
    second = cleaned[1] if len(cleaned) == 2 and cleaned[1] else first
    return first, second


DIFF_AXES = ("as_of", "known_at")
"""The axes two points of a diff may differ on (the Compare form offers these)."""


@dataclass(frozen=True, slots=True)
class DiffRequest:
    """The two points to compare."""

    before: Point
    after: Point

    @classmethod
    def from_lists(cls, as_of: Sequence[str], known_at: Sequence[str]) -> DiffRequest:
        """Pair up the as_of and known_at values given (one value serves both points)."""
        as_of_pair, known_pair = _pair(as_of, "as_of"), _pair(known_at, "known_at")
        before = Point(as_of_pair[0], known_pair[0])
        after = Point(as_of_pair[1], known_pair[1])
        if before == after:
            raise BadPoint(
                "as_of", "the two points are the same: give two as_of or two known_at values"
            )
        return cls(before, after)


@dataclass(frozen=True, slots=True)
class DiffResult:
    """The two points (dates as the server resolved them) and the changes between them."""

    before: Point
    after: Point
    changes: list[Change]

    def as_dict(self) -> dict[str, object]:
        """Return the diff as JSON-ready data."""
        return {
            "before": {"as_of": self.before.as_of, "known_at": self.before.known_at},
            "after": {"as_of": self.after.as_of, "known_at": self.after.known_at},
            "changes": [change.as_dict() for change in self.changes],
        }


def read_diff(reader: PageReader, negotiation_id: str, wanted: DiffRequest) -> DiffResult:
    """Read both points and return what changed from the first to the second."""
    sides, points = [], []
    timelines: dict[str, list[dict[str, object]]] = {}
    for point in (wanted.before, wanted.after):
        view, as_of = reader.view(negotiation_id, point)
        if point.known_at not in timelines:
            timelines[point.known_at] = list(reader.entries(negotiation_id, point))
        sides.append(Side(as_of, point.known_at_instant(), view, timelines[point.known_at]))
        points.append(point.with_changes(as_of=as_of.isoformat()))
    return DiffResult(points[0], points[1], diff(sides[0], sides[1]))
