"""Opaque page tokens: where the next page starts, bound to the read that issued it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from newsledger.application.errors import InvalidRequest, Violation

# A position or offset must fit the store's signed 64-bit columns; a key (an id or a
# filter echoed back) is printable, so no NUL reaches a database.
MAX_POSITION = 2**63 - 1


@dataclass(frozen=True, slots=True)
class PageCursor:
    """A decoded page token: which read, which direction, and the next position or key."""

    read: str
    backwards: bool
    position: int
    key: str = ""


def encode(cursor: PageCursor) -> str:
    """Return cursor as an opaque, URL-safe token."""
    raw = json.dumps([cursor.read, cursor.backwards, cursor.position, cursor.key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid(field: str) -> InvalidRequest:
    return InvalidRequest(
        [Violation(field, "is not a page token issued by this read")], "INVALID_PAGE_TOKEN"
    )


def decode(token: str, read: str, field: str = "page_token") -> PageCursor:
    """Return the cursor of a token issued by read; raise InvalidRequest for anything else."""
    invalid = _invalid(field)
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise invalid from None
    if not (
        isinstance(values, list)
        and len(values) == 4
        and values[0] == read
        and isinstance(values[1], bool)
        and isinstance(values[2], int)
        and not isinstance(values[2], bool)
        and 0 <= values[2] <= MAX_POSITION
        and isinstance(values[3], str)
        and values[3].isprintable()
    ):
        raise invalid
    return PageCursor(read=values[0], backwards=values[1], position=values[2], key=values[3])


def offset(cursor: PageCursor, field: str = "page_token") -> int:
    """Return the offset a cursor's key holds (decimal digits); raise InvalidRequest otherwise."""
    key = cursor.key or "0"
    if not (key.isascii() and key.isdigit() and int(key) <= MAX_POSITION):
        raise _invalid(field)
    return int(key)
