"""The last walk of a render tells values apart by exact type, and gives what the general walk
gives: the reference below is that walk as it was, with the Mapping and scalar checks alone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.domain import view as view_module
from newsledger.domain.confirmation import Confirmer
from newsledger.domain.view import render_view
from tests.support.paths import SEED_STORY
from tests.support.story_views import recorded_story, state_of

pytestmark = pytest.mark.equivalence

_OMITTED_DEFAULTS: tuple[Any, ...] = ("", [], {})
_SCALARS = (str, int, float, type(None))


def reference_finished(value: Any, confirmer: Confirmer) -> Any:
    """The general walk: a copy, a confirmation in every provenance, empty values dropped."""
    if isinstance(value, list):
        return [reference_finished(item, confirmer) for item in value]
    if isinstance(value, _SCALARS) or not isinstance(value, Mapping):
        return value
    finished = {}
    for key, item in value.items():
        if key == "provenance" and isinstance(item, Mapping) and item:
            item = {**item, "confirmation": confirmer.confirmation(item)}
        if not isinstance(item, _SCALARS):
            item = reference_finished(item, confirmer)
        if item is not False and item not in _OMITTED_DEFAULTS:
            finished[key] = item
    return finished


class CountingConfirmer:
    """Stands in for a Confirmer: a confirmation that depends on the provenance given."""

    def confirmation(self, provenance: Mapping[str, Any]) -> dict[str, Any]:
        return {"level": f"L{len(provenance)}", "claimed_by": sorted(map(str, provenance))}


class Text(str):
    """A str of another type, which the exact-type checks leave to the general ones."""


KEYS = st.sampled_from(["provenance", "a", "b", "items", "confirmation", ""])
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.sampled_from(["", "x", Text(""), Text("y")]),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3).map(MappingProxyType),
        st.lists(inner, max_size=3).map(tuple),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_the_typed_walk_gives_what_the_general_walk_gives(value: Any) -> None:
    confirmer = cast(Confirmer, CountingConfirmer())
    assert view_module._finished(value, confirmer) == reference_finished(value, confirmer)


@pytest.mark.parametrize("as_of", [date(2025, 4, 10), date(2025, 6, 11), date(2100, 1, 1)])
def test_the_seed_story_renders_as_with_the_general_walk(
    as_of: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = state_of(recorded_story(SEED_STORY))
    fast = render_view(state, as_of)
    monkeypatch.setattr(view_module, "_finished", reference_finished)
    assert fast == render_view(state, as_of)
