"""Hypothesis strategies for any request message, read from its descriptor.

Values lean towards the edges a server mishandles: unknown enum numbers, integers past
the signed 64-bit range, control characters, long strings, timestamps outside years
1-9999, malformed JSON and schema-breaking payloads of real event types.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from newsledger.application.validation.payloads import known_event_types
from tests.support.payloads import statement

EDGE_INTEGERS = [0, 1, 2, 7, 100, 999, 1000, 1001, 2**31 - 1, 2**32 - 1, 2**53, 2**63 - 1]
SIGNED_EDGES = [-1, -(2**31), -(2**63)]
WORDS = [
    "",
    "talks",
    "negotiation-us-china-trade-2025",
    "negotiation-",
    "negotiation-Not_A_Slug",
    "us-china-trade-2025",
    "StatementMade",
    "TalksHeld",
    "2025-06-11",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "\x00",
    "a\u0000b",
    "\ud7ff\ue000",
    "negotiation-" + "x" * 63,
    "e30",
    "WyJsb2ciLGZhbHNlLDAsIiJd",  # a page token for the log
    "WyJuZWdvdGlhdGlvbnMiLGZhbHNlLDAsInp6eiJd",  # a negotiations page token
    str(uuid.UUID(int=0)),
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(WORDS),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_payloads(draw: st.DrawFn) -> str:
    """Return a valid StatementMade payload with one field replaced, added or removed."""
    payload: dict[str, Any] = statement()
    key = draw(st.sampled_from([*payload, "report", "unknown_field"]))
    if draw(st.booleans()):
        payload[key] = draw(JSON_VALUES)
    else:
        payload.pop(key, None)
    return json.dumps(payload)


def strings(field: FieldDescriptor) -> st.SearchStrategy[str]:
    """Return a strategy for a string field, with JSON fields drawing JSON-ish text."""
    plain = st.text(max_size=40) | st.sampled_from(WORDS) | st.text(min_size=1000, max_size=1300)
    if field.name == "event_id":
        return st.uuids().map(str) | plain
    if field.name in ("event_type", "event_types"):
        return st.sampled_from(sorted(known_event_types())) | plain
    if field.name.endswith("_json"):
        return mutated_payloads() | JSON_VALUES.map(json.dumps) | plain | st.just("1e999")
    return plain


def scalars(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """Return a strategy for one value of a non-message field."""
    if field.type == FieldDescriptor.TYPE_STRING:
        return strings(field)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if field.type == FieldDescriptor.TYPE_ENUM:
        return st.integers(-3, 12)
    unsigned = field.type in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64)
    bits = 64 if field.type in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64) else 32
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    edges = [v for v in [*EDGE_INTEGERS, *SIGNED_EDGES, 2**63, 2**64 - 1] if low <= v <= high]
    return st.sampled_from(edges) | st.integers(low, high)


@st.composite
def messages(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> Message:
    """Return a message of descriptor with a random subset of its fields set."""
    message = GetMessageClass(descriptor)()
    if descriptor.full_name == "google.protobuf.Timestamp":
        message.seconds = draw(st.integers(-(2**40), 2**40) | st.sampled_from([0, 1751414400]))
        message.nanos = draw(st.integers(-5, 1_100_000_000))
        return message
    for field in descriptor.fields:
        if depth > 3 or not draw(st.booleans()):
            continue
        if field.message_type is not None:
            children = st.deferred(lambda f=field: messages(f.message_type, depth + 1))
            if field.is_repeated:
                count = draw(st.sampled_from([1, 2, 3]))
                getattr(message, field.name).extend(draw(children) for _ in range(count))
            else:
                getattr(message, field.name).CopyFrom(draw(children))
        elif field.is_repeated:
            getattr(message, field.name).extend(draw(st.lists(scalars(field), max_size=3)))
        else:
            setattr(message, field.name, draw(scalars(field)))
    return message
