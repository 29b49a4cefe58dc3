"""A kept registry index answers the state as of a date as the reference walk does.

The index knows the day each registry entry counts from, so the current view skips the walk
of the registry and a past date reads the days instead of working them out again. The
references are `state_as_of` without an index, and the registry walk as it was before the
days were kept (`reference_counted_registry`, which works each day out where it needs it);
the index is kept across a growing fold, as the state cache keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.domain.appliers import NEGOTIATION_OPENED
from newsledger.domain.as_of import _late_contributions, _without, counted_registry, state_as_of
from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold_in_place
from newsledger.domain.registry import CORRECTION_TYPES
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import counts_from, counts_on
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


def _counts(entry: Mapping[str, Any], as_of: date) -> bool:
    return counts_on(counts_from(entry["payload"].get("report") or {}), as_of)


def reference_counted_registry(registry: Sequence[JsonDict], as_of: date) -> list[JsonDict] | None:
    """The registry walk as it was: each entry's day worked out where it is needed."""
    late_contributions = _late_contributions(registry, [_counts(e, as_of) for e in registry])
    kept: list[JsonDict] = []
    changed = bool(late_contributions)
    for entry in registry:
        late = late_contributions.get(str(entry["development_id"]))
        entry = _without(entry, late) if late else entry
        development = entry["event_type"] not in CORRECTION_TYPES
        if development and entry["event_type"] != NEGOTIATION_OPENED and not _counts(entry, as_of):
            changed = True
            continue
        kept.append(entry)
    return kept if changed else None


def _assert_same_as_reference(state: NegotiationState, index: RegistryIndex, as_of: date) -> None:
    registry = state.developments
    walked = reference_counted_registry(registry, as_of)
    assert counted_registry(registry, as_of) == walked
    assert counted_registry(registry, as_of, index.of(registry).days) == walked
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
