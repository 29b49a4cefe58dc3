"""Protobuf messages built from proto-JSON dicts: what `json_format.ParseDict` builds, faster.

ParseDict converts every field in Python, a few microseconds each, which is most of the time
a large view takes. Here each value is checked against its field's type in one small step,
and the message constructor (C code) builds the message from the checked dict. A value the
quick path does not take as it stands (a camelCase name, a number it does not recognise in a
string, a map, another well-known type than Timestamp…) sends the whole dict to ParseDict,
which then builds the message or raises its usual ParseError: the result is the same.

Fast path: ``message_from_dict``. Reference: ``json_format.ParseDict``. Equivalence test:
``tests/unit/api/test_message_dicts.py`` (byte for byte, and the same errors).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

MessageType = TypeVar("MessageType", bound=Message)
Converter = Callable[[Any], Any]

PARSE_DICT_MAX_DEPTH = 100
"""ParseDict's default nesting limit; a message type that could nest deeper is not quick."""

_DECIMAL = re.compile(r"-?[0-9]+")
_INTEGER_TYPES = frozenset(
    {
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    }
)
_TIMESTAMP = Timestamp.DESCRIPTOR.full_name


class _NotQuick(Exception):
    """A value the quick path leaves to ParseDict."""


def message_from_dict(data: dict[str, Any], message_type: type[MessageType]) -> MessageType:
    """Return the message a proto-JSON dict describes, equal to ParseDict's (unknown fields
    rejected), raising ParseError where ParseDict would."""
    convert = _message_converter(message_type.DESCRIPTOR)
    if convert is not None:
        with contextlib.suppress(_NotQuick, TypeError, ValueError):  # ParseDict decides those
            return message_type(**convert(data))
    return json_format.ParseDict(data, message_type(), ignore_unknown_fields=False)


def _exactly(kind: type) -> Converter:
    """Return a check that a value has exactly this type (ParseDict's bool and str rules)."""

    def convert(value: Any) -> Any:
        if type(value) is not kind:
            raise _NotQuick
        return value

    return convert


def _integer(value: Any) -> int:
    """Return an integer given as a JSON number or a decimal string, as ParseDict reads it."""
    if type(value) is int:
        return value
    if type(value) is str and _DECIMAL.fullmatch(value):
        return int(value)
    raise _NotQuick


def _enum(field: FieldDescriptor) -> Converter:
    """Return a converter of an enum value given by name to its number."""
    enum_type = field.enum_type
    assert enum_type is not None
    numbers = {value.name: value.number for value in enum_type.values}

    def convert(value: Any) -> int:
        number = numbers.get(value) if type(value) is str else None
        if number is None:
            raise _NotQuick
        return number

    return convert


def _timestamp(value: Any) -> Timestamp:
    """Return a Timestamp from its RFC 3339 text (a ValueError sends it to ParseDict)."""
    message = Timestamp()
    message.FromJsonString(value)
    return message


def _repeated(convert: Converter) -> Converter:
    """Return a converter of a JSON array whose items `convert` converts (no nulls)."""

    def convert_all(value: Any) -> list[Any]:
        if type(value) is not list and type(value) is not tuple:
            raise _NotQuick
        return [convert(item) for item in value]

    return convert_all


def _fields_converter(fields: dict[str, Converter]) -> Converter:
    """Return a converter of a JSON object to constructor arguments, field by field."""

    def convert(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _NotQuick
        arguments = {}
        for name, item in value.items():
            convert_field = fields.get(name)
            if convert_field is None:
                raise _NotQuick
            if item is not None:
                arguments[name] = convert_field(item)
        return arguments

    return convert


def _field_converter(field: FieldDescriptor) -> Converter | None:
    """Return a converter of one field's value, or None when the quick path does not take it."""
    single: Converter | None
    if field.message_type is not None:
        if field.message_type.GetOptions().map_entry:
            return None
        if field.message_type.full_name == _TIMESTAMP:
            single = _timestamp
        else:
            single = _message_converter(field.message_type)
    elif field.cpp_type in _INTEGER_TYPES:
        single = _integer
    elif field.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        single = _enum(field)
    elif field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        single = _exactly(bool)
    elif field.cpp_type == FieldDescriptor.CPPTYPE_STRING and field.type != field.TYPE_BYTES:
        single = _exactly(str)
    else:
        return None
    if single is None:
        return None
    return _repeated(single) if field.is_repeated else single


@functools.cache
def _message_converter(descriptor: Descriptor) -> Converter | None:
    """Return the converter of a message type, or None when the quick path does not take it:
    it may nest too deep, holds another well-known type, a map, bytes, floating point, or a
    oneof of several fields (which ParseDict checks)."""
    if descriptor.full_name.startswith("google.protobuf.") or _depth(descriptor) is None:
        return None
    if any(len(oneof.fields) > 1 for oneof in descriptor.oneofs):
        return None
    fields: dict[str, Converter] = {}
    for field in descriptor.fields:
        convert = _field_converter(field)
        if convert is None:
            return None
        fields[field.name] = convert
    return _fields_converter(fields)


def _depth(descriptor: Descriptor, enclosing: frozenset[str] = frozenset()) -> int | None:
    """Return how deep this message type nests, itself included, or None when it may nest
    without end or past ParseDict's limit."""
    if descriptor.full_name in enclosing:
        return None
    inside = enclosing | {descriptor.full_name}
    deepest = 0
    for field in descriptor.fields:
        if field.message_type is not None:
            depth = _depth(field.message_type, inside)
            if depth is None:
                return None
            deepest = max(deepest, depth)
    depth = deepest + 1
    return depth if len(enclosing) + depth <= PARSE_DICT_MAX_DEPTH else None
