"""The valid-time and record-time properties end to end: through the ledger, on each backend.

Generated negotiations are appended one development at a time on a clock the test moves;
developments that count only after a date D then follow. The view as of D stays the same
(apart from record-time fields), and every answer given at an earlier `known_at` is given
again exactly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.errors import InvalidRequest
from newsledger.bootstrap import build_application
from newsledger.domain.events import micros_from_time
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    Development,
    event_id,
    later_developments,
    negotiations,
    opening,
    people,
    valid_time_fields,
    with_event_ids,
)


class Clock:
    """A record-time clock the test moves forward a minute per append.

    Examples share a database, whose record times never go back, so each clock starts a day
    after the one before.
    """

    started = datetime(2025, 1, 1, tzinfo=UTC)

    def __init__(self) -> None:
        Clock.started += timedelta(days=1)
        self.now = Clock.started

    def micros(self) -> int:
        return micros_from_time(self.now)


def append_all(
    app: Application, clock: Clock, negotiation_id: str, items: list[Development]
) -> None:
    """Append each development on its own; a development refused on validation is skipped."""
    for development in items:
        clock.now += timedelta(minutes=1)
        proposed = ProposedEvent(
            event_id=event_id(negotiation_id, development.development_id),
            event_type=development.event_type,
            payload=with_event_ids(negotiation_id, development),
            metadata={"development_id": development.development_id},
            schema_version=2 if development.event_type == "TariffMeasureChanged" else 1,
        )
        try:
            app.ledger.append(f"negotiation-{negotiation_id}", [proposed])
        except InvalidRequest:
            continue


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Development], date, list[Development], list[date]]:
    base = draw(negotiations(size=8))
    as_of = draw(st.dates(FIRST_DAY, LAST_DAY - timedelta(days=1)))
    targets = [d.development_id for d in base]
    later = draw(later_developments(as_of, targets, size=4))
    others = draw(st.lists(st.dates(FIRST_DAY, LAST_DAY), min_size=1, max_size=3))
    return base, as_of, later, others


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cases())
def test_later_developments_leave_earlier_views_and_earlier_answers_unchanged(
    engine: Engine, drawn: tuple[list[Development], date, list[Development], list[date]]
) -> None:
    base, as_of, later, others = drawn
    clock = Clock()
    app = build_application(EventStore(engine, clock=clock.micros))
    negotiation_id = f"gen-{uuid.uuid4().hex[:12]}"
    append_all(app, clock, negotiation_id, [opening(negotiation_id), *people(), *base])
    known_at = clock.now
    dates = [as_of, *others]
    answers: dict[date, dict[str, Any]] = {
        day: app.queries.view(negotiation_id, day, known_at) for day in dates
    }
    explained = app.queries.explain(negotiation_id, "phase", as_of, known_at)

    append_all(app, clock, negotiation_id, later)

    now = app.queries.view(negotiation_id, as_of)
    assert valid_time_fields(now) == valid_time_fields(answers[as_of])
    for day in dates:
        assert app.queries.view(negotiation_id, day, known_at) == answers[day]
    assert app.queries.explain(negotiation_id, "phase", as_of, known_at) == explained
    assert app.queries.explain(negotiation_id, "phase", as_of, None) == explained
