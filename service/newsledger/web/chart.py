"""The measures chart laid out in SVG coordinates: phase band, rate steps, status bands, markers.

Pure geometry: the series in, shapes out, each with the text of its tooltip and the view path
(and day) its explanation is found at. The template turns shapes into SVG elements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from newsledger.web.series import Marker, Segment, Series, Track
from newsledger.web.words import slug, words

WIDTH = 960
LABEL_WIDTH = 230
RIGHT_MARGIN = 16
AXIS_HEIGHT = 22
BAND_HEIGHT = 18
ROW_HEIGHT = 18
RATE_HEIGHT = 110
SIDE_TITLE = 22
LABEL_CHARS = 34


@dataclass(frozen=True, slots=True)
class Scale:
    """Days to x coordinates over [start, end)."""

    start: date
    end: date
    left: float = LABEL_WIDTH
    right: float = WIDTH - RIGHT_MARGIN

    def x(self, day: date) -> float:
        """Return the x of the start of a day, clamped to the plot."""
        days = max((self.end - self.start).days, 1)
        fraction = min(max((day - self.start).days / days, 0.0), 1.0)
        return round(self.left + fraction * (self.right - self.left), 1)

    def ticks(self) -> list[tuple[float, str]]:
        """Return labelled ticks: years, months or weeks, whichever gives a readable few."""
        total = (self.end - self.start).days
        if total > 3 * 366:
            days = [date(y, 1, 1) for y in range(self.start.year + 1, self.end.year + 1)]
            return [(self.x(d), str(d.year)) for d in days]
        months = []
        cursor = date(self.start.year, self.start.month, 1)
        while cursor < self.end:
            if cursor > self.start:
                months.append(cursor)
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        if len(months) >= 3:
            step = 1 if len(months) <= 14 else 3
            return [(self.x(d), d.strftime("%b %Y")) for d in months[::step]]
        monday = self.start + timedelta(days=(7 - self.start.weekday()) % 7)
        weeks = [monday + timedelta(weeks=n) for n in range(total // 7 + 1)]
        return [(self.x(d), d.strftime("%d %b")) for d in weeks if d < self.end]


@dataclass(frozen=True, slots=True)
class Shape:
    """A rectangle or a line, with its CSS classes, tooltip and explanation (path on a day)."""

    kind: str
    x: float
    y: float
    x2: float
    y2: float
    css: str
    title: str
    path: str = ""
    day: str = ""
    data: Mapping[str, str] = field(default_factory=dict)

    @property
    def width(self) -> float:
        """Return the shape's width (a rectangle's; at least one pixel)."""
        return max(round(self.x2 - self.x, 1), 1.0)

    @property
    def height(self) -> float:
        """Return the shape's height."""
        return round(self.y2 - self.y, 1)


@dataclass(frozen=True, slots=True)
class Label:
    """A text label at a point, optionally explained."""

    x: float
    y: float
    text: str
    css: str
    title: str = ""
    path: str = ""
    day: str = ""


@dataclass(slots=True)
class Chart:
    """The laid-out chart."""

    width: int
    height: float
    scale: Scale
    shapes: list[Shape]
    labels: list[Label]
    ticks: list[tuple[float, str]]
    measure_ids: list[str]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _nice_ceiling(value: Decimal) -> Decimal:
    """Return a round upper bound for a rate axis: 10, 25, 50, 100, 150, 200…"""
    for bound in (10, 25, 50, 100, 150, 200, 300, 500, 1000):
        if value <= bound:
            return Decimal(bound)
    return value


def _segment_title(track: Track, segment: Segment, names: Mapping[str, str]) -> str:
    until = segment.end - timedelta(days=1)
    status = words(segment.status, "measure_status")
    force = "in force" if segment.in_force else "not in force"
    rate = f"{segment.rate_percent}%" if segment.rate_percent else segment.rate_phrase
    sides = ", ".join(names.get(p, p) for p in track.imposed_by) or "side not reported"
    parts = [f"{track.description or track.measure_id} ({sides})", f"{status}, {force}"]
    parts += [f"rate {rate}"] if rate else []
    parts.append(f"{segment.start.isoformat()} to {until.isoformat()}")
    return "\n".join(parts)


