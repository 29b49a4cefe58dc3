"""A kept registry index answers the state as of a date as the reference walk does.

The index knows the day each registry entry counts from, so the current view skips the walk
of the registry and a past date reads the days instead of working them out again. The
reference is `state_as_of` without an index; the index is kept across a growing fold, as
the state cache keeps it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.domain.as_of import state_as_of
from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold_in_place
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    later_developments,
    negotiations,
    opening,
    people,
    recorded,
)
from tests.support.paths import SEED_STORY
from tests.support.story_views import recorded_story

pytestmark = pytest.mark.equivalence

NEGOTIATION = "generated"
FAR_FUTURE = date(2100, 1, 1)


def _assert_same_as_reference(state: NegotiationState, index: RegistryIndex, as_of: date) -> None:
    reference = state_as_of(state, as_of)
    fast = state_as_of(state, as_of, index)
    assert (fast is state) == (reference is state)
    assert fast == reference
    assert render_view(state, as_of, index=index) == render_view(state, as_of)


def _fold_and_compare(events: list[RecordedEvent], dates: list[date]) -> None:
    """Fold events one by one onto one state and one kept index, comparing at each step."""
    index = RegistryIndex()
    state = None
    for event in events:
        state = fold_in_place([event], state)
        assert state is not None
        for as_of in dates:
            _assert_same_as_reference(state, index, as_of)


@st.composite
def negotiation_and_dates(draw: st.DrawFn) -> tuple[list[RecordedEvent], list[date]]:
    """A negotiation with corroborations and stances that count after a date, and dates."""
    base = [opening(NEGOTIATION), *people(), *draw(negotiations())]
    as_of = draw(st.dates(FIRST_DAY, LAST_DAY - timedelta(days=1)))
    targets = [d.development_id for d in base[1:]]
    later = draw(later_developments(as_of, targets))
    other = draw(st.dates(FIRST_DAY - timedelta(days=1), LAST_DAY + timedelta(days=1)))
    return recorded(NEGOTIATION, [*base, *later]), [as_of, other, FAR_FUTURE]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_dates())
def test_a_kept_index_gives_the_reference_state_as_of_any_date(
    drawn: tuple[list[RecordedEvent], list[date]],
) -> None:
    events, dates = drawn
    _fold_and_compare(events, dates)


def test_a_kept_index_gives_the_reference_state_over_the_seed_story() -> None:
    events = recorded_story(SEED_STORY)
    _fold_and_compare(events, [date(2025, 4, 10), date(2025, 6, 11), FAR_FUTURE])


def test_the_index_follows_a_registry_a_correction_built_afresh() -> None:
    """A correction replaces the registry: the index starts again, and its days follow."""
    events = recorded_story(SEED_STORY)
    state = fold_in_place(events, None)
    assert state is not None
    index = RegistryIndex().of(state.developments)
    earlier = list(state.developments)
    state.developments = earlier[: len(earlier) // 2]
    index.of(state.developments)
    assert len(index.days) == len(state.developments)
    assert index.latest_day == max(index.days)
    _assert_same_as_reference(state, index, date(2025, 5, 1))
