"""Validation of event payloads against the developments proto schemas, field by field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.application.errors import Violation
from newsledger.application.validation.verdicts import generate_checks
from newsledger.domain.upcasting import UnsupportedSchemaVersion, upcast
from newsledger.v1 import developments_pb2

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
DECIMAL_PATTERN = re.compile(r"-?\d+(\.\d+)?")
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EVENT_REFERENCE_FIELDS = frozenset({"corrects", "into_event_id"})
JSON_MESSAGES = frozenset({"google.protobuf.Value", "google.protobuf.Struct"})
INT32_RANGE = range(-(2**31), 2**31)
INT64_RANGE = range(-(2**63), 2**63)
PARTY_REFERENCE_FIELDS = frozenset({"claimed_by", "imposed_by", "targets", "side"})
_POOL = developments_pb2.DESCRIPTOR.pool
REQUIRED = _POOL.FindEnumTypeByName("google.api.FieldBehavior").values_by_name["REQUIRED"].number


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What one proto field accepts in protobuf JSON, precomputed from its descriptor."""

    kind: str
    repeated: bool
    required: bool
    message: str = ""
    enum_names: frozenset[str] = frozenset()
    text_format: str = ""


def _text_format(name: str) -> str:
    """Return the naming convention a string field's text must follow, if any."""
    if name.endswith("_date"):
        return "date"
    if name.endswith(("_percent", "_value")):
        return "decimal"
    if name == "time_zone":
        return "time_zone"
    if name in EVENT_REFERENCE_FIELDS:
        return "event_id"
    if name.endswith(("_id", "_ids")) or name in PARTY_REFERENCE_FIELDS:
        return "slug"
    return ""


def _is_required(field: FieldDescriptor) -> bool:
    """Return True when the field carries `(google.api.field_behavior) = REQUIRED`."""
    return any(
        option.full_name == "google.api.field_behavior" and REQUIRED in value
        for option, value in field.GetOptions().ListFields()
    )


def _rule(field: FieldDescriptor) -> FieldRule:
    """Compile one field descriptor into its rule."""
    repeated, required = field.is_repeated, _is_required(field)
    if field.message_type is not None:
        full_name = field.message_type.full_name
        kind = "timestamp" if full_name == "google.protobuf.Timestamp" else "message"
        kind = "json" if full_name in JSON_MESSAGES else kind
        return FieldRule(kind, repeated, required, message=full_name)
    if field.enum_type is not None:
        names = frozenset(value.name for value in field.enum_type.values)
        return FieldRule("enum", repeated, required, enum_names=names)
    kinds = {
        FieldDescriptor.TYPE_STRING: "string",
        FieldDescriptor.TYPE_BOOL: "bool",
        FieldDescriptor.TYPE_INT32: "int32",
        FieldDescriptor.TYPE_INT64: "int64",
    }
    return FieldRule(kinds[field.type], repeated, required, text_format=_text_format(field.name))


def _compile(descriptor: Descriptor, rules: dict[str, dict[str, FieldRule]]) -> None:
    """Add the rules of a message and every message it contains to `rules`."""
    if descriptor.full_name in rules:
        return
    rules[descriptor.full_name] = compiled = {}
    for field in descriptor.fields:
        compiled[field.name] = _rule(field)
        if field.message_type is not None and compiled[field.name].kind == "message":
            _compile(field.message_type, rules)


def _event_messages() -> dict[str, Descriptor]:
    """Return the developments' messages that are event types.

    The rule: a message of `developments.proto` is an event type exactly when it has a
    `report` field (who reported what, when); the other messages are its parts.
    """
    messages = developments_pb2.DESCRIPTOR.message_types_by_name
    return {
        name: message for name, message in messages.items() if "report" in message.fields_by_name
    }


EVENT_MESSAGES = _event_messages()
RULES: dict[str, dict[str, FieldRule]] = {}
for _message in EVENT_MESSAGES.values():
    _compile(_message, RULES)


def known_event_types() -> frozenset[str]:
    """Return the event type names that have a schema."""
    return frozenset(EVENT_MESSAGES)


