"""Hypothesis strategies for any request message, read from its descriptor.

Values lean towards the edges a server mishandles: unknown enum numbers, integers past
the signed 64-bit range, control characters, long strings, timestamps outside years
1-9999, malformed JSON and schema-breaking payloads of real event types, JSON nested
hundreds deep, with a key twice or U+0000 in a string, and page tokens forged with
positions past 2^63, keys that are not offsets and keys holding U+0000.
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
from newsledger.v1 import event_store_pb2 as es
from tests.support.page_tokens import forged_token
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


@st.composite
def hostile_json(draw: st.DrawFn) -> str:
    """Return JSON text a lenient parser or a database mishandles."""
    depth = draw(st.sampled_from([63, 64, 65, 330, 1200]))
    opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    payload = json.dumps(statement())
    return draw(
        st.sampled_from(
            [
                '{"a":' + opening * depth + ("1" if opening != "[" else "") + closing * depth + "}",
                payload[:-1] + ', "speaker_id": "other"}',
                '{"a": {"b": 1, "b": 2}}',
                payload.replace("clear the air", "clear\\u0000 the air"),
                '{"a\\u0000": 1}',
            ]
        )
    )


FORGED_POSITIONS = [0, 1, 2**63 - 1, 2**63, 2**64, -1, 1.5, "7"]
FORGED_KEYS = ["", "0", "abc", "-1", str(2**63 - 1), str(2**63), "1e3", "a\x00", "talks", "zzz"]


ANY_READ = st.sampled_from(["log", "stream", "timeline", "negotiations", "other"])
FORGED_KEY = st.sampled_from(FORGED_KEYS) | st.text(max_size=8)


def page_tokens(
    reads: st.SearchStrategy[str] = ANY_READ, keys: st.SearchStrategy[str] = FORGED_KEY
) -> st.SearchStrategy[str]:
    """Return tokens with positions and keys a client could forge, for the reads drawn."""
    return st.builds(forged_token, reads, st.booleans(), st.sampled_from(FORGED_POSITIONS), keys)


def opened_with_nul_title() -> es.ProposedEvent:
    """Return a NegotiationOpened event for negotiation-fuzz-talks whose title holds U+0000."""
    payload = {
        "negotiation_id": "fuzz-talks",
        "title": "Fuzz\x00talks",
        "parties": [{"party_id": "us", "name": "United States", "kind": "PARTY_KIND_STATE"}],
    }
    return es.ProposedEvent(
        event_id=str(uuid.uuid4()), event_type="NegotiationOpened", payload_json=json.dumps(payload)
    )


@st.composite
def hostile_events(draw: st.DrawFn) -> es.ProposedEvent:
    """Return an event whose payload or metadata is hostile JSON, or a title holding U+0000."""
    if draw(st.integers(0, 4)) == 0:
        return opened_with_nul_title()
    event = es.ProposedEvent(
        event_id=str(uuid.uuid4()), event_type="StatementMade", payload_json=json.dumps(statement())
    )
    if draw(st.booleans()):
        event.payload_json = draw(hostile_json())
    else:
        event.metadata_json = draw(hostile_json())
    return event


def strings(field: FieldDescriptor) -> st.SearchStrategy[str]:
    """Return a strategy for a string field, with JSON fields drawing JSON-ish text."""
    plain = st.text(max_size=40) | st.sampled_from(WORDS) | st.text(min_size=1000, max_size=1300)
    if field.name == "event_id":
        return st.uuids().map(str) | plain
    if field.name in ("event_type", "event_types"):
        return st.sampled_from(sorted(known_event_types())) | plain
    if field.name.endswith("_json"):
        return (
            mutated_payloads()
            | JSON_VALUES.map(json.dumps)
            | plain
            | st.just("1e999")
            | hostile_json()
        )
    if field.name == "page_token":
        return page_tokens() | plain
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
