"""What JSON text from a request may not do: name a key twice, or nest without end.

A key twice in one object is refused because parsers disagree on which value wins, so
another reader of the log could see a different event than the one validated here.
Nesting is bounded because nothing in an event needs depth, and recursion has limits.
"""

from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 64
TOO_DEEP = f"nests deeper than {MAX_JSON_DEPTH} levels"


class DuplicateKey(ValueError):
    """A JSON object names one key twice."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"has the key {key!r} more than once; each key may appear once")


def object_with_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Return the object of a JSON decoder's key-value pairs; raise DuplicateKey on a repeat."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return value


def json_problem(error: ValueError) -> str:
    """Return what a decoding error says about the text, as a violation's description."""
    if isinstance(error, DuplicateKey):
        return str(error)
    return f"is not valid JSON: {error}"


def nests_too_deep(text: str, value: Any) -> bool:
    """Tell whether value, parsed from text, nests objects and arrays beyond MAX_JSON_DEPTH.

    Text with fewer brackets than the limit cannot, which spares the walk for nearly all.
    """
    if text.count("{") + text.count("[") <= MAX_JSON_DEPTH:
        return False
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
