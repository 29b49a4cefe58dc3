"""ProtoJSON field names: payloads may use lowerCamelCase; the ledger stores proto names.

The ProtoJSON spec has printers emit lowerCamelCase names (`startDate`) by default, as
`MessageToJson`, Go's `protojson` and protobuf-es do, and parsers accept both that and the
proto field name (`start_date`). So does an append: each payload is rewritten to the proto
field names of its type before it is validated and stored, so the stored event, its hash
and every reader see one canonical form whichever a client sent. Keys of free-form fields
(`google.protobuf.Struct`, `Value`) and of maps are data, and stay as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from newsledger.application.errors import Violation
from newsledger.application.validation.payloads import EVENT_MESSAGES

FREE_FORM = frozenset(
    {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
)


@functools.cache
def _renames(descriptor: Descriptor) -> dict[str, str]:
    """Return {json_name: proto name} for the fields whose two names differ."""
    return {f.json_name: f.name for f in descriptor.fields if f.json_name != f.name}


CAMEL_KEY = re.compile(r'"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*"\s*:')
"""A lowerCamelCase object key: most payloads have none, and one search tells (the names
of every event type are snake_case, so a key like this is a JSON name or unknown)."""


def canonical_payload(
    payload: dict[str, Any], text: str, event_type: str, field: str, violations: list[Violation]
) -> dict[str, Any]:
    """Return payload with lowerCamelCase keys renamed to the proto field names of its type.

    A field given under both of its names is a violation naming both. Unknown types and
    unknown keys are left for validation to report.
    """
    descriptor = EVENT_MESSAGES.get(event_type)
    if descriptor is None or not CAMEL_KEY.search(text):
        return payload
    renamed: dict[str, Any] = _rename(payload, descriptor, field, violations)
    return renamed


def _rename(
    value: Mapping[str, Any], descriptor: Descriptor, path: str, violations: list[Violation]
) -> dict[str, Any]:
    renames = _renames(descriptor)
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = renames.get(key, key)
        if name in out:
            violations.append(
                Violation(
                    f"{path}.{name}",
                    f"is given twice, as {name} and {descriptor.fields_by_name[name].json_name}",
                )
            )
            continue
        field = descriptor.fields_by_name.get(name)
        out[name] = _field_value(field, item, f"{path}.{name}", violations) if field else item
    return out


def _field_value(field: FieldDescriptor, item: Any, path: str, violations: list[Violation]) -> Any:
    message = field.message_type
    if message is None or message.full_name in FREE_FORM:
        return item
    if message.GetOptions().map_entry:
        value_field = message.fields_by_name["value"]
        if isinstance(item, Mapping):
            return {
                k: _field_value(value_field, v, f"{path}[{k}]", violations) for k, v in item.items()
            }
        return item
    if isinstance(item, list):
        return [
            _rename(element, message, f"{path}[{index}]", violations)
            if isinstance(element, Mapping)
            else element
            for index, element in enumerate(item)
        ]
    return _rename(item, message, path, violations) if isinstance(item, Mapping) else item
