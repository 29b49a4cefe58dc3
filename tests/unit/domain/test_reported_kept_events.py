"""The kept-events path of `reported_by` gives what the reference gives, field for field.

`reported_state_of` decodes only the events it folds and decides what was reported from each
report's dates parsed once (`ReportDates`); `reported_state` decodes every event and reads
whole reports. Over generated negotiations and instants, both give the same state.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold, render_view
from newsledger.domain.reported import is_reported_by, reported_state, reported_state_of
from newsledger.projections.stream_rows import report_dates
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    negotiations,
    opening,
    people,
    recorded,
    reports,
)

NEGOTIATION = "generated"


def instants() -> st.SearchStrategy[datetime]:
    """Instants over the generated year and a little around it, at any hour."""
    first = datetime.combine(FIRST_DAY - timedelta(days=3), time(), UTC)
    last = datetime.combine(LAST_DAY + timedelta(days=3), time(), UTC)
    return st.datetimes(first.replace(tzinfo=None), last.replace(tzinfo=None)).map(
        lambda moment: moment.replace(tzinfo=UTC)
    )


@st.composite
def varied_reports(draw: st.DrawFn) -> dict[str, Any]:
    """Reports with publication times, dates, none, and `first_reported` spans."""
    report = draw(reports())
    for source in report["sources"]:
        choice = draw(st.sampled_from(["date", "time", "none"]))
        if choice == "time":
            day = source.pop("published_date")
            hour = draw(st.integers(0, 23))
            source["published_time"] = f"{day}T{hour:02d}:30:00Z"
        elif choice == "none":
            source.pop("published_date")
        source["quotes"] = [{"text": "said", "speaker_id": "alice"}]
    if draw(st.booleans()):
        report["first_reported"] = {
            "precision": "DATE_PRECISION_DAY",
            "start_date": draw(st.dates(FIRST_DAY, LAST_DAY)).isoformat(),
        }
    if draw(st.booleans()):
        report.pop("occurred")
    return report


@settings(max_examples=300, deadline=None)
@given(varied_reports(), instants())
def test_a_reports_dates_give_its_verdict(report: dict[str, Any], instant: datetime) -> None:
    text = json.dumps({"report": report, "other": [1, 2]})
    assert report_dates(text).reported_by(instant) == is_reported_by(report, instant)


def _kept_path(
    events: list[RecordedEvent], instant: datetime, full: Any, decoded: list[int]
) -> Any:
    """Run the kept path as the projection does: reports from text, events decoded on call."""
    texts = {event.stream_version: json.dumps(event.payload) for event in events}
    by_version = {event.stream_version: event for event in events}

    def event_at(version: int) -> RecordedEvent:
        decoded.append(version)
        original = by_version[version]
        return RecordedEvent(
            event_id=original.event_id,
            stream=original.stream,
            stream_version=version,
            position=original.position,
            event_type=original.event_type,
            schema_version=original.schema_version,
            payload=json.loads(texts[version]),
            metadata=dict(original.metadata),
            record_time=original.record_time,
        )

    candidates = [
        (event.stream_version, event.event_type, report_dates(texts[event.stream_version]))
        for event in events
    ]
    return reported_state_of(candidates, instant, full, event_at)


def _copied(events: list[RecordedEvent]) -> list[RecordedEvent]:
    """Return the events with payloads of their own (a fold may change what it is given)."""
    return [
        RecordedEvent(
            event_id=e.event_id,
            stream=e.stream,
            stream_version=e.stream_version,
            position=e.position,
            event_type=e.event_type,
            schema_version=e.schema_version,
            payload=json.loads(json.dumps(e.payload)),
            metadata=dict(e.metadata),
            record_time=e.record_time,
        )
        for e in events
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiations(size=14), st.lists(instants(), min_size=1, max_size=4))
def test_the_kept_path_folds_the_state_the_reference_folds(
    developments: list[Any], moments: list[datetime]
) -> None:
    events = recorded(NEGOTIATION, [opening(NEGOTIATION), *people(), *developments])
    full = fold(_copied(events))
    assert full is not None
    for instant in moments:
        reference = reported_state(_copied(events), instant, full)
        decoded: list[int] = []
        kept = _kept_path(events, instant, full, decoded)
        assert reference is not None and kept is not None
        assert kept.to_json() == reference.to_json()
        day = instant.date()
        assert render_view(kept, day) == render_view(reference, day)
        assert len(decoded) == len(set(decoded))


def test_the_kept_path_takes_in_what_the_seed_story_needs_as_the_reference_does() -> None:
    """The seed story has developments reported before the records they refer to."""
    from tests.support.paths import SEED_STORY
    from tests.support.story_views import recorded_story

    events = recorded_story(SEED_STORY)
    full = fold(_copied(events))
    assert full is not None
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    for week in range(0, 60, 3):
        instant = start + timedelta(days=7 * week)
        reference = reported_state(_copied(events), instant, full)
        kept = _kept_path(events, instant, full, [])
        assert reference is not None and kept is not None
        assert kept.to_json() == reference.to_json()
        assert render_view(kept, instant.date()) == render_view(reference, instant.date())
