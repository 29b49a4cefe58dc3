"""The timeline laid out in SVG coordinates: each development a span as wide as its precision.

A development reported to the day is a day wide, one reported to the week a week wide, one
reported to the month a month wide; an undated one is drawn hollow on the day it counts from.
Spans are packed into lanes so none hides another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from newsledger.web.chart import AXIS_HEIGHT, WIDTH, Scale
from newsledger.web.words import next_day, slug, span, when, words

LANE_HEIGHT = 12
MAX_LANES = 40
GAP = 2.0

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Mark:
    """One development on the timeline."""

    x: float
    y: float
    width: float
    css: str
    title: str
    development_id: str


@dataclass(slots=True)
class TimelineChart:
    """The laid-out timeline."""

    width: int
    height: float
    marks: list[Mark]
    ticks: list[tuple[float, str]]
    as_of_x: float


def status_of(entry: Record) -> str:
    """Return what became of a development: active, corrected, retracted or merged."""
    status = words(entry.get("status"), "entry_status")
    if status == "active" and entry.get("corrected_by"):
        return "corrected"
    return status


def placed_span(entry: Record) -> tuple[date, date, bool] | None:
    """Return the days a development is drawn over, and whether it is dated at all."""
    covered = span(entry.get("occurred"))
    if covered:
        return covered[0], covered[1], True
    if entry.get("counts_from"):
        day = date.fromisoformat(str(entry["counts_from"]))
        return day, day, False
    return None


def entry_title(entry: Record) -> str:
    """Return a development's tooltip: when, what, status and sources."""
    lines = [
        f"{when(entry.get('occurred'))}: {entry.get('summary') or entry.get('event_type')}",
        f"{entry.get('event_type')}, {status_of(entry)}",
    ]
    for source in entry.get("sources", []):
        published = source.get("published_date") or source.get("published_time") or "undated"
        lines.append(f"source: {source.get('outlet', '?')}, {published}")
    return "\n".join(lines)


def lay_out_timeline(entries: Sequence[Record], scale: Scale, as_of: date) -> TimelineChart:
    """Return the timeline's marks, packed in lanes, on the chart's scale."""
    lanes: list[float] = []
    marks: list[Mark] = []
    placed = [(placed_span(e), e) for e in entries]
    for where, entry in sorted(
        ((w, e) for w, e in placed if w is not None), key=lambda pair: pair[0][0]
    ):
        start, end, dated = where
        x, x2 = scale.x(start), max(scale.x(next_day(end)), scale.x(start) + 3)
        lane = next((i for i, right in enumerate(lanes) if right + GAP <= x), None)
        if lane is None:
            lane = min(len(lanes), MAX_LANES - 1)
            if lane == len(lanes):
                lanes.append(x2)
        lanes[lane] = max(lanes[lane], x2)
        status = status_of(entry)
        css = f"development status-{status} precision-{slug(_precision(entry), 'precision')}"
        css += "" if dated else " undated"
        css += " later" if start > as_of else ""
        marks.append(
            Mark(
                x,
                AXIS_HEIGHT + lane * LANE_HEIGHT,
                round(x2 - x, 1),
                css,
                entry_title(entry),
                str(entry.get("development_id", "")),
            )
        )
    height = AXIS_HEIGHT + max(len(lanes), 1) * LANE_HEIGHT + 6
    return TimelineChart(WIDTH, height, marks, scale.ticks(), scale.x(as_of))


def _precision(entry: Record) -> str:
    occurred = entry.get("occurred") or {}
    return str(occurred.get("precision") or "DATE_PRECISION_UNKNOWN")


def timeline_range(entries: Sequence[Record]) -> tuple[date, date] | None:
    """Return the first and last day the entries are drawn over."""
    days = [d for w in (placed_span(e) for e in entries) if w for d in (w[0], w[1])]
    return (min(days), max(days)) if days else None
