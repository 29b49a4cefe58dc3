"""Properties of views over generated negotiations: nothing after a date leaks into it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.domain.explain import explain
from newsledger.domain.negotiation import fold, render_view
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    days,
    later_developments,
    negotiations,
    opening,
    people,
    recorded,
    valid_time_fields,
)

NEGOTIATION = "generated"


@st.composite
def negotiation_and_later(draw: st.DrawFn) -> tuple[list, date, list]:
    """A negotiation, a date, and developments that count only after that date."""
    base = [opening(NEGOTIATION), *people(), *draw(negotiations())]
    as_of = draw(st.dates(FIRST_DAY, LAST_DAY - timedelta(days=1)))
    targets = [d.development_id for d in base[1:]]
    return base, as_of, draw(later_developments(as_of, targets))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_later())
def test_developments_that_count_after_a_date_leave_its_view_unchanged(
    drawn: tuple[list, date, list],
) -> None:
    base, as_of, later = drawn
    before = fold(recorded(NEGOTIATION, base))
    after = fold(recorded(NEGOTIATION, [*base, *later]))
    assert before is not None and after is not None
    view = render_view(before, as_of)
    assert valid_time_fields(render_view(after, as_of)) == valid_time_fields(view)
    for measure in view.get("measures", []):
        path = f"measures[{measure['measure_id']}].status"
        assert explain(after, render_view(after, as_of), path, as_of) == explain(
            before, view, path, as_of
        )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiations(), st.integers(0, 20), days())
def test_a_view_at_a_known_at_ignores_events_recorded_after_it(
    developments: list, cut: int, as_of: date
) -> None:
    """The fold of the events recorded by an instant answers the same whatever follows."""
    events = recorded(NEGOTIATION, [opening(NEGOTIATION), *people(), *developments])
    cut = min(cut, len(events) - 1)
    prefix = fold(events[: cut + 1])
    assert prefix is not None
    answer = render_view(prefix, as_of)
    longer = fold(events[cut + 1 :], prefix)
    assert longer is not None
    assert render_view(prefix, as_of) == answer
    assert render_view(fold(events[: cut + 1]) or prefix, as_of) == answer
