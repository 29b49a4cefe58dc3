"""A negotiation stream's stored events read so far, kept in the process for `reported_by`.

A `reported_by` view needs every event of the stream up to its cut, and which of them had
been reported by the instant. Stored events never change once committed (the store refuses
a replaced row) and a cut is always a committed version, so the events of versions 0..n
read once answer every later cut at or below n; a cut past n reads only the events after n.
Each kept event holds its row (payload as text, decoded again for each fold, which may
change what it decodes) and its report's dates, parsed once (`ReportDates`, immutable),
which decide whether it had been reported by an instant.

The cache is bounded by the number of events kept and by their payload and metadata text
(events may be large), least recently used stream out; a stream over either bound is not
kept and is read in full each time.
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
DEFAULT_MAX_CHARACTERS = 64_000_000
"""At most this much payload and metadata text is kept, over all streams (about 64 MB)."""


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


def _characters(events: Sequence[KeptEvent]) -> int:
    return sum(len(event.row.payload) + len(event.row.metadata) for event in events)


class StreamRows:
    """Stored events by stream, versions 0..n each, bounded by events and by their text,
    least recently used out."""

    def __init__(
        self, max_events: int = DEFAULT_MAX_EVENTS, max_characters: int = DEFAULT_MAX_CHARACTERS
    ) -> None:
        self.max_events = max_events
        self.max_characters = max_characters
        self._streams: OrderedDict[str, tuple[KeptEvent, ...]] = OrderedDict()
        self._count = 0
        self._characters = 0
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
        """Keep a stream's events unless more are kept already or they exceed a bound."""
        characters = _characters(events)
        if len(events) > self.max_events or characters > self.max_characters:
            return
        with self._lock:
            kept = self._streams.get(stream, ())
            if len(kept) >= len(events):
                return
            self._streams[stream] = events
            self._streams.move_to_end(stream)
            self._count += len(events) - len(kept)
            self._characters += characters - _characters(kept)
            while self._count > self.max_events or self._characters > self.max_characters:
                _, dropped = self._streams.popitem(last=False)
                self._count -= len(dropped)
                self._characters -= _characters(dropped)

    def __len__(self) -> int:
        """Return how many events are kept, over all streams."""
        return self._count

    @property
    def characters(self) -> int:
        """Return how much payload and metadata text is kept, over all streams."""
        return self._characters
