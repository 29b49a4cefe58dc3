"""The third time axis: what the press had reported by an instant (`reported_by`).

Record time says when the ledger learned of a development; a story loaded today about last
year is all recorded today. `reported_by` asks instead what had been published by then: a
development, or a correction, counts when one of its sources was published by the instant
(`published_time` at or before it, or `published_date` on or before its UTC date), or its
`first_reported` span had ended by that date. One with neither, but dated, counts once its
`occurred` span has ended; one with no date at all counts always. The opening always counts.
A development reported by then that refers to a record known only from later reports (a
truce suspending a measure first described later) proves that record existed: the
development that created it is taken in too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from newsledger.domain.as_of import creators_of, strings_in
from newsledger.domain.dates import parse_rfc3339
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.valid_time import span_end

OPENING = "NegotiationOpened"


def _published_by(source: Mapping[str, Any], instant: datetime) -> bool | None:
    """Tell whether a source was published by the instant; None when it gives no date."""
    if source.get("published_time"):
        return parse_rfc3339(str(source["published_time"])) <= instant
    if source.get("published_date"):
        return date.fromisoformat(str(source["published_date"])) <= instant.date()
    return None


def is_reported_by(report: Mapping[str, Any], instant: datetime) -> bool:
    """Tell whether a development with this report had been reported by the instant (UTC)."""
    verdicts = [_published_by(source, instant) for source in report.get("sources", [])]
    first = span_end(report.get("first_reported") or {})
    if first is not None:
        verdicts.append(first <= instant.date())
    dated = [verdict for verdict in verdicts if verdict is not None]
    if dated:
        return any(dated)
    occurred = span_end(report.get("occurred") or {})
    return occurred is None or occurred <= instant.date()


@dataclass(frozen=True, slots=True)
class ReportDates:
    """What of a report decides when it was reported, parsed once to be asked many times.

    `published` holds each dated source's publication, a datetime (`published_time`) or a
    date (`published_date`); `first_reported_end` the end of the `first_reported` span; and
    `occurred` the raw `occurred` span, read only when nothing else dates the report.
    """

    published: tuple[datetime | date, ...]
    first_reported_end: date | None
    occurred: Mapping[str, Any]

    @classmethod
    def of(cls, report: Mapping[str, Any]) -> ReportDates:
        """Return the dates of a report, parsed as `is_reported_by` parses them."""
        published: list[datetime | date] = []
        for source in report.get("sources", []):
            if source.get("published_time"):
                published.append(parse_rfc3339(str(source["published_time"])))
            elif source.get("published_date"):
                published.append(date.fromisoformat(str(source["published_date"])))
        first = span_end(report.get("first_reported") or {})
        return cls(tuple(published), first, report.get("occurred") or {})

    def reported_by(self, instant: datetime) -> bool:
        """Tell what `is_reported_by` tells of the report for the instant."""
        day = instant.date()
        for moment in self.published:
            if moment <= instant if isinstance(moment, datetime) else moment <= day:
                return True
        if self.first_reported_end is not None:
            return self.first_reported_end <= day
        if self.published:
            return False
        occurred = span_end(self.occurred)
        return occurred is None or occurred <= day


def reported_by(events: Iterable[RecordedEvent], instant: datetime) -> list[RecordedEvent]:
    """Return the events of developments and corrections reported by the instant, in order."""
    return [
        event
        for event in events
        if event.event_type == OPENING or is_reported_by(event.payload.get("report") or {}, instant)
    ]


def reported_state(
    events: Iterable[RecordedEvent], instant: datetime, full: NegotiationState
) -> NegotiationState | None:
    """Return the state folded from the events reported by the instant.

    `full` is the state folded from all the events: the creators of records come from it.
    """
    events = list(events)
    by_version = {event.stream_version: event for event in events}
    kept = {event.stream_version for event in reported_by(events, instant)}
    applied = {str(entry["event_id"]) for entry in full.developments}
    creators = creators_of(full)
    while True:
        state = fold(by_version[version] for version in sorted(kept))
        refused = {str(problem["event_id"]) for problem in state.problems} if state else set()
        wanted = {
            creators[name]
            for event in events
            if event.stream_version in kept and str(event.event_id) in refused & applied
            for name in strings_in(event.payload)
            if name in creators
            and creators[name] < event.stream_version
            and creators[name] not in kept
            and creators[name] in by_version
        }
        if not wanted:
            return state
        kept |= wanted


Candidate = tuple[int, str, ReportDates]
"""An event as `reported_state_of` first sees it: stream version, type, report dates."""


def reported_state_of(
    candidates: Sequence[Candidate],
    instant: datetime,
    full: NegotiationState,
    event_at: Callable[[int], RecordedEvent],
) -> NegotiationState | None:
    """Return what `reported_state` returns, decoding only the events it folds or reads.

    `candidates` are the stream's events in order, each with its report's dates;
    `event_at(version)` returns that event decoded, called at most once per version.
    When every event had been reported, the answer is the fold of them all: `full` itself,
    which the caller reads and does not change.
    """
    decoded: dict[int, RecordedEvent] = {}

    def event(version: int) -> RecordedEvent:
        if version not in decoded:
            decoded[version] = event_at(version)
        return decoded[version]

    versions = {version for version, _, _ in candidates}
    kept = {
        version
        for version, event_type, dates in candidates
        if event_type == OPENING or dates.reported_by(instant)
    }
    if kept == versions:
        return full
    applied = {str(entry["event_id"]) for entry in full.developments}
    creators = creators_of(full)
    while True:
        state = fold(event(version) for version in sorted(kept))
        refused = {str(problem["event_id"]) for problem in state.problems} if state else set()
        wanted = {
            creators[name]
            for version in sorted(kept)
            if str(event(version).event_id) in refused & applied
            for name in strings_in(event(version).payload)
            if name in creators
            and creators[name] < version
            and creators[name] not in kept
            and creators[name] in versions
        }
        if not wanted:
            return state
        kept |= wanted
