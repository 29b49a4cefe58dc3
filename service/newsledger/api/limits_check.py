"""A quick yes to "does this request break no generic limit?", from a plan made per message type.

Reference: ``api.limits.request_violations``, which walks the fields naming every breach.
Most requests break none, so the guard asks this first and walks only when the answer is
not a plain yes: no paths are written, each message type's fields are read from its
descriptor once, and the control-character search runs once over all the request's text.
A message type this cannot plan (a map field) always gets the walk. Equivalence test:
``tests/unit/api/test_limits_check.py``.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from newsledger.api.limits import (
    _CONTROL,
    _INTEGERS,
    _TIMESTAMP,
    MAX_INT64,
    MAX_TIMESTAMP_SECONDS,
    MIN_TIMESTAMP_SECONDS,
    RequestLimits,
)

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""The bytes of the characters ``api.limits`` calls control characters."""
_MESSAGE, _TEXT, _BYTES, _ENUM, _RANGE, _AT_MOST, _FREE = range(7)

FieldPlan = tuple[int, Any, bool]
"""What to check of a field's values: a kind, its bound (or enum numbers), whether repeated."""


class LimitsCheck:
    """Tells that a request breaks none of its limits, without naming anything."""

    def __init__(self, limits: RequestLimits) -> None:
        """Check against limits; plans are made per message type on first sight."""
        self.limits = limits
        # Keyed by the message's descriptor, of whichever protobuf implementation.
        self._plans: dict[Any, dict[Any, FieldPlan] | None] = {}

    def passes(self, message: Message) -> bool:
        """Return True only if ``request_violations(message, limits)`` finds no violation."""
        texts: list[str] = []
        if not self._passes(message, texts):
            return False
        text = "".join(texts)
        try:
            raw = text.encode()
        except UnicodeEncodeError:
            return not _CONTROL.search(text)
        # In UTF-8 a control character is its own byte, never part of another character's.
        return len(raw.translate(None, _CONTROL_BYTES)) == len(raw)

    def _passes(self, message: Message, texts: list[str]) -> bool:
        descriptor = message.DESCRIPTOR
        if descriptor.full_name == _TIMESTAMP:
            seconds, nanos = getattr(message, "seconds", 0), getattr(message, "nanos", 0)
            return MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS and (
                0 <= nanos <= 999_999_999
            )
        try:
            plan = self._plans[descriptor]
        except KeyError:
            plan = self._plans[descriptor] = self._plan(descriptor)
        if plan is None:
            return False
        max_repeated = self.limits.max_repeated
        for field, value in message.ListFields():
            planned = plan.get(field)
            if planned is None:  # an extension: the walk decides
                return False
            kind, bound, repeated = planned
            if repeated:
                if len(value) > max_repeated:
                    return False
                values = value
            else:
                values = (value,)
            if kind == _MESSAGE:
                for item in values:
                    if not self._passes(item, texts):
                        return False
            elif kind == _TEXT:
                for item in values:
                    if len(item) > bound:
                        return False
                    texts.append(item)
            elif kind == _FREE:
                continue
            elif kind == _BYTES:
                if any(len(item) > bound for item in values):
                    return False
            elif kind == _AT_MOST:
                if any(item > bound for item in values):
                    return False
            elif kind == _ENUM:
                if any(item not in bound for item in values):
                    return False
            elif any(not 0 <= item <= bound for item in values):  # _RANGE
                return False
        return True

    def _plan(self, descriptor: Any) -> dict[Any, FieldPlan] | None:
        """Return what to check of each field, as ``_Walk`` would check it; None for a map."""
        limits = self.limits
        plan: dict[Any, FieldPlan] = {}
        for field in descriptor.fields:
            if field.message_type is not None and field.message_type.GetOptions().map_entry:
                return None
            kind: int
            bound: Any = None
            if field.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
                kind = _MESSAGE
            elif field.type == FieldDescriptor.TYPE_STRING:
                kind, bound = _TEXT, limits.string_chars.get(field.name, limits.max_string_chars)
            elif field.type == FieldDescriptor.TYPE_BYTES:
                kind, bound = _BYTES, limits.max_string_chars
            elif field.enum_type is not None:
                kind, bound = _ENUM, frozenset(field.enum_type.values_by_number)
            elif field.name == "page_size" and field.type not in _FLOATS:
                kind, bound = _RANGE, limits.max_page_size
            elif field.type in _INTEGERS:
                kind, bound = _AT_MOST, MAX_INT64
            else:
                kind = _FREE
            plan[field] = (kind, bound, field.is_repeated)
        return plan


_FLOATS = frozenset({FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE})
