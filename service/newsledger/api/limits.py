"""Generic limits every request message must respect, checked by walking its fields.

The walk reads the message's descriptor, so an RPC added later is covered without code:
string and bytes lengths, repeated-field counts, integers that fit the store's signed
64-bit columns, page sizes, timestamps within years 1 to 9999, and enum values the contract
declares. Field-specific rules (a UUID, a date, a page token) stay with the servicers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

from newsledger.api.conversions import MAX_PAGE_SIZE
from newsledger.application.errors import Violation
from newsledger.config import MAX_MESSAGE_BYTES
from newsledger.store.limits import StoreLimits

MAX_INT64 = 2**63 - 1
MIN_TIMESTAMP_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
MAX_TIMESTAMP_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TIMESTAMP = "google.protobuf.Timestamp"
_INTEGERS = frozenset(
    {
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_FIXED32,
    }
)


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """Caps on a request as a whole and on each kind of field."""

    max_request_bytes: int = MAX_MESSAGE_BYTES
    max_string_chars: int = 1024
    max_repeated: int = 1000
    max_page_size: int = MAX_PAGE_SIZE
    # Longer caps for named fields; the store still enforces its exact byte limits.
    string_chars: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_store(cls, store: StoreLimits) -> RequestLimits:
        """Return limits consistent with the store's caps."""
        json_chars = 2 * store.max_event_bytes  # room for whitespace the store normalises away
        return cls(
            max_repeated=store.max_batch_events,
            string_chars={
                "stream": store.max_stream_name_length,
                "event_type": store.max_event_type_length,
                "event_types": store.max_event_type_length,
                "payload_json": json_chars,
                "metadata_json": json_chars,
            },
        )


@dataclass(slots=True)
class _Walk:
    limits: RequestLimits
    violations: list[Violation] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)

    def add(self, path: str, description: str, reason: str = "INVALID_ARGUMENT") -> None:
        self.violations.append(Violation(path, description))
        self.reasons.add(reason)

    def message(self, message: Message, prefix: str) -> None:
        if message.DESCRIPTOR.full_name == _TIMESTAMP:
            self.timestamp(message, prefix.rstrip("."))
            return
        for descriptor, value in message.ListFields():
            path = f"{prefix}{descriptor.name}"
            if descriptor.is_repeated:
                self.repeated(descriptor, list(value), path)
            else:
                self.scalar(descriptor, value, path)

    def repeated(self, descriptor: FieldDescriptor, values: list[object], path: str) -> None:
        if len(values) > self.limits.max_repeated:
            reason = "BATCH_TOO_LARGE" if descriptor.name == "events" else "INVALID_ARGUMENT"
            self.add(
                path, f"holds {len(values)} items; the limit is {self.limits.max_repeated}", reason
            )
            return
        for index, value in enumerate(values):
            self.scalar(descriptor, value, f"{path}[{index}]")

    def scalar(self, descriptor: FieldDescriptor, value: object, path: str) -> None:
        if isinstance(value, Message):
            self.message(value, f"{path}.")
        elif isinstance(value, str):
            self.text(descriptor.name, value, path)
        elif isinstance(value, bytes) and len(value) > self.limits.max_string_chars:
            self.add(
                path, f"is {len(value)} bytes long; the limit is {self.limits.max_string_chars}"
            )
        elif descriptor.enum_type is not None:
            self.enum(descriptor.enum_type, value, path)
        elif isinstance(value, int):
            self.integer(descriptor, value, path)

    def text(self, name: str, value: str, path: str) -> None:
        cap = self.limits.string_chars.get(name, self.limits.max_string_chars)
        if len(value) > cap:
            reason = "EVENT_TOO_LARGE" if name.endswith("_json") else "INVALID_ARGUMENT"
            self.add(path, f"is {len(value)} characters long; the limit is {cap}", reason)
        elif _CONTROL.search(value):
            self.add(path, "must not contain control characters")

    def enum(self, enum_type: EnumDescriptor, value: object, path: str) -> None:
        if value not in enum_type.values_by_number:
            self.add(path, f"{value} is not a value of {enum_type.name}")

    def integer(self, descriptor: FieldDescriptor, value: int, path: str) -> None:
        if descriptor.name == "page_size" and not 0 <= value <= self.limits.max_page_size:
            self.add(path, f"must be between 1 and {self.limits.max_page_size}")
        elif descriptor.type in _INTEGERS and value > MAX_INT64:
            self.add(path, f"must be at most {MAX_INT64}")

    def timestamp(self, message: Message, path: str) -> None:
        seconds, nanos = getattr(message, "seconds", 0), getattr(message, "nanos", 0)
        if not MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS:
            self.add(path, "must lie between years 1 and 9999")
        elif not 0 <= nanos <= 999_999_999:
            self.add(path, "nanos must be between 0 and 999999999")


def request_violations(message: Message, limits: RequestLimits) -> tuple[list[Violation], str]:
    """Return every generic violation of message, and the ErrorInfo reason that fits them."""
    walk = _Walk(limits)
    walk.message(message, "")
    for reason in ("BATCH_TOO_LARGE", "EVENT_TOO_LARGE"):
        if reason in walk.reasons:
            return walk.violations, reason
    return walk.violations, "INVALID_ARGUMENT"
