"""`reported_by` views from the stream's kept events equal the reference, on each backend.

The queries keep each stream's events read so far (`StreamRows`); the reference reads and
decodes the whole stream for each view. Over generated negotiations, asked at record-time
cuts before and after more appends (so the kept events are reused, cut short and extended),
both give the same view and the same state.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.queries import NegotiationQueries
from newsledger.bootstrap import build_application
from newsledger.projections.stream_rows import StreamRows
from newsledger.store.event_store import EventStore
from tests.integration.test_valid_time_properties import Clock, append_all
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    Development,
    negotiations,
    opening,
    people,
)


def _reference(app: Application) -> NegotiationQueries:
    """Return queries on the same store that read the whole stream for every view."""
    queries = NegotiationQueries(app.store, app.queries.notifier, now=app.queries.now)
    queries.rows = None  # type: ignore[assignment]
    return queries


def _same_answers(
    app: Application, reference: NegotiationQueries, negotiation_id: str, asks: list[tuple]
) -> None:
    for known_at, instant in asks:
        day = instant.date()
        kept_view = app.queries.view(negotiation_id, day, known_at, instant)
        assert kept_view == reference.view(negotiation_id, day, known_at, instant)
        with app.queries.stored(negotiation_id, known_at, reported_by=instant) as kept:
            kept_state = kept.state.to_json()
        with reference.stored(negotiation_id, known_at, reported_by=instant) as stored:
            assert kept_state == stored.state.to_json()


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    negotiations(size=8),
    negotiations(size=4),
    st.lists(st.dates(FIRST_DAY, LAST_DAY), min_size=2, max_size=4),
)
def test_views_from_kept_events_equal_the_reference(
    engine: Engine, first: list[Development], more: list[Development], days: list
) -> None:
    clock = Clock()
    app = build_application(EventStore(engine, clock=clock.micros))
    reference = _reference(app)
    negotiation_id = f"kept-{uuid.uuid4().hex[:12]}"
    append_all(app, clock, negotiation_id, [opening(negotiation_id), *people(), *first])
    early = clock.now
    instants = [datetime.combine(day, time(12), UTC) for day in days]
    instants.append(datetime.combine(LAST_DAY + timedelta(days=60), time(), UTC))
    _same_answers(app, reference, negotiation_id, [(None, i) for i in instants])
    renamed = [Development(d.event_type, d.payload, f"{d.development_id}-more") for d in more]
    append_all(app, clock, negotiation_id, renamed)
    asks = [(known_at, i) for i in instants for known_at in (None, early)]
    _same_answers(app, reference, negotiation_id, asks)
    middle = early - timedelta(minutes=3)
    _same_answers(app, reference, negotiation_id, [(middle, i) for i in instants])


def test_kept_events_stay_within_their_bound(engine: Engine) -> None:
    """Streams past the bound are dropped, least recently used first; a longer one is not kept."""
    clock = Clock()
    app = build_application(EventStore(engine, clock=clock.micros))
    rows = StreamRows(max_events=6)
    ids = [f"bound-{uuid.uuid4().hex[:8]}-{n}" for n in range(3)]
    for negotiation_id in ids:
        append_all(app, clock, negotiation_id, [opening(negotiation_id), *people()[:2]])
    streams = [f"negotiation-{negotiation_id}" for negotiation_id in ids]
    with engine.connect() as conn:
        for stream in streams:
            assert [e.row.stream_version for e in rows.through(conn, stream, 2)] == [0, 1, 2]
        assert len(rows) == 6
        assert [e.row.stream for e in rows.through(conn, streams[1], 1)] == [streams[1]] * 2
    long_one = f"long-{uuid.uuid4().hex[:8]}"
    again = [
        Development(d.event_type, d.payload, f"{d.development_id}-{n}")
        for n in range(2)
        for d in people()
    ]
    append_all(app, clock, long_one, [opening(long_one), *people(), *again])
    with engine.connect() as conn:
        found = rows.through(conn, f"negotiation-{long_one}", 6)
    assert len(found) == 7
    assert len(rows) <= 6


def test_kept_events_stay_within_their_text_bound(engine: Engine) -> None:
    """Given a bound on the text kept, streams are dropped, least recently used first, until
    what is kept fits; a stream whose text alone is over it is not kept."""
    clock = Clock()
    app = build_application(EventStore(engine, clock=clock.micros))
    ids = [f"text-{uuid.uuid4().hex[:8]}-{n}" for n in range(3)]
    for negotiation_id in ids:
        append_all(app, clock, negotiation_id, [opening(negotiation_id), *people()[:2]])
    streams = [f"negotiation-{negotiation_id}" for negotiation_id in ids]
    with engine.connect() as conn:
        one = StreamRows()
        one.through(conn, streams[0], 2)
        size = one.characters
        rows = StreamRows(max_characters=2 * size + size // 2)
        for stream in streams:
            assert len(rows.through(conn, stream, 2)) == 3
            assert rows.characters <= rows.max_characters
        assert len(rows) == 6
        tight = StreamRows(max_characters=size - 1)
        assert len(tight.through(conn, streams[0], 2)) == 3
        assert len(tight) == 0 and tight.characters == 0
