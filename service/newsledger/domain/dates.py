"""Reported times: the local date a deadline falls on, and days remaining from a query date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

INSTANT = "DATE_PRECISION_INSTANT"
DAY = "DATE_PRECISION_DAY"


@dataclass(frozen=True, slots=True)
class Countdown:
    """Whole days left until a deadline on a query date, and whether it has passed."""

    days_remaining: int
    expired: bool


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (as protobuf JSON writes it) into an aware datetime."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no offset")
    return parsed


def zone_of(reported: Mapping[str, Any]) -> ZoneInfo:
    """Return the reported time's IANA zone, UTC when it names none."""
    return ZoneInfo(str(reported.get("time_zone") or "UTC"))


def countdown(deadline: Mapping[str, Any], as_of: date) -> Countdown | None:
    """Count whole days from the start of `as_of` (in the deadline's zone) to the deadline.

    Only an INSTANT or DAY deadline has a countdown; coarser ones return None rather than
    pretend to know the day. A deadline is expired once the start of the query day is at or
    after it: an INSTANT deadline at 00:01 has not passed at the start of its own day.
    """
    zone = zone_of(deadline)
    precision = deadline.get("precision")
    if precision == INSTANT and deadline.get("start_time"):
        instant = parse_rfc3339(str(deadline["start_time"]))
        local_date = instant.astimezone(zone).date()
        expired = datetime.combine(as_of, time.min, tzinfo=zone) >= instant
    elif precision == DAY and deadline.get("start_date"):
        local_date = date.fromisoformat(str(deadline["start_date"]))
        expired = as_of > local_date
    else:
        return None
    return Countdown(days_remaining=0 if expired else (local_date - as_of).days, expired=expired)


def check_reported_time(reported: Mapping[str, Any]) -> None:
    """Raise ValueError (or KeyError for an unknown zone) if a reported time cannot be read."""
    zone_of(reported)
    for key in ("start_time", "end_time"):
        if reported.get(key):
            parse_rfc3339(str(reported[key]))
    for key in ("start_date", "end_date"):
        if reported.get(key):
            date.fromisoformat(str(reported[key]))
