"""The store's JSON text of a payload or metadata, and whether it is RFC 8785, in one step.

Fast path: ``normalise_json_canonical`` (orjson for canonical values). Reference:
``domain.json_text.normalise_json`` and ``is_canonical_value``. Equivalence test:
``tests/unit/test_canonical_text.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from newsledger.domain.json_text import compact_json, is_canonical_value, normalise_json


def normalise_json_canonical(value: Mapping[str, Any]) -> tuple[str, bool]:
    """Return ``normalise_json(value)`` and ``is_canonical_value(value)``, the text made fast.

    For a canonical value (exact dicts, lists, strings, bools, None, integers within
    +/-(2**53 - 1)) orjson writes the same text as ``json.dumps`` (keys in code-point order,
    the same escapes, nothing else to choose), in C. What it cannot write (a lone surrogate,
    nesting deeper than it allows) and every other value goes through ``compact_json``.
    """
    if not value and type(value) is dict:
        return "{}", True
    if not is_canonical_value(value):
        return normalise_json(value), False
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode(), True
    except orjson.JSONEncodeError:
        return compact_json(value), True
