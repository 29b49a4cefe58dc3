"""Views at past cuts folded from kept past states equal the reference, on each backend.

The queries keep the states of past cuts (`PastStates`) and fold a later cut from the
nearest one at or past the snapshot point; the reference (`view_at_version`) reads the
snapshot and folds its tail. Asked at cuts in any order (repeated, going back, past the
stream's end, across snapshot points), both give the same state and the same view.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from bench.scale import statement_payload
from newsledger.application.app import Application
from newsledger.bootstrap import build_application
from newsledger.domain.view import render_view
from newsledger.projections.known_at import view_at_version
from newsledger.projections.past_states import PastStates
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import ingest_story_in_process
from tests.integration.test_valid_time_properties import Clock, append_all
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    Development,
    negotiations,
    opening,
    people,
)
from tests.support.paths import SEED_STORY


def _reference(engine: Engine, negotiation_id: str, cut: int) -> Any:
    with engine.connect() as conn:
        return view_at_version(conn, negotiation_id, cut)


def _same_at_cuts(app: Application, negotiation_id: str, cuts: list[int], day: date) -> None:
    """Ask the queries at each cut in turn and compare with the reference, field for field."""
    for cut in cuts:
        reference = _reference(app.store.engine, negotiation_id, cut)
        with app.queries.stored(negotiation_id, cut=cut) as stored:
            assert stored.state.to_json() == reference.state.to_json(), f"cut {cut}"
            assert stored.last_position == reference.last_position
            assert stored.last_stream_version == reference.last_stream_version
            view = render_view(stored.state, day)
        assert view == render_view(reference.state, day)


def test_past_states_across_snapshot_points_give_the_reference_views(engine: Engine) -> None:
    """The seed story and 160 statements: over two snapshot points, cuts in many orders."""
    app = build_application(EventStore(engine))
    app.queries.past = PastStates(max_states=3)
    report = ingest_story_in_process(app.ledger, SEED_STORY)
    for first in range(0, 160, 20):
        batch = [
            ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(number))
            for number in range(first, first + 20)
        ]
        app.ledger.append(report.stream, batch)
    head = len(app.store.read_stream(report.stream, limit=10_000)) - 1
    assert head > 200
    rng = random.Random(11)
    orders = [
        list(range(0, head + 1, 7)),
        sorted(rng.sample(range(head + 1), 40), reverse=True),
        [rng.randrange(head + 3) for _ in range(40)],
        [95, 99, 100, 101, 150, 199, 198, 200, 210, head, head + 5, 201],
    ]
    for cuts in orders:
        _same_at_cuts(app, report.negotiation_id, cuts, date(2025, 6, 11))
    assert len(app.queries.past) <= 3
    # A cut asked past the end was kept at the stream's last event, not at the cut: events
    # appended since are folded when a later cut is asked.
    _same_at_cuts(app, report.negotiation_id, [head + 8], date(2025, 6, 11))
    more = [ProposedEvent(uuid.uuid4(), "StatementMade", statement_payload(n)) for n in range(5)]
    app.ledger.append(report.stream, more)
    _same_at_cuts(app, report.negotiation_id, [head + 9, head + 3], date(2025, 6, 11))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(negotiations(size=12), st.data())
def test_past_states_of_generated_negotiations_give_the_reference_views(
    engine: Engine, developments: list[Development], data: st.DataObject
) -> None:
    clock = Clock()
    app = build_application(EventStore(engine, clock=clock.micros))
    negotiation_id = f"past-{uuid.uuid4().hex[:12]}"
    append_all(app, clock, negotiation_id, [opening(negotiation_id), *people(), *developments])
    head = len(app.store.read_stream(f"negotiation-{negotiation_id}", limit=1_000)) - 1
    cuts = data.draw(st.lists(st.integers(0, head + 2), min_size=1, max_size=12))
    day = data.draw(st.dates(FIRST_DAY, LAST_DAY))
    _same_at_cuts(app, negotiation_id, cuts, day)