@cache
def _is_time_zone(name: str) -> bool:
    """Return True when `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return False
    return True


def _is_date(text: str) -> bool:
    """Return True for a valid calendar date written YYYY-MM-DD."""
    if not DATE_PATTERN.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_timestamp(text: str) -> bool:
    """Return True for an RFC 3339 timestamp protobuf accepts."""
    try:
        Timestamp().FromJsonString(text)
    except ValueError:
        return False
    return True


TEXT_CHECKS: dict[str, tuple[Callable[[str], object], str]] = {
    "date": (_is_date, "must be a date written YYYY-MM-DD"),
    "decimal": (DECIMAL_PATTERN.fullmatch, "must be a decimal string such as 2.3 or -0.75"),
    "time_zone": (_is_time_zone, "must be an IANA time zone such as America/New_York"),
    "slug": (SLUG_PATTERN.fullmatch, "must be a lowercase slug such as us-china"),
    "event_id": (UUID_PATTERN.fullmatch, "must be an event id (a lowercase UUID)"),
}


def _scalar_problem(rule: FieldRule, value: Any) -> str | None:
    """Return what is wrong with one non-message value, or None."""
    if rule.kind == "json":
        return (
            "floats are not allowed: write figures as decimal strings"
            if _has_float(value)
            else None
        )
    if isinstance(value, float):
        return "floats are not allowed: write figures as decimal strings"
    if rule.kind in ("string", "enum", "timestamp") and not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if rule.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if rule.kind in ("int32", "int64"):
        if isinstance(value, str) and rule.kind == "int64" and re.fullmatch(r"-?\d+", value):
            value = int(value)
        bounds = INT32_RANGE if rule.kind == "int32" else INT64_RANGE
        if isinstance(value, bool) or not isinstance(value, int) or value not in bounds:
            return f"must be an {rule.kind} integer"
        return None
    if rule.kind == "enum" and value not in rule.enum_names:
        named = sorted(name for name in rule.enum_names if not name.endswith("_UNSPECIFIED"))
        return f"must be one of {', '.join(named)}"
    if rule.kind == "timestamp" and not _is_timestamp(value):
        return "must be an RFC 3339 timestamp such as 2025-08-12T04:01:00Z"
    if value and rule.text_format:
        accepts, description = TEXT_CHECKS[rule.text_format]
        if not accepts(value):
            return description
    return None


def _has_float(value: Any) -> bool:
    """Tell whether a JSON value holds a float anywhere."""
    if isinstance(value, float):
        return True
    if isinstance(value, Mapping):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    return False


def _is_missing(rule: FieldRule, value: Any) -> bool:
    """Return True when a REQUIRED field is absent or holds only its default."""
    if rule.kind == "json":
        return value is None
    if value is None or value in ("", [], {}):
        return True
    return rule.kind == "enum" and str(value).endswith("_UNSPECIFIED")


def _check_value(rule: FieldRule, value: Any, path: str, out: list[Violation]) -> None:
    """Append violations of one (non-repeated) value at `path`."""
    if value is None:
        out.append(Violation(path, "must not be null"))
    elif rule.kind == "message":
        _check_message(RULES[rule.message], value, path, out)
    elif (problem := _scalar_problem(rule, value)) is not None:
        out.append(Violation(path, problem))


def _check_message(
    rules: Mapping[str, FieldRule], value: Any, path: str, out: list[Violation]
) -> None:
    """Append violations of one message object at `path` (empty for the payload itself)."""
    if not isinstance(value, Mapping):
        out.append(Violation(path or "payload", "must be an object"))
        return
    prefix = f"{path}." if path else ""
    for name, item in value.items():
        rule = rules.get(name)
        field_path = f"{prefix}{name}"
        if rule is None:
            out.append(Violation(field_path, "unknown field"))
        elif not rule.repeated:
            _check_value(rule, item, field_path, out)
        elif not isinstance(item, list):
            out.append(Violation(field_path, "must be a list"))
        else:
            for index, element in enumerate(item):
                _check_value(rule, element, f"{field_path}[{index}]", out)
    for name, rule in rules.items():
        if rule.required and _is_missing(rule, value.get(name)):
            out.append(Violation(f"{prefix}{name}", "required"))


VERDICTS = generate_checks(RULES, _scalar_problem, TEXT_CHECKS)
"""Per message name: does a value pass, without describing why not (see schema_verdicts)."""


def validate_payload(
    event_type: str, schema_version: int, payload: Mapping[str, Any]
) -> list[Violation]:
    """Return every violation of the payload against its event type's schema (empty if valid)."""
    message = EVENT_MESSAGES.get(event_type)
    if message is None:
        return [Violation("event_type", f"unknown event type {event_type!r}")]
    try:
        current = upcast(event_type, schema_version, payload)
    except UnsupportedSchemaVersion as error:
        return [Violation("schema_version", str(error))]
    if VERDICTS[message.full_name](current):
        return []
    violations: list[Violation] = []
    _check_message(RULES[message.full_name], current, "", violations)
    return violations
