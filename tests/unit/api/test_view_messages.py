"""Messages that reuse the previous view's item messages equal the reference conversion.

Views are rendered as the current view is served: from a state folded in place one event at
a time, reusing the finished items of the previous render, so most items of a view are the
very objects of the one before. Each message is compared with `conversions.negotiation_view`
of the same view, as a message and byte for byte.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.api import conversions
from newsledger.api.view_messages import ViewMessages
from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.negotiation import fold_in_place
from newsledger.domain.view import render_view
from newsledger.domain.view_reuse import FinishedItems
from tests.support.every_type_strategies import developments_of_every_type
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    later_developments,
    negotiations,
    opening,
    people,
    recorded,
)

pytestmark = pytest.mark.equivalence

NEGOTIATION = "generated"


@st.composite
def negotiation_and_appends(draw: st.DrawFn) -> tuple[list[Any], date, int | None]:
    """A negotiation's developments of every kind with later stances, a date, a list limit."""
    body = draw(st.one_of(developments_of_every_type(), negotiations()))
    targets = [d.development_id for d in body]
    as_of = draw(st.dates(FIRST_DAY, LAST_DAY))
    later = draw(later_developments(as_of - timedelta(days=1), targets))
    limit = draw(st.sampled_from([None, 2, 100]))
    return [opening(NEGOTIATION), *people(), *body, *later], as_of, limit


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_appends())
def test_each_message_equals_the_reference_conversion(
    drawn: tuple[list[Any], date, int | None],
) -> None:
    developments, as_of, limit = drawn
    messages = ViewMessages()
    state, index, reused = None, RegistryIndex(), FinishedItems()
    for event in recorded(NEGOTIATION, developments):
        state = fold_in_place([event], state)
        assert state is not None
        view = render_view(state, as_of, limit, index=index, reuse=reused)
        fast = messages.message(NEGOTIATION, view)
        reference = conversions.negotiation_view(render_view(state, as_of, limit))
        assert fast == reference
        assert fast.SerializeToString(deterministic=True) == reference.SerializeToString(
            deterministic=True
        )
        assert fast.SerializeToString() == reference.SerializeToString()


def test_an_item_of_another_negotiation_is_converted_for_its_own() -> None:
    """Items are looked up by object; equal objects of two views give equal messages."""
    messages = ViewMessages()
    item = {"statement_id": "s-1", "speaker_id": "a"}
    first = messages.message("one", {"negotiation_id": "one", "statements": [item]})
    other = {"statement_id": "s-2", "speaker_id": "b"}
    second = messages.message("two", {"negotiation_id": "two", "statements": [other]})
    assert [s.statement_id for s in first.statements] == ["s-1"]
    assert [s.statement_id for s in second.statements] == ["s-2"]
    again = messages.message("one", {"negotiation_id": "one", "statements": [item, other]})
    assert [s.statement_id for s in again.statements] == ["s-1", "s-2"]
