"""The store's text of a canonical value, written by orjson, is exactly the reference's text.

``normalise_json_canonical`` must give ``normalise_json`` and ``is_canonical_value`` of any
value the append path may meet, including what orjson cannot write (lone surrogates, deep
nesting) or would write differently (big integers, floats, tuples, subclasses).
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.domain.json_text import MAX_SAFE_INTEGER, is_canonical_value, normalise_json
from newsledger.store.canonical_text import normalise_json_canonical
from tests.unit.audit.test_jcs_fast_path import TRICKY

pytestmark = pytest.mark.equivalence


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    """A str subclass, which the fast path leaves to the reference encoder."""


# Lone surrogates included: the reference writes them, the UTF-8 encoding refuses them later.
characters = st.characters() | st.sampled_from([*TRICKY, "\ud800", "\udfff"])
strings = st.text(characters, max_size=8)
integers = (
    st.integers()
    | st.integers(-(2**64), 2**64)
    | st.sampled_from(
        [MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER - 1]
    )
)
scalars = (
    st.none()
    | st.booleans()
    | integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | strings
    | st.just(Level.HIGH)
    | strings.map(Text)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(strings, children, max_size=5)
        | st.dictionaries(strings, children, max_size=3).map(OrderedDict)
    ),
    max_leaves=25,
)


def expected(value: dict[str, Any]) -> tuple[str, bool]:
    return normalise_json(value), is_canonical_value(value)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(strings, values, max_size=6))
def test_the_text_and_the_verdict_equal_the_reference(value: dict[str, Any]) -> None:
    assert normalise_json_canonical(value) == expected(value)


def test_edges_orjson_refuses_or_writes_otherwise_take_the_reference() -> None:
    deep: Any = "leaf"
    for _ in range(260):  # deeper than orjson nests (255)
        deep = [deep]
    for value in (
        {},
        {"a": "\ud800"},
        {"a": deep},
        {"n": 2**64, "m": -(2**63) - 1},
        {"f": 1.0, "g": 1e16},
        {"t": (1, "x")},
        {"e": Level.HIGH, "s": Text("x")},
        {"\ue000": 1, "a": 1},
        {"k": {"\x00\x1f\u2028": '"\\\x7f'}},
    ):
        assert normalise_json_canonical(value) == expected(value), value


def test_a_canonical_payload_takes_the_fast_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    import newsledger.store.canonical_text as json_text

    def refuse(value: Any) -> str:
        raise AssertionError("the reference writer was used")

    monkeypatch.setattr(json_text, "compact_json", refuse)
    monkeypatch.setattr(json_text, "normalise_json", refuse)
    assert normalise_json_canonical({"b": [1, "é"], "a": None}) == ('{"a":null,"b":[1,"é"]}', True)
