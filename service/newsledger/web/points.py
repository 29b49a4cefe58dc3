"""A point on a negotiation's time axes, as the page's controls, the URL and the CLI spell it.

`as_of` is a date (valid time); `known_at` an RFC 3339 instant or a date meaning the end of
that day in UTC (record time); `reported_by` an instant or a date the same way (what the
press had published by then). Each axis is one control: adding an axis is one more entry in
CONTROLS and one more field of Point.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from google.protobuf.timestamp_pb2 import Timestamp

MAX_TEXT = 64
"""The longest value a control accepts: every valid spelling is far shorter."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})")


class BadPoint(ValueError):
    """A control's value cannot be read; the message names the control and the value."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.detail = message


@dataclass(frozen=True, slots=True)
class Control:
    """One input of the page: its query parameter, label, placeholder and help."""

    name: str
    label: str
    placeholder: str
    help: str


CONTROLS = (
    Control(
        "as_of",
        "as of",
        "YYYY-MM-DD",
        "valid time: what counts by this date, days remaining from it (default: today, UTC)",
    ),
    Control(
        "known_at",
        "known at",
        "YYYY-MM-DD or 2025-07-01T09:00:00Z",
        "record time: the answer the ledger gave then; a date means the end of that day, UTC "
        "(default: now)",
    ),
    Control(
        "reported_by",
        "reported by",
        "YYYY-MM-DD or 2025-07-01T09:00:00Z",
        "publication time: only what the sources had published by then; a date means the end "
        "of that day, UTC (default: everything)",
    ),
)
"""The page's controls, in the order shown; each is a field of Point of the same name."""


def parse_day(text: str, name: str = "as_of") -> date:
    """Return a date written YYYY-MM-DD, or raise BadPoint naming the control."""
    if len(text) > MAX_TEXT or not _DATE.fullmatch(text):
        raise BadPoint(name, f"{_shown(text)} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadPoint(name, f"{_shown(text)} is not a date: {error}") from None


def parse_instant(text: str, name: str = "known_at") -> datetime:
    """Return an aware instant from RFC 3339, or the end of a date's day in UTC."""
    if len(text) > MAX_TEXT:
        raise BadPoint(name, f"{_shown(text)} is too long for an instant")
    if _DATE.fullmatch(text):
        return datetime.combine(parse_day(text, name), time.max, tzinfo=UTC)
    if not _INSTANT.fullmatch(text):
        raise BadPoint(name, f"{_shown(text)} is neither an RFC 3339 instant nor a date YYYY-MM-DD")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as error:
        raise BadPoint(name, f"{_shown(text)} is not an instant: {error}") from None


def timestamp_of(instant: datetime) -> Timestamp:
    """Return an instant as a protobuf Timestamp."""
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def _shown(text: str) -> str:
    """Return a user's value quoted for a message, cut when long."""
    return repr(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…")


@dataclass(frozen=True, slots=True)
class Point:
    """Where on the time axes a view is asked for; empty fields mean the server's default."""

    as_of: str = ""
    known_at: str = ""
    reported_by: str = ""

    def __post_init__(self) -> None:
        if self.as_of:
            parse_day(self.as_of, "as_of")
        if self.known_at:
            parse_instant(self.known_at, "known_at")
        if self.reported_by:
            parse_instant(self.reported_by, "reported_by")

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Point:
        """Read a point from URL query parameters, checking each control."""
        return cls(**{control.name: query.get(control.name, "").strip() for control in CONTROLS})

    def with_changes(self, **changes: str) -> Point:
        """Return this point with some axes set to other values."""
        return replace(self, **changes)

    def query(self, **extra: str) -> str:
        """Return the URL query of this point (set axes only) and extra parameters."""
        pairs = [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]
        pairs += [(key, value) for key, value in extra.items() if value]
        return urlencode(pairs)

    def known_at_instant(self) -> datetime | None:
        """Return known_at as an aware instant, or None for now."""
        return parse_instant(self.known_at) if self.known_at else None

    def request_fields(self) -> dict[str, Any]:
        """Return the request fields that ask the API for this point."""
        instant = self.known_at_instant()
        reported = parse_instant(self.reported_by, "reported_by") if self.reported_by else None
        return {
            "as_of": self.as_of,
            "known_at": timestamp_of(instant) if instant else None,
            "reported_by": timestamp_of(reported) if reported else None,
        }

    def describe(self) -> str:
        """Return the point in words, e.g. `as of 2025-06-11, as known now`."""
        as_of = f"as of {self.as_of}" if self.as_of else "as of today"
        known = f"as known at {self.known_at}" if self.known_at else "as known now"
        reported = f", as reported by {self.reported_by}" if self.reported_by else ""
        return f"{as_of}, {known}{reported}"
