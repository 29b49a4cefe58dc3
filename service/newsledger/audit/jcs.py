"""RFC 8785 (JCS) canonical JSON for the float-free I-JSON subset the audit log admits.

Two encoders give the same bytes. The fast one is the standard library's C encoder,
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``; it is
used only when one pass over the value (``domain.json_text.is_canonical_value``, the check
the append path uses too) shows that, for this value, it *is* RFC 8785:

- no floats and every integer within +/-(2**53 - 1): JCS then prints numbers as plain
  decimal integers, exactly as ``int.__repr__`` does, and ``true``/``false``/``null``
  as ``json`` does;
- only exact ``dict`` (string keys), ``list``, ``str``, ``int``, ``bool`` and ``None``:
  tuples, subclasses and other types take the reference path;
- no object key holds a character at or above U+E000. ``sort_keys`` orders keys by code
  point, JCS by UTF-16 code unit; the two orders agree on characters below U+D800 (one
  code unit equal to the code point) and differ only between U+E000..U+FFFF and the
  characters above U+FFFF (lead surrogates D800..DBFF). Lone surrogates are refused.

String escaping needs no condition: with ``ensure_ascii=False`` the C encoder escapes
exactly ``"``, ``\\`` and U+0000..U+001F, the latter as ``\\b \\t \\n \\f \\r`` or lowercase
``\\u00xx`` (RFC 8785 section 3.2.2.2), and writes every other character as itself. A
lone surrogate survives ``json.dumps`` but not ``str.encode("utf-8")``, so it is refused
there. Everything else, and every refusal (so that it names the offending JSON path),
goes through the reference ``rfc8785`` package after a precise walk.

Fast path: ``fast_canonical_json``. Reference: ``reference_canonical_json`` (``rfc8785``).
Equivalence test: ``tests/unit/audit/test_jcs_fast_path.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from newsledger.domain.json_text import MAX_SAFE_INTEGER, compact_json, is_canonical_value

__all__ = ["MAX_SAFE_INTEGER", "CanonicalError", "canonical_json", "fast_canonical_json"]


class CanonicalError(ValueError):
    """A value cannot be encoded canonically; the message starts with its JSON path."""


def canonical_json(value: Any, path: str = "$") -> bytes:
    """Return the RFC 8785 bytes of ``value``, or raise CanonicalError naming the path."""
    fast = fast_canonical_json(value)
    if fast is not None:
        return fast
    return reference_canonical_json(value, path)


def fast_canonical_json(value: Any) -> bytes | None:
    """Return the RFC 8785 bytes by the C encoder, or None when only the reference may answer.

    None covers both values the fast path cannot prove canonical and values that are
    refused; :func:`reference_canonical_json` then encodes or refuses them.
    """
    if not is_canonical_value(value):
        return None
    try:
        return compact_json(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere
        return None


def reference_canonical_json(value: Any, path: str = "$") -> bytes:
    """Return the RFC 8785 bytes by the reference ``rfc8785`` package after a strict walk."""
    _check_json(value, path)
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as error:
        raise CanonicalError(f"{path}: {error}") from None


def _check_json(value: Any, path: str) -> None:
    """Walk the value and refuse anything outside the float-free I-JSON subset."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_string(value, path)
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalError(
                f"{path}: integer {value} is outside +/-(2**53 - 1); send it as a decimal string"
            )
        return
    if isinstance(value, float):
        raise CanonicalError(f"{path}: floats are not allowed; send {value!r} as a decimal string")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"{path}: object key {key!r} is not a string")
            _check_string(key, f"{path} key")
            _check_json(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check_json(item, f"{path}[{position}]")
        return
    raise CanonicalError(f"{path}: {type(value).__name__} is not a JSON value")


def _check_string(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError(f"{path}: string holds a lone surrogate, not valid UTF-8") from None
