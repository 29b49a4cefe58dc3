"""The C-encoder fast path gives exactly the bytes of the reference RFC 8785 encoder, or defers."""

from __future__ import annotations

import enum
import json
import sys
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.jcs import (
    MAX_SAFE_INTEGER,
    CanonicalError,
    canonical_json,
    fast_canonical_json,
)

# Characters where the two encoders could plausibly part ways: every escape class, the
# edges of the UTF-16 surrogate range, the private-use block and astral characters.
TRICKY = [
    *map(chr, range(0x20)), '"', "\\", "/", "\x7f", "\x80", "é", "\u2028", "\u2029",
    "\ud7ff", "\ue000", "\uf8ff", "\ufeff", "\ufffd", "\uffff", "\U00010000", "\U0001f600",
    "\U0010ffff", "a", "b", "A", "0", " ",
]  # fmt: skip
characters = st.characters(exclude_categories=["Cs"]) | st.sampled_from(TRICKY)
strings = st.text(characters, max_size=8)
safe_integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.sampled_from(
    [0, -1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 2**31, -(2**31)]
)
json_values = st.recursive(
    st.none() | st.booleans() | safe_integers | strings,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(strings, children, max_size=6)
    ),
    max_leaves=25,
)

pytestmark = pytest.mark.equivalence


def has_key_at_or_above_e000(value: Any) -> bool:
    """Tell whether any object key anywhere holds a character >= U+E000."""
    if isinstance(value, dict):
        return any(
            any(ord(c) >= 0xE000 for c in key) or has_key_at_or_above_e000(item)
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return any(has_key_at_or_above_e000(item) for item in value)
    return False


def has_tuple(value: Any) -> bool:
    """Tell whether a tuple stands anywhere in the value."""
    if isinstance(value, tuple):
        return True
    if isinstance(value, dict):
        return any(has_tuple(item) for item in value.values())
    if isinstance(value, list):
        return any(has_tuple(item) for item in value)
    return False


@settings(max_examples=1500, deadline=None)
@given(json_values)
def test_canonical_json_equals_rfc8785_on_random_nested_values(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=1500, deadline=None)
@given(json_values)
def test_the_fast_path_answers_unless_a_key_reaches_e000_or_a_tuple_and_equals_rfc8785(
    value: Any,
) -> None:
    fast = fast_canonical_json(value)
    if has_key_at_or_above_e000(value) or has_tuple(value):
        assert fast is None
    else:
        assert fast is not None
        assert fast == rfc8785.dumps(value)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(strings, safe_integers, min_size=2, max_size=8))
def test_objects_with_any_keys_are_ordered_by_utf16_code_units(value: dict[str, int]) -> None:
    encoded = canonical_json(value)
    keys = list(json.loads(encoded))
    assert keys == sorted(value, key=lambda k: k.encode("utf-16-be"))
    assert encoded == rfc8785.dumps(value)


def test_code_point_order_and_utf16_order_differ_and_the_utf16_order_wins() -> None:
    value = {"\ue000": 1, "\U0001f600": 2, "a": 3}
    assert json.dumps(value, sort_keys=True, ensure_ascii=False).index("\ue000") < json.dumps(
        value, sort_keys=True, ensure_ascii=False
    ).index("\U0001f600")
    assert fast_canonical_json(value) is None
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value) == '{"a":3,"\U0001f600":2,"\ue000":1}'.encode()


def test_every_character_escapes_exactly_as_rfc8785_says() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    value = {"s": every, "controls": [chr(c) for c in range(0x20)]}
    fast = fast_canonical_json(value)
    assert fast is not None
    assert fast == rfc8785.dumps(value)
    assert b'"\\u0000","\\u0001"' in fast and b'"\\b","\\t","\\n","\\u000b","\\f","\\r"' in fast


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"s": "ok\ud800"}, r"\$\.s: string holds a lone surrogate"),
        ({"k\udfff": 1}, r"\$ key: string holds a lone surrogate"),
        ({"a": [1, {"b": "\udc00"}]}, r"\$\.a\[1\]\.b: string holds a lone surrogate"),
        ({"\ue000": "\ud800"}, r"\$\.\ue000: string holds a lone surrogate"),
    ],
)
def test_lone_surrogates_are_refused_by_both_encoders(value: Any, path: str) -> None:
    # rfc8785 raises CanonicalizationError, or UnicodeEncodeError for a key: both ValueErrors.
    with pytest.raises(ValueError):
        rfc8785.dumps(value)
    assert fast_canonical_json(value) is None
    with pytest.raises(CanonicalError, match=path):
        canonical_json(value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"rate": 2.5}, r"\$\.rate: floats"),
        ({"a": [1, float("inf")]}, r"\$\.a\[1\]: floats"),
        ({"n": MAX_SAFE_INTEGER + 1}, r"\$\.n: integer"),
        ({"n": [-MAX_SAFE_INTEGER - 1]}, r"\$\.n\[0\]: integer"),
        ({1: "x"}, "not a string"),
        ({"b": b"x"}, "bytes is not a JSON value"),
    ],
)
def test_values_outside_the_subset_leave_the_fast_path_and_are_refused_by_path(
    value: Any, path: str
) -> None:
    assert fast_canonical_json(value) is None
    with pytest.raises(CanonicalError, match=path):
        canonical_json(value)


class Party(enum.IntEnum):
    """An int subclass: not an exact JSON type."""

    US = 1


def test_subclasses_of_json_types_take_the_reference_path() -> None:
    value = {"party": Party.US, "flag": True}
    assert fast_canonical_json(value) is None
    assert canonical_json(value) == b'{"flag":true,"party":1}' == rfc8785.dumps(value)
