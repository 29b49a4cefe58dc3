"""The quick limits check says yes only where the reference walk finds no violation.

Reference: ``request_violations``. Every request type of the contract is filled with
generated values (text with control characters, long text and lists, big integers, enum
numbers the contract lacks, timestamps out of range) under tight limits, so both answers
occur often.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

import newsledger.v1
from newsledger.api.interceptors.request_guard import RequestGuardInterceptor
from newsledger.api.limits import RequestLimits, request_violations
from newsledger.api.limits_check import LimitsCheck
from newsledger.application.errors import InvalidRequest
from newsledger.v1 import event_store_pb2 as es

pytestmark = pytest.mark.equivalence

TIGHT = RequestLimits(
    max_string_chars=6,
    max_repeated=3,
    max_page_size=5,
    string_chars={"stream": 4, "payload_json": 9, "event_type": 7},
)
TEXTS = st.text(
    st.characters(codec="utf-8") | st.sampled_from("\x00\x07\x1f\x7f\t\n\r"), max_size=12
)


def request_types() -> list[type[Message]]:
    found: list[type[Message]] = []
    for module_info in pkgutil.iter_modules(newsledger.v1.__path__):
        if not module_info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"newsledger.v1.{module_info.name}")
        for name in dir(module):
            kind = getattr(module, name)
            if isinstance(kind, type) and issubclass(kind, Message) and name.endswith("Request"):
                found.append(kind)
    return found


REQUESTS = request_types()


def scalar_values(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return TEXTS
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=9)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return st.floats(-10, 10)
    if field.enum_type is not None:
        return st.integers(-1, len(field.enum_type.values) + 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1) | st.integers(0, 9)
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1) | st.integers(0, 9)
    if kind in (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return st.integers(-(2**63), 2**63 - 1) | st.integers(-2, 9)
    return st.integers(-(2**31), 2**31 - 1) | st.integers(-2, 9)


@st.composite
def filled(draw: st.DrawFn, descriptor: Any, depth: int = 0) -> dict[str, Any]:
    """Return field values for a message of descriptor, as keyword arguments."""
    values: dict[str, Any] = {}
    if descriptor.full_name == "google.protobuf.Timestamp":
        values["seconds"] = draw(
            st.integers(-62_135_596_801, -62_135_596_799)
            | st.integers(253_402_300_798, 253_402_300_800)
            | st.integers(0, 2**31)
        )
        values["nanos"] = draw(st.integers(-1, 1_000_000_000))
        return values
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        if field.message_type is not None:
            if depth >= 3 or field.message_type.GetOptions().map_entry:
                continue
            one = filled(field.message_type, depth + 1)
        else:
            one = scalar_values(field)
        if field.is_repeated:
            values[field.name] = draw(st.lists(one, max_size=5))
        else:
            values[field.name] = draw(one)
    return values


@st.composite
def requests(draw: st.DrawFn) -> Message:
    kind = draw(st.sampled_from(REQUESTS))
    message = kind()
    fill(message, draw(filled(kind.DESCRIPTOR)))
    return message


def fill(message: Message, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.message_type is not None:
            if field.is_repeated:
                for item in value:
                    fill(getattr(message, name).add(), item)
            else:
                target = getattr(message, name)
                target.SetInParent()
                fill(target, value)
        elif field.is_repeated:
            getattr(message, name).extend(value)
        else:
            with contextlib.suppress(ValueError):  # a value protobuf itself refuses
                setattr(message, name, value)


@settings(max_examples=3000, deadline=None)
@given(requests(), st.sampled_from([TIGHT, RequestLimits()]))
def test_the_quick_check_passes_exactly_what_the_walk_passes(
    message: Message, limits: RequestLimits
) -> None:
    violations, _ = request_violations(message, limits)
    assert LimitsCheck(limits).passes(message) == (not violations)


@settings(max_examples=500, deadline=None)
@given(requests())
def test_the_guard_refuses_with_the_walks_violations_and_reason(message: Message) -> None:
    violations, reason = request_violations(message, TIGHT)
    guard = RequestGuardInterceptor(TIGHT)
    try:
        guard.check(message)
    except InvalidRequest as error:
        assert violations
        assert error.violations == violations
        assert error.reason == reason
    else:
        assert not violations


def test_every_request_type_is_covered() -> None:
    assert es.AppendEventsRequest in REQUESTS
    assert len(REQUESTS) > 10


def test_the_control_bytes_are_the_characters_the_walk_refuses() -> None:
    for code in range(0x3000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}b"
        walked, _ = request_violations(es.AppendEventsRequest(stream=text), RequestLimits())
        assert LimitsCheck(RequestLimits()).passes(es.AppendEventsRequest(stream=text)) == (
            not walked
        ), hex(code)