class _Layout:
    """Accumulates shapes top to bottom."""

    def __init__(self, scale: Scale, names: Mapping[str, str]) -> None:
        self.scale = scale
        self.names = names
        self.shapes: list[Shape] = []
        self.labels: list[Label] = []
        self.y = float(AXIS_HEIGHT)
        self.measure_ids: list[str] = []

    def phase_band(self, series: Series) -> None:
        self.labels.append(Label(4, self.y + 13, "phase", "row-label"))
        for band in series.bands:
            x, x2 = self.scale.x(band.start), self.scale.x(band.end)
            phase = words(band.phase, "phase")
            title = f"phase: {phase}, {band.start} to {band.end - timedelta(days=1)}"
            self.shapes.append(
                Shape(
                    "rect",
                    x,
                    self.y,
                    x2,
                    self.y + BAND_HEIGHT,
                    f"phase phase-{slug(band.phase, 'phase')}",
                    title,
                    "phase",
                    band.start.isoformat(),
                )
            )
            if x2 - x > 7 * len(phase):
                self.labels.append(Label(x + 4, self.y + 13, phase, "band-label"))
        self.y += BAND_HEIGHT + 8

    def side(self, title: str, tracks: Sequence[Track]) -> None:
        self.labels.append(Label(4, self.y + 15, title, "side-title"))
        self.y += SIDE_TITLE
        rated = [t for t in tracks if t.is_tariff and any(s.rate is not None for s in t.segments)]
        if rated:
            self.rates(rated)
        for track in tracks:
            self.row(track)
        self.y += 6

    def rates(self, tracks: Sequence[Track]) -> None:
        top, bottom = self.y + 6, self.y + RATE_HEIGHT - 14
        highest = max(s.rate for t in tracks for s in t.segments if s.rate is not None)
        ceiling = _nice_ceiling(highest) if highest > 0 else Decimal(10)

        def y_of(rate: Decimal) -> float:
            return round(bottom - float(rate / ceiling) * (bottom - top), 1)

        for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
            value = ceiling * fraction
            y = y_of(value)
            left, right = self.scale.left, self.scale.right
            self.shapes.append(Shape("line", left, y, right, y, "grid", ""))
            self.labels.append(Label(left - 4, y + 4, f"{value.normalize():f}%", "rate-tick"))
        self.labels.append(Label(4, top + 12, "tariff rate", "row-label"))
        for track in tracks:
            previous: tuple[float, float] | None = None
            for segment in track.segments:
                if segment.rate is None:
                    previous = None
                    continue
                x, x2, y = (
                    self.scale.x(segment.start),
                    self.scale.x(segment.end),
                    y_of(segment.rate),
                )
                state = "in-force" if segment.in_force else "not-in-force"
                if previous is not None and previous[0] == x:
                    self.shapes.append(
                        Shape("line", x, previous[1], x, y, f"rate-step {state}", "")
                    )
                self.shapes.append(
                    Shape(
                        "line",
                        x,
                        y,
                        x2,
                        y,
                        f"rate {state}",
                        _segment_title(track, segment, self.names),
                        f"measures[{track.measure_id}].rate_percent",
                        segment.start.isoformat(),
                        {"measure-id": track.measure_id},
                    )
                )
                previous = (x2, y)
        self.y += RATE_HEIGHT

    def row(self, track: Track) -> None:
        self.measure_ids.append(track.measure_id)
        label = _short(track.description or track.measure_id)
        last = track.segments[-1]
        self.labels.append(
            Label(
                4,
                self.y + 13,
                label,
                "measure-label",
                track.description or track.measure_id,
                f"measures[{track.measure_id}]",
                last.start.isoformat(),
            )
        )
        for segment in track.segments:
            css = f"measure status-{slug(segment.status, 'measure_status')}"
            css += " in-force" if segment.in_force else ""
            self.shapes.append(
                Shape(
                    "rect",
                    self.scale.x(segment.start),
                    self.y + 2,
                    self.scale.x(segment.end),
                    self.y + ROW_HEIGHT - 2,
                    css,
                    _segment_title(track, segment, self.names),
                    f"measures[{track.measure_id}].status",
                    segment.start.isoformat(),
                    {"measure-id": track.measure_id},
                )
            )
        self.y += ROW_HEIGHT

    def markers(self, top: float, series: Series) -> None:
        bottom = self.y
        for marker in (*series.deadlines, *series.rulings):
            self.shapes.append(self._marker(marker, top, bottom))
        x = self.scale.x(series.as_of)
        self.shapes.append(
            Shape("line", x, top, x, bottom + 4, "as-of", f"as of {series.as_of.isoformat()}")
        )
        self.labels.append(
            Label(x + 3, bottom + 13, f"as of {series.as_of.isoformat()}", "as-of-label")
        )
        self.y = bottom + 16

    def _marker(self, marker: Marker, top: float, bottom: float) -> Shape:
        x = self.scale.x(marker.day)
        css = f"marker {marker.kind}" + ("" if marker.current else " earlier")
        return Shape(
            "line",
            x,
            top,
            x,
            bottom,
            css,
            f"{marker.label}: {marker.day.isoformat()}",
            marker.path,
            "",
            {"kind": marker.kind},
        )


def sides_of(tracks: Sequence[Track], parties: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the imposing sides in the parties' order, then others, then "" for none given."""
    order = [str(party["party_id"]) for party in parties]
    order += sorted({p for t in tracks for p in t.imposed_by if p not in order})
    return [*order, ""]


def lay_out(series: Series, parties: Sequence[Mapping[str, Any]], scale: Scale) -> Chart:
    """Return the chart of a series: one group of measures per imposing side."""
    names = {str(p["party_id"]): str(p.get("name") or p["party_id"]) for p in parties}
    layout = _Layout(scale, names)
    if series.truce_span:
        start, end = series.truce_span
        layout.shapes.append(
            Shape("rect", scale.x(start), AXIS_HEIGHT, scale.x(end), 0, "truce-span", "", "", "")
        )
    top = layout.y
    layout.phase_band(series)
    for side in sides_of(series.tracks, parties):
        mine = [t for t in series.tracks if (side in t.imposed_by if side else not t.imposed_by)]
        if mine:
            title = f"measures imposed by {names.get(side, side)}" if side else "side not reported"
            layout.side(title, mine)
    if not series.tracks:
        layout.labels.append(Label(4, layout.y + 14, "no measures reported", "row-label"))
        layout.y += ROW_HEIGHT
    layout.markers(top, series)
    height = layout.y + 8
    shapes = [
        Shape(s.kind, s.x, s.y, s.x2, height - 8, s.css, s.title) if s.css == "truce-span" else s
        for s in layout.shapes
    ]
    return Chart(
        WIDTH,
        height,
        scale,
        shapes,
        layout.labels,
        scale.ticks(),
        list(dict.fromkeys(layout.measure_ids)),
    )
