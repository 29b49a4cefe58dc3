"""RFC 8785 (JCS) canonical JSON for the float-free I-JSON subset the audit log admits.

Two encoders give the same bytes. The fast one is the standard library's C encoder,
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``; it is
used only when one pass over the value shows that, for this value, it *is* RFC 8785:

- no floats and every integer within +/-(2**53 - 1): JCS then prints numbers as plain
  decimal integers, exactly as ``int.__repr__`` does, and ``true``/``false``/``null``
  as ``json`` does;
- only exact ``dict`` (string keys), ``list``, ``tuple``, ``str``, ``int``, ``bool``
  and ``None``: subclasses and other types take the reference path;
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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1
"""I-JSON (RFC 7493) and JCS only promise integers that a binary64 double holds exactly."""

_FIRST_UNSAFE_KEY_CHAR = "\ue000"
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _make_c_encoder() -> Callable[[Any, int], Iterable[str]] | None:
    """Return the C encoder object behind ``_ENCODER``, made once; None if unavailable.

    It skips JSONEncoder.encode's per-call set-up. No circular-reference markers: the
    walk that precedes every encoding would recurse forever first.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    try:
        made: Callable[[Any, int], Iterable[str]] = make(
            None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",",
            True, False, False,
        )  # fmt: skip
    except TypeError:  # a Python whose private signature differs
        return None
    return made


_C_ENCODE = _make_c_encoder()


def _encode(value: Any) -> str:
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


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
    if not _fast_path_applies(value):
        return None
    try:
        return _encode(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere
        return None


def reference_canonical_json(value: Any, path: str = "$") -> bytes:
    """Return the RFC 8785 bytes by the reference ``rfc8785`` package after a strict walk."""
    _check_json(value, path)
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as error:
        raise CanonicalError(f"{path}: {error}") from None


def _fast_path_applies(value: Any) -> bool:
    """Tell, in one pass, that the value is float-free I-JSON the C encoder gets right.

    Members that are strings, booleans, null or integers are checked inline, without a
    call each; anything else recurses (and is refused there unless it is a container).
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
            elif not _fast_path_applies(item):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            member = type(item)
            if member is str or member is bool or item is None:
                continue
            if member is int:
                if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    return False
            elif not _fast_path_applies(item):
                return False
        return True
    if kind is int:
        number: int = value
        return -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER
    return kind is str or kind is bool or value is None


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
