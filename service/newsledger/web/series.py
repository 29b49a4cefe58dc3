"""Measures, phases, deadlines and rulings over time, from views sampled on change days.

A view as of a date changes only on a day some development starts to count, or a measure's
or truce's own dates begin or end. Views read on those days are therefore the whole history
up to the query date: each stands until the next. Pure: protobuf JSON dicts in, records out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from newsledger.web.words import day_of, next_day, span, words

Record = Mapping[str, Any]
Sample = tuple[date, Record]
"""A view as of a day: it holds from that day until the next sample's."""

TARIFF = "TariffMeasureChanged"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of days [start, end) over which a measure kept one status and rate."""

    start: date
    end: date
    status: str
    in_force: bool
    rate_percent: str
    rate_phrase: str

    @property
    def rate(self) -> Decimal | None:
        """Return the rate as a number, or None when the sources give no figure."""
        try:
            return Decimal(self.rate_percent) if self.rate_percent else None
        except InvalidOperation:
            return None


@dataclass(frozen=True, slots=True)
class Track:
    """One measure over time: what it is and its segments, oldest first."""

    measure_id: str
    measure_type: str
    description: str
    imposed_by: tuple[str, ...]
    targets: tuple[str, ...]
    segments: tuple[Segment, ...]

    @property
    def is_tariff(self) -> bool:
        """Tell whether the measure is a tariff (it has a rate) rather than an export control."""
        return self.measure_type == TARIFF


@dataclass(frozen=True, slots=True)
class Band:
    """A stretch of days [start, end) in one phase."""

    start: date
    end: date
    phase: str


@dataclass(frozen=True, slots=True)
class Marker:
    """A dated thing drawn on the time axis: a deadline, a court ruling or a court step."""

    kind: str
    day: date
    label: str
    path: str
    current: bool = True


@dataclass(frozen=True, slots=True)
class Series:
    """Everything the chart draws, over the days [start, end)."""

    start: date
    end: date
    as_of: date
    bands: tuple[Band, ...]
    tracks: tuple[Track, ...]
    deadlines: tuple[Marker, ...]
    rulings: tuple[Marker, ...]
    truce_span: tuple[date, date] | None


def _dates_of_view(view: Record) -> Iterable[date]:
    """Yield the days on which a view's own dates make it change: effective, expiry."""
    for measure in view.get("measures", []):
        for name in ("effective", "expires"):
            covered = span(measure.get(name))
            if covered:
                yield covered[0]
                yield next_day(covered[1])
    truce = view.get("truce") or {}
    for name in ("effective", "deadline"):
        covered = span(truce.get(name))
        if covered:
            yield covered[0]
            yield next_day(covered[1])


def change_days(view: Record, entries: Iterable[Record], as_of: date) -> list[date]:
    """Return the days up to as_of on which the view can change, oldest first, as_of last."""
    days = {date.fromisoformat(str(e["counts_from"])) for e in entries if e.get("counts_from")}
    days |= set(_dates_of_view(view))
    kept = sorted(day for day in days if day < as_of)
    return [*kept, as_of]


def thin(days: Sequence[date], most: int) -> list[date]:
    """Return at most `most` of the days, evenly spread, always keeping the last."""
    if len(days) <= most:
        return list(days)
    step = len(days) / (most - 1)
    chosen = {days[int(i * step)] for i in range(most - 1)}
    return sorted(chosen | {days[-1]})


def _tracks(samples: Sequence[Sample], as_of: date) -> list[Track]:
    """Return each measure's segments across the samples, equal neighbours merged."""
    order: list[str] = []
    latest: dict[str, Record] = {}
    segments: dict[str, list[Segment]] = {}
    for index, (start, view) in enumerate(samples):
        end = samples[index + 1][0] if index + 1 < len(samples) else next_day(as_of)
        for measure in view.get("measures", []):
            measure_id = str(measure["measure_id"])
            if measure_id not in latest:
                order.append(measure_id)
                segments[measure_id] = []
            latest[measure_id] = measure
            segment = Segment(
                start,
                end,
                str(measure.get("status", "MEASURE_STATUS_UNSPECIFIED")),
                bool(measure.get("in_force")),
                str(measure.get("rate_percent", "")),
                str(measure.get("rate_phrase", "")),
            )
            mine = segments[measure_id]
            if mine and _continues(mine[-1], segment):
                mine[-1] = Segment(mine[-1].start, end, *_values(segment))
            else:
                mine.append(segment)
    return [
        Track(
            measure_id,
            str(latest[measure_id].get("measure_type", "")),
            str(latest[measure_id].get("description", "")),
            tuple(latest[measure_id].get("imposed_by", [])),
            tuple(latest[measure_id].get("targets", [])),
            tuple(segments[measure_id]),
        )
        for measure_id in order
    ]


