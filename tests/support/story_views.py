"""Story files folded in memory: views and timelines at any point, for tests without I/O."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import NegotiationState, fold
from newsledger.domain.timeline import TimelineFilter, timeline
from newsledger.domain.view import render_view
from newsledger.stories.story_file import load_story

FIRST_RECORD_TIME = datetime(2030, 1, 1, tzinfo=UTC)


def recorded_story(path: Path) -> list[RecordedEvent]:
    """Return a story's events as if appended one by one, a second apart, from 2030-01-01."""
    story = load_story(path)
    return [
        RecordedEvent(
            event_id=event.event_id,
            stream=story.stream,
            stream_version=number,
            position=number,
            event_type=event.event_type,
            schema_version=event.schema_version,
            payload=copy.deepcopy(dict(event.payload)),
            metadata=event.metadata,
            record_time=FIRST_RECORD_TIME + timedelta(seconds=number),
        )
        for number, event in enumerate(story.events)
    ]


def state_of(events: list[RecordedEvent]) -> NegotiationState:
    """Return the folded state of events (which open a negotiation)."""
    state = fold(events)
    assert state is not None
    return state


def view_at(events: list[RecordedEvent], as_of: date) -> dict[str, Any]:
    """Return the view of the events as of a date (protobuf JSON, as the API sends it)."""
    return render_view(state_of(events), as_of)


def entries_of(events: list[RecordedEvent]) -> list[dict[str, Any]]:
    """Return the timeline entries of the events (protobuf JSON, as the API sends them)."""
    return timeline(state_of(events), TimelineFilter())


def picture_of(events: list[RecordedEvent], as_of: date) -> Any:
    """Return the page's picture of the events as of a date, read in memory as the API would."""
    from newsledger.web.points import Point
    from newsledger.web.reader import Picture
    from newsledger.web.series import build_series, change_days

    view, entries = view_at(events, as_of), entries_of(events)
    days = change_days(view, entries, as_of)
    series = build_series(view, [(day, view_at(events, day)) for day in days], as_of)
    negotiation_id = str(view["negotiation_id"])
    return Picture(
        negotiation_id,
        Point(as_of.isoformat()),
        as_of,
        view,
        entries,
        True,
        series,
        len(days),
        len(days),
        None,
    )
