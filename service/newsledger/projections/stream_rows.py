"""A negotiation stream's stored events read so far, kept in the process for `reported_by`.

A `reported_by` view needs every event of the stream up to its cut, and which of them had
been reported by the instant. Stored events never change once committed (the store refuses
a replaced row) and a cut is always a committed version, so the events of versions 0..n
read once answer every later cut at or below n; a cut past n reads only the events after n.
Each kept event holds its row (payload as text, decoded again for each fold, which may
change what it decodes) and its report's dates, parsed once (`ReportDates`, immutable),
which decide whether it had been reported by an instant.

The cache is bounded by the number of events kept, least recently used stream out; a stream
longer than the bound is not kept and is read in full each time.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from newsledger.domain.events import StoredEvent
from newsledger.domain.reported import ReportDates
from newsledger.projections.negotiation_views import events_between

DEFAULT_MAX_EVENTS = 20_000


@dataclass(frozen=True, slots=True)
class KeptEvent:
    """A stored event and its report's dates, which decide when it was reported."""

    row: StoredEvent
    dates: ReportDates


def report_dates(payload_text: str) -> ReportDates:
    """Return the dates of the report in a payload's text."""
    payload = json.loads(payload_text)
    return ReportDates.of(payload.get("report") or {})


def kept_event(row: StoredEvent) -> KeptEvent:
    """Return a stored event with its report's dates parsed."""
    return KeptEvent(row, report_dates(row.payload))


class StreamRows:
    """Stored events by stream, versions 0..n each, bounded by events, least recently used out."""

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.max_events = max_events
        self._streams: OrderedDict[str, tuple[KeptEvent, ...]] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()

    def through(self, conn: Connection, stream: str, last: int) -> Sequence[KeptEvent]:
        """Return the stream's events with versions 0..last (committed), in order."""
        with self._lock:
            kept = self._streams.get(stream, ())
            if kept:
                self._streams.move_to_end(stream)
        if len(kept) > last:
            return kept[: last + 1]
        read = events_between(conn, stream, len(kept), last)
        events = kept + tuple(kept_event(row) for row in read)
        if all(event.row.stream_version == version for version, event in enumerate(events)):
            self._keep(stream, events)
        return events

    def _keep(self, stream: str, events: tuple[KeptEvent, ...]) -> None:
        """Keep a stream's events unless fewer are kept already or they exceed the bound."""
        if len(events) > self.max_events:
            return
        with self._lock:
            kept = self._streams.get(stream, ())
            if len(kept) >= len(events):
                return
            self._streams[stream] = events
            self._streams.move_to_end(stream)
            self._count += len(events) - len(kept)
            while self._count > self.max_events:
                _, dropped = self._streams.popitem(last=False)
                self._count -= len(dropped)

    def __len__(self) -> int:
        """Return how many events are kept, over all streams."""
        return self._count
