"""Text handling on the append path: normalised JSON, request JSON parsing, names."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.api.conversions import parse_json_object
from newsledger.application.errors import Violation
from newsledger.domain.json_text import normalise_json

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=6))
def test_normalised_text_equals_json_dumps(value: dict[str, Any]) -> None:
    assert normalise_json(value) == reference(value)


def test_an_empty_object_and_one_that_is_not_serialisable() -> None:
    assert normalise_json({}) == "{}"
    try:
        normalise_json({"a": {1, 2}})
    except TypeError as error:
        assert "not JSON serializable" in str(error)
    else:
        raise AssertionError("a set is not JSON")


def test_request_json_parsing_refuses_what_it_refused_before() -> None:
    violations: list[Violation] = []
    assert parse_json_object("{}", "f", violations) == {}
    assert parse_json_object("", "f", violations) == {}
    assert parse_json_object('{"b": [1, {"c": null}]}', "f", violations) == {"b": [1, {"c": None}]}
    assert not violations
    for text in ('{"a": NaN}', '{"a": Infinity}', "[1]", "{", '"text"'):
        parse_json_object(text, "f", violations)
    assert [v.field for v in violations] == ["f"] * 5
    assert "NaN is not a JSON number" in violations[0].description


def test_names_refuse_exactly_whitespace_and_control_characters() -> None:
    from newsledger.store.validation import is_printable_without_spaces

    for code in range(0x110000):
        ch = chr(code)
        expected = not (ch.isspace() or not ch.isprintable())
        assert is_printable_without_spaces(f"a{ch}b") == expected, hex(code)