def _values(segment: Segment) -> tuple[str, bool, str, str]:
    return segment.status, segment.in_force, segment.rate_percent, segment.rate_phrase


def _continues(before: Segment, after: Segment) -> bool:
    return before.end == after.start and _values(before) == _values(after)


def _bands(samples: Sequence[Sample], as_of: date) -> list[Band]:
    """Return the phase over time, equal neighbours merged, unknown phases left out."""
    bands: list[Band] = []
    for index, (start, view) in enumerate(samples):
        end = samples[index + 1][0] if index + 1 < len(samples) else next_day(as_of)
        phase = str(view.get("phase", "NEGOTIATION_PHASE_UNSPECIFIED"))
        if phase == "NEGOTIATION_PHASE_UNSPECIFIED":
            continue
        if bands and bands[-1].phase == phase and bands[-1].end == start:
            bands[-1] = Band(bands[-1].start, end, phase)
        else:
            bands.append(Band(start, end, phase))
    return bands


def deadline_markers(view: Record) -> list[Marker]:
    """Return the truce's deadline and the other deadlines, with the earlier ones they replaced."""
    markers: list[Marker] = []
    truce = view.get("truce") or {}
    name = str(truce.get("name") or truce.get("truce_id") or "truce")
    for index, entry in enumerate(truce.get("deadline_history", [])):
        day = day_of(entry.get("deadline"))
        if day:
            path = f"truce.deadline_history[{index}]"
            markers.append(Marker("deadline", day, f"{name}: earlier deadline", path, False))
    day = day_of(truce.get("deadline"))
    if day:
        markers.append(Marker("deadline", day, f"{name}: deadline", "truce.deadline"))
    for deadline in view.get("deadlines", []):
        key = deadline["deadline_id"]
        subject = str(deadline.get("subject") or key)
        for index, entry in enumerate(deadline.get("history", [])):
            day = day_of(entry.get("deadline"))
            if day:
                path = f"deadlines[{key}].history[{index}]"
                markers.append(Marker("deadline", day, f"{subject}: earlier", path, False))
        day = day_of(deadline.get("deadline"))
        if day:
            markers.append(Marker("deadline", day, subject, f"deadlines[{key}].deadline"))
    return markers


def ruling_markers(view: Record) -> list[Marker]:
    """Return the court rulings and procedural steps counted by the view's date, and the
    oral argument still to come."""
    markers = []
    for case in (view.get("legal_status") or {}).get("cases", []):
        name = str(case.get("case_name") or case["case_id"])
        where = f"legal_status.cases[{case['case_id']}]"
        for index, ruling in enumerate(case.get("rulings", [])):
            day = day_of(ruling.get("occurred"))
            if day:
                court = str(ruling.get("court", ""))
                label = f"{name}: ruling" + (f" by {court}" if court else "") + _vote(ruling)
                markers.append(Marker("ruling", day, label, f"{where}.rulings[{index}]"))
        for index, step in enumerate(case.get("steps", [])):
            day = day_of(step.get("occurred"))
            if day:
                label = f"{name}: {words(step.get('kind'), 'court_step')}"
                markers.append(Marker("court-step", day, label, f"{where}.steps[{index}]"))
        upcoming = case.get("oral_argument_scheduled")
        setters = [i for i, s in enumerate(case.get("steps", [])) if s.get("scheduled") == upcoming]
        day = day_of(upcoming)
        if day and setters:
            path = f"{where}.steps[{setters[-1]}]"
            markers.append(Marker("court-step", day, f"{name}: oral argument", path))
    return markers


def _vote(ruling: Record) -> str:
    """Return a ruling's vote as ", 6\u20133", or "" when none is reported."""
    vote = ruling.get("vote") or {}
    return f", {vote.get('majority', 0)}\u2013{vote.get('dissent', 0)}" if vote else ""


def _truce_span(view: Record) -> tuple[date, date] | None:
    truce = view.get("truce") or {}
    start = day_of(truce.get("effective")) or day_of(truce.get("agreed"))
    end = day_of(truce.get("deadline"))
    return (start, end) if start and end and start <= end else None


def build_series(view: Record, samples: Sequence[Sample], as_of: date) -> Series:
    """Return the chart's series from the view at as_of and the views sampled before it."""
    deadlines, rulings = deadline_markers(view), ruling_markers(view)
    truce_span = _truce_span(view)
    days = [day for day, _ in samples[:1]] + [m.day for m in (*deadlines, *rulings)]
    days += [*(truce_span or ()), as_of]
    start = min(days) - timedelta(days=7)
    end = max(days) + timedelta(days=14)
    return Series(
        start=start,
        end=end,
        as_of=as_of,
        bands=tuple(_bands(samples, as_of)),
        tracks=tuple(_tracks(samples, as_of)),
        deadlines=tuple(deadlines),
        rulings=tuple(rulings),
        truce_span=truce_span,
    )
