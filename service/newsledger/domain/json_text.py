"""The JSON text the store writes: compact, keys sorted, and when that text is canonical.

The store keeps payloads and metadata as this text, so that equal objects compare equal and
an exact retry is recognised. The audit log needs their RFC 8785 form; for plain JSON the
two are the same text, which ``is_canonical_value`` decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
_FIRST_UNSAFE_KEY_CHAR = "\ue000"


_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _c_compact_encoder() -> Callable[[Any, int], Iterable[str]] | None:
    """Return the C encoder behind ``_COMPACT``, made once instead of on every call.

    Made without circular-reference markers: objects parsed from JSON or YAML have no
    cycles. None where the private constructor is missing or differs.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        made: Callable[[Any, int], Iterable[str]] = make(
            None, _COMPACT.default, json.encoder.encode_basestring, None, ":", ",",
            True, False, True,
        )  # fmt: skip
    except TypeError:
        return None
    return made


_C_COMPACT = _c_compact_encoder()


def compact_json(value: Any) -> str:
    """Return ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    if _C_COMPACT is None:
        return _COMPACT.encode(value)
    return "".join(_C_COMPACT(value, 0))


def normalise_json(value: Mapping[str, Any]) -> str:
    """Serialise a JSON object with sorted keys and no spaces, so equal objects compare equal."""
    if not value and type(value) is dict:
        return "{}"
    return compact_json(value)


def is_canonical_value(value: Any) -> bool:
    """Tell that ``normalise_json`` text of value parses back to it and is its RFC 8785 form.

    True for exact dicts with string keys, lists, strings, bools, None and integers within
    +/-(2**53 - 1), with no key holding a character at or above U+E000 (where code-point
    and UTF-16 key orders differ). Tuples, floats and subclasses answer False. A lone
    surrogate is not detected here; the UTF-8 encoding of the text refuses it.
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) < _FIRST_UNSAFE_KEY_CHAR):
                return False
            member = type(item)
            if member is str or member is bool or item is None:
                continue
            if member is int:
                if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    return False
            elif not is_canonical_value(item):
                return False
        return True
    if kind is list:
        return all(is_canonical_value(item) for item in value)
    if kind is int:
        number: int = value
        return -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER
    return kind is str or kind is bool or value is None
