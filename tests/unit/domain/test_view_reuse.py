"""A render that reuses the previous render's finished list items gives the reference view.

The state is folded in place one event at a time, as the kept state of a negotiation is, so
an item reused from an earlier render would show any change the fold made under it: new
records, stances on earlier developments (confirmations, disputes, retractions), corrections
that rebuild the registry. Each render is compared with the reference render field for field,
exact types included (True is not 1).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsledger.domain import view as view_module
from newsledger.domain.confirmation import RegistryIndex
from newsledger.domain.negotiation import fold_in_place
from newsledger.domain.view import _finished, render_view
from newsledger.domain.view_reuse import FinishedItems
from tests.support.every_type_strategies import developments_of_every_type
from tests.support.negotiation_strategies import (
    FIRST_DAY,
    LAST_DAY,
    Development,
    later_developments,
    negotiations,
    opening,
    people,
    recorded,
)

pytestmark = pytest.mark.equivalence

NEGOTIATION = "generated"


def exactly(view: Any) -> str:
    """Return the view as text that tells every value's type and every key's order."""
    return json.dumps(view, default=repr)


@st.composite
def negotiation_and_appends(draw: st.DrawFn) -> tuple[list[Any], list[date], int | None]:
    """A negotiation's developments of every kind with later stances, the dates each render
    asks for, and the list limit of the renders (small, so lists are cut and shift)."""
    body = draw(st.one_of(developments_of_every_type(), negotiations()))
    targets = [d.development_id for d in body]
    last = draw(st.dates(FIRST_DAY, LAST_DAY - timedelta(days=1)))
    developments = [opening(NEGOTIATION), *people(), *body]
    developments += draw(later_developments(last, targets))
    days = draw(
        st.lists(
            st.one_of(st.just(LAST_DAY), st.dates(FIRST_DAY, LAST_DAY)),
            min_size=len(developments),
            max_size=len(developments),
        )
    )
    limit = draw(st.sampled_from([None, 1, 2, 100]))
    return developments, days, limit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_appends())
def test_a_render_reusing_finished_items_equals_the_reference_after_every_append(
    drawn: tuple[list[Any], list[date], int | None],
) -> None:
    developments, days, limit = drawn
    state = None
    index, reused = RegistryIndex(), FinishedItems()
    for event, as_of in zip(recorded(NEGOTIATION, developments), days, strict=True):
        state = fold_in_place([event], state)
        assert state is not None
        fast = render_view(state, as_of, limit, index=index, reuse=reused)
        reference = render_view(state, as_of, limit)
        assert fast == reference
        assert exactly(fast) == exactly(reference)
        again = render_view(state, as_of, limit, index=index, reuse=reused)
        assert exactly(again) == exactly(reference)


def test_an_item_whose_confirmation_changed_is_finished_again() -> None:
    """Same item, other confirmation: the item is not reused."""
    item = {"statement_id": "s", "provenance": {"development_ids": ["d"], "source_ids": []}}
    view = {"statements": [item], "title": "t"}
    level = ["ONE"]

    class Confirmer:
        def confirmation(self, provenance: Any) -> dict[str, Any]:
            return {"level": level[0]}

    reused = FinishedItems()
    first = reused.finish(view, Confirmer(), _finished)
    level[0] = "TWO"
    second = reused.finish(view, Confirmer(), _finished)
    assert first["statements"][0]["provenance"]["confirmation"] == {"level": "ONE"}
    assert second["statements"][0]["provenance"]["confirmation"] == {"level": "TWO"}
    assert reused.finish(view, Confirmer(), _finished)["statements"][0] is second["statements"][0]


def test_an_item_equal_but_of_other_types_is_finished_again() -> None:
    """True and 1 compare equal; the item holding one is not taken for the other's."""

    class Confirmer:
        def confirmation(self, provenance: Any) -> dict[str, Any]:
            return {}

    reused = FinishedItems()
    first = reused.finish({"statements": [{"a": True}]}, Confirmer(), _finished)
    second = reused.finish({"statements": [{"a": 1}]}, Confirmer(), _finished)
    assert first["statements"][0]["a"] is True
    assert second["statements"][0]["a"] == 1 and second["statements"][0]["a"] is not True


def _statements(count: int) -> list[Development]:
    """Return `count` statements on successive days, each from its own source."""
    made = []
    for number in range(count):
        day = (FIRST_DAY + timedelta(days=number)).isoformat()
        source = {"source_id": f"wire-{number}", "outlet": "Wire", "published_date": day}
        report = {
            "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": day},
            "sources": [{**source, "kind": "SOURCE_KIND_NEWSPAPER"}],
        }
        report["sources"][0]["quotes"] = [{"speaker_id": "alice", "text": "We talked."}]
        payload = {"statement_id": f"statement-{number}", "speaker_id": "alice"}
        made.append(Development("StatementMade", {**payload, "report": report}, f"s-{number}"))
    return made


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(negotiation_and_appends())
@example(([opening(NEGOTIATION), *people(), *_statements(5)], [LAST_DAY] * 7, 2))
def test_the_newest_records_when_everything_counts_are_those_checked_one_by_one(
    drawn: tuple[list[Any], list[date], int | None],
) -> None:
    """Given a render whose state counts whole by the date, the lists cut to their newest
    records without checking each are the lists that checking each record gives."""
    developments, days, limit = drawn
    state = fold_in_place(list(recorded(NEGOTIATION, developments)), None)
    assert state is not None
    checked = view_module._newest_plain

    def checking_each(records: Any, as_of: date, limit: int, all_count: bool = False) -> Any:
        return checked(records, as_of, limit, False)

    for as_of in {LAST_DAY, *days}:
        fast = render_view(state, as_of, limit or 1)
        with patch.object(view_module, "_newest_plain", checking_each):
            reference = render_view(state, as_of, limit or 1)
        assert exactly(fast) == exactly(reference)
