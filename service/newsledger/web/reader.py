"""What the page reads over the gRPC API: listings, views, timelines, explanations, samples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.client.ledger_client import LedgerClient
from newsledger.v1 import developments_pb2, negotiation_view_pb2
from newsledger.web.points import Point, parse_instant, timestamp_of
from newsledger.web.series import Sample, Series, build_series, change_days, thin

Record = dict[str, Any]

MAX_ENTRIES = 5000
"""The most timeline entries a page draws; the exports list them all."""
MAX_SAMPLES = 200
"""The most views a chart is drawn from; more change days are thinned evenly."""


def as_dict(message: Message) -> Record:
    """Return a message as protobuf JSON with proto field names."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


@dataclass(frozen=True, slots=True)
class Picture:
    """A negotiation at one point: its view, its timeline, and its history as a series."""

    negotiation_id: str
    point: Point
    as_of: date
    view: Record
    entries: list[Record]
    entries_complete: bool
    series: Series
    sampled_days: int
    change_days: int
    recorded: tuple[str, str] | None

    @property
    def title(self) -> str:
        """Return the negotiation's title, or its id when it has none."""
        return str(self.view.get("title") or self.negotiation_id)


class PageReader:
    """Reads a negotiation for the page, the report, the diff and the exports."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client

    def negotiations(self) -> list[Record]:
        """Return every negotiation's summary."""
        return [as_dict(summary) for summary in self.client.list_negotiations()]

    def view(self, negotiation_id: str, point: Point) -> tuple[Record, date]:
        """Return the view at a point, and the date the server computed it for."""
        response = self.client.negotiation(negotiation_id, **point.request_fields())
        return as_dict(response.view), date.fromisoformat(response.as_of)

    def entries(
        self, negotiation_id: str, point: Point, most: int | None = None
    ) -> Iterator[Record]:
        """Yield the timeline as known at the point, oldest first (at most `most` entries)."""
        fields = point.request_fields()
        stream = self.client.timeline(
            negotiation_id,
            page_size=1000,
            known_at=fields["known_at"],
            reported_by=fields["reported_by"],
        )
        for count, entry in enumerate(stream):
            if most is not None and count >= most:
                return
            yield as_dict(entry)

    def explain(self, negotiation_id: str, field_path: str, point: Point) -> Record:
        """Return why a field of the view says what it says; the value decoded from JSON."""
        fields = point.request_fields()
        response = self.client.explain(negotiation_id, field_path, **fields)
        explanation = as_dict(response)
        explanation["value"] = json.loads(response.value_json or "null")
        return explanation

    def picture(self, negotiation_id: str, point: Point) -> Picture:
        """Return the negotiation at a point, with the views sampled on each change day."""
        view, as_of = self.view(negotiation_id, point)
        entries = list(self.entries(negotiation_id, point, MAX_ENTRIES + 1))
        complete = len(entries) <= MAX_ENTRIES
        entries = entries[:MAX_ENTRIES]
        recorded = _recorded(entries)
        pinned = point.known_at_instant() or (parse_instant(recorded[1]) if recorded else None)
        days = change_days(view, entries, as_of)
        reported_by = point.request_fields()["reported_by"]
        samples = self._samples(negotiation_id, thin(days, MAX_SAMPLES), pinned, view, reported_by)
        return Picture(
            negotiation_id=negotiation_id,
            point=point,
            as_of=as_of,
            view=view,
            entries=entries,
            entries_complete=complete,
            series=build_series(view, samples, as_of),
            sampled_days=len(samples),
            change_days=len(days),
            recorded=recorded,
        )

    def _samples(
        self,
        negotiation_id: str,
        days: list[date],
        pinned: datetime | None,
        view: Record,
        reported_by: Timestamp | None = None,
    ) -> list[Sample]:
        """Return the view on each day, all read at one record time (and publication time, if
        the point has one); the last is `view`."""
        known_at = timestamp_of(pinned) if pinned else None
        samples: list[Sample] = []
        for day in days[:-1]:
            response = self.client.negotiation(
                negotiation_id, as_of=day.isoformat(), known_at=known_at, reported_by=reported_by
            )
            samples.append((day, sample_of(response.view)))
        return [*samples, (days[-1], view)]


def sample_of(view: negotiation_view_pb2.NegotiationView) -> Record:
    """Return what the series reads of a view: its phase and its measures' current state.

    Read field by field rather than converted whole: a long negotiation's view carries every
    measure's history, and converting all of it for each sampled day would dominate the page.
    """
    phase = negotiation_view_pb2.NegotiationPhase.Name(view.phase)
    measures = [
        {
            "measure_id": m.measure_id,
            "measure_type": m.measure_type,
            "description": m.description,
            "status": developments_pb2.MeasureStatus.Name(m.status),
            "in_force": m.in_force,
            "rate_percent": m.rate_percent,
            "rate_phrase": m.rate_phrase,
            "imposed_by": list(m.imposed_by),
            "targets": list(m.targets),
        }
        for m in view.measures
    ]
    return {"phase": phase, "measures": measures}


def _recorded(entries: list[Record]) -> tuple[str, str] | None:
    """Return the first and last record time among the entries (RFC 3339)."""
    times = [str(entry["record_time"]) for entry in entries if entry.get("record_time")]
    if not times:
        return None
    return min(times, key=parse_instant), max(times, key=parse_instant)
