"""The generated payload verdicts agree with the describing validator on generated payloads.

Payloads are built from the schema rules themselves, for every event type: valid ones, and
ones where any value may be replaced by something a field refuses or only just accepts
(integer bounds, defaults of REQUIRED fields, formats, floats, unknown fields).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from newsledger.application.errors import Violation
from newsledger.application.validation import payloads as schemas
from newsledger.application.validation.payloads import RULES, FieldRule
from tests.unit.test_schema_verdicts import paths, replaced

pytestmark = pytest.mark.equivalence

ODD: list[Any] = [
    None, True, False, 0, -1, 1.5, 1.0, "", "x", "Mixed Case", [], ["x"], [{}], {}, {"u": 1},
    2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1,
    "9223372036854775807", "9223372036854775808", "-12", "١٢", "SOURCE_KIND_UNSPECIFIED",
    "2025-02-30", "2025-6-1", "America/New_York", "Not/AZone", "2025-08-12T04:01:00Z",
    "01234567-89ab-4cde-8f01-23456789abcd", "01234567-89AB-4CDE-8F01-23456789ABCD", "é\x00",
]  # fmt: skip
VALID = {
    "date": ["2025-06-10", "2024-02-29"],
    "decimal": ["2.5", "-0.75", "10"],
    "time_zone": ["Europe/Brussels", "UTC"],
    "slug": ["us-china", "a", "a" * 63],
    "event_id": ["01234567-89ab-4cde-8f01-23456789abcd"],
}
INVALID = {
    "date": ["2025-02-29", "20250610"],
    "decimal": ["1.", ".5"],
    "time_zone": ["Mars/Olympus"],
    "slug": ["-x", "UPPER", "a" * 64],
    "event_id": ["not-a-uuid"],
}


def json_values(noisy: bool) -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=4)
    return st.recursive(
        leaves | st.floats() if noisy else leaves,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=3), children, max_size=3)
        ),
        max_leaves=8,
    )


def scalar(rule: FieldRule, noisy: bool) -> st.SearchStrategy[Any]:
    if rule.kind == "bool":
        return st.booleans()
    if rule.kind == "enum":
        names = sorted(rule.enum_names)
        return st.sampled_from(
            names if noisy else [n for n in names if not n.endswith("_UNSPECIFIED")]
        )
    if rule.kind == "string":
        if rule.text_format:
            formats = VALID[rule.text_format]
            return st.sampled_from(formats + INVALID[rule.text_format] + [""] if noisy else formats)
        return st.text(min_size=0 if noisy else 1, max_size=5)
    if rule.kind in ("int32", "int64"):
        if noisy:
            edges = [2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1]
            return (
                st.integers(-(2**64), 2**64) | st.sampled_from(edges) | st.integers(-5, 5).map(str)
            )
        return st.integers(1, 2**31 - 1)
    if rule.kind == "timestamp":
        return st.sampled_from(
            ["2025-08-12T04:01:00Z", "2025-08-12", ""] if noisy else ["2025-08-12T04:01:00Z"]
        )
    assert rule.kind == "json", rule
    return json_values(noisy)


def value(rule: FieldRule, depth: int, noisy: bool) -> st.SearchStrategy[Any]:
    if rule.kind == "message":
        single = (
            st.just({})
            if depth > 5
            else st.deferred(lambda: message(rule.message, depth + 1, noisy))
        )
    elif rule.required and not noisy:  # a REQUIRED field must hold more than its default
        single = scalar(rule, noisy).filter(lambda item: item is not None)
    else:
        single = scalar(rule, noisy)
    if noisy:
        single = single | single | st.sampled_from(ODD)
    return st.lists(single, min_size=0 if noisy else 1, max_size=3) if rule.repeated else single


def message(name: str, depth: int, noisy: bool) -> st.SearchStrategy[dict[str, Any]]:
    fields = RULES[name]
    required = {f: value(rule, depth, noisy) for f, rule in fields.items() if rule.required}
    optional = {f: value(rule, depth, noisy) for f, rule in fields.items() if not rule.required}
    built = st.fixed_dictionaries(required, optional=optional)
    if noisy:
        extra = st.dictionaries(st.sampled_from(["unknown", *fields]), st.sampled_from(ODD))
        built = st.builds(lambda a, b: {**a, **b}, built, extra | st.just({}))
    return built


EVENT_MESSAGES = sorted(message.full_name for message in schemas.EVENT_MESSAGES.values())


@st.composite
def payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A payload: valid, noisy throughout, or valid but for one value replaced or removed."""
    name = draw(st.sampled_from(EVENT_MESSAGES))
    shape = draw(st.sampled_from(["valid", "noisy", "one change"]))
    payload = draw(message(name, 0, shape == "noisy"))
    if shape == "one change":
        where = draw(st.sampled_from([(), *paths(payload)]))
        new = draw(st.sampled_from([..., *ODD]))
        payload = replaced(payload, where, new) if where else {**payload, "unknown": new}
    return name, payload


@settings(max_examples=500, deadline=None)
@given(payloads())
def test_the_verdict_is_yes_exactly_when_no_violation_is_described(
    case: tuple[str, dict[str, Any]],
) -> None:
    name, payload = case
    described: list[Violation] = []
    schemas._check_message(RULES[name], payload, "", described)
    assert schemas.VERDICTS[name](payload) == (not described), described


@pytest.mark.parametrize("name", EVENT_MESSAGES)
def test_the_generated_payloads_reach_both_answers(name: str) -> None:
    # Without this the property above could pass on payloads that are all refused.
    settled = settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate])
    clean = find(message(name, 0, False), lambda _: True, settings=settled)
    assert schemas.VERDICTS[name](clean), clean
    refused = find(
        message(name, 0, True), lambda p: not schemas.VERDICTS[name](p), settings=settled
    )
    assert not schemas.VERDICTS[name](refused)
