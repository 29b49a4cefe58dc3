"""JSON from a request: a key twice and nesting past the limit are refused, naming the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.api.conversions import parse_json_object
from newsledger.api.json_input import MAX_JSON_DEPTH, nests_too_deep
from newsledger.application.errors import Violation


def parsed(text: str) -> tuple[dict[str, object], list[Violation]]:
    violations: list[Violation] = []
    return parse_json_object(text, "payload_json", violations), violations


def nested(depth: int) -> str:
    """Return an object nesting objects and arrays depth levels deep in all."""
    inner = "1"
    for level in range(depth - 1):
        inner = f"[{inner}]" if level % 2 else f'{{"k": {inner}}}'
    return f'{{"a": {inner}}}'


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"a": 1, "a": 1}', "a"),
        ('{"a": {"b": 1, "c": 2, "b": 3}}', "b"),
        ('{"list": [{"x": 1}, {"x": 2, "x": 2}]}', "x"),
    ],
)
def test_a_key_twice_in_any_object_is_refused_naming_the_key(text: str, key: str) -> None:
    value, violations = parsed(text)
    assert value == {}
    assert violations == [
        Violation("payload_json", f"has the key {key!r} more than once; each key may appear once")
    ]


def test_equal_keys_in_different_objects_are_fine() -> None:
    assert parsed('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}') == (
        {"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]},
        [],
    )


def test_nesting_up_to_the_limit_is_accepted_and_one_level_more_is_refused() -> None:
    value, violations = parsed(nested(MAX_JSON_DEPTH))
    assert value and not violations
    value, violations = parsed(nested(MAX_JSON_DEPTH + 1))
    assert (value, violations) == (
        {},
        [Violation("payload_json", f"nests deeper than {MAX_JSON_DEPTH} levels")],
    )


@pytest.mark.parametrize("depth", [330, 5000, 100_000])
def test_nesting_past_the_recursion_limit_is_refused_without_recursing(depth: int) -> None:
    value, violations = parsed('{"a":' + "[" * depth + "]" * depth + "}")
    assert value == {} and violations[0].description.startswith("nests deeper")


@st.composite
def nested_values(draw: st.DrawFn) -> tuple[object, int]:
    """Return a JSON value whose deepest path is a drawn depth, with shallower siblings."""
    depth = draw(st.integers(1, MAX_JSON_DEPTH + 8))
    value: object = draw(st.none() | st.integers() | st.text(max_size=3))
    for _ in range(depth):
        siblings = draw(st.lists(st.integers() | st.text(max_size=2), max_size=2))
        if draw(st.booleans()):
            value = [*siblings, value] if draw(st.booleans()) else [value, *siblings]
        else:
            value = {**{f"s{i}": sibling for i, sibling in enumerate(siblings)}, "deep": value}
    return value, depth


@settings(max_examples=60, deadline=None)
@given(nested_values())
def test_the_depth_check_agrees_with_the_depth_built(case: tuple[object, int]) -> None:
    value, depth = case
    assert nests_too_deep(json.dumps(value), value) == (depth > MAX_JSON_DEPTH)
