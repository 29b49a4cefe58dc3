"""Valid time: the day by which a reported development had certainly happened.

A development counts in a view as of a date once it had certainly happened: its reported span
has ended (a week, a month… ends on its last day), or a source reporting it had been
published. Undatable developments (no span, no publication date) count on every date.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from newsledger.domain.dates import parse_rfc3339, zone_of

PRECISION_RANK = {
    "DATE_PRECISION_INSTANT": 6,
    "DATE_PRECISION_DAY": 5,
    "DATE_PRECISION_WEEK": 4,
    "DATE_PRECISION_MONTH": 3,
    "DATE_PRECISION_QUARTER": 2,
    "DATE_PRECISION_YEAR": 1,
    "DATE_PRECISION_UNKNOWN": 0,
    "DATE_PRECISION_UNSPECIFIED": 0,
}
"""How precise each precision is: higher is finer."""

NO_LATER_THAN = "DATE_QUALIFIER_NO_LATER_THAN"
APPROXIMATELY = "DATE_QUALIFIER_APPROXIMATELY"
"""Qualifiers of a reported time. "No later than D" names the last day it can have been: it
counts from D at the latest, as an exact D does. "Approximately D" counts like its precision.
They differ from an exact time only in what a refinement may say (see `is_refinement`)."""


def _local_date(text: str, reported: Mapping[str, Any]) -> date:
    """Return the local date of an RFC 3339 instant in the reported time's zone."""
    return parse_rfc3339(text).astimezone(zone_of(reported)).date()


def span_start(reported: Mapping[str, Any]) -> date | None:
    """Return the first day a reported time covers, or None when it names no day."""
    if reported.get("start_time"):
        return _local_date(str(reported["start_time"]), reported)
    if reported.get("start_date"):
        return date.fromisoformat(str(reported["start_date"]))
    return None


def span_end(reported: Mapping[str, Any]) -> date | None:
    """Return the last day a reported time covers, from its end or its precision."""
    if reported.get("end_time"):
        return _local_date(str(reported["end_time"]), reported)
    if reported.get("end_date"):
        return date.fromisoformat(str(reported["end_date"]))
    start = span_start(reported)
    precision = reported.get("precision", "")
    if start is None or precision in ("DATE_PRECISION_INSTANT", "DATE_PRECISION_DAY"):
        return start
    if precision == "DATE_PRECISION_WEEK":
        return start + timedelta(days=6)
    if precision == "DATE_PRECISION_MONTH":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "DATE_PRECISION_QUARTER":
        last_month = (start.month - 1) // 3 * 3 + 3
        return date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])
    if precision == "DATE_PRECISION_YEAR":
        return date(start.year, 12, 31)
    return None


def _published(source: Mapping[str, Any]) -> date | None:
    """Return the day a source was published, when it says."""
    if source.get("published_time"):
        return parse_rfc3339(str(source["published_time"])).date()
    if source.get("published_date"):
        return date.fromisoformat(str(source["published_date"]))
    return None


def counts_from(report: Mapping[str, Any]) -> str:
    """Return the first day (YYYY-MM-DD) a development certainly happened by; "" for always."""
    bounds = [span_end(report.get("occurred") or {}), span_end(report.get("first_reported") or {})]
    bounds += [_published(source) for source in report.get("sources", [])]
    known = [bound for bound in bounds if bound is not None]
    return min(known).isoformat() if known else ""


def valid_day(report: Mapping[str, Any]) -> str:
    """Return the day (YYYY-MM-DD) a development happened on, the first of its span.

    "Latest" in a view means latest by this day, then by stream order. An undated development
    gives "" and so sorts first: not known to be newer, it never pushes a dated one aside.
    """
    start = span_start(report.get("occurred") or {})
    return start.isoformat() if start is not None else ""


def valid_order(entry: Mapping[str, Any]) -> tuple[str, int]:
    """Return the key ordering dated entries by valid time: the day, then the stream version.

    Entries folded before days were kept fall back to the day they count from.
    """
    return (str(entry.get("_day", entry.get("_from", ""))), int(entry.get("_seq", 0)))


def takes_effect(entry: Mapping[str, Any]) -> date | None:
    """Return the first day of an entry's `effective` time, or None when it gives none."""
    effective = entry.get("effective")
    return span_start(effective) if isinstance(effective, Mapping) else None


def counts_on(counts_from_day: str, as_of: date) -> bool:
    """Tell whether something that counts from a day ("" for always) counts on `as_of`."""
    return not counts_from_day or counts_from_day <= as_of.isoformat()


def is_refinement(original: Mapping[str, Any], refined: Mapping[str, Any]) -> bool:
    """Tell whether `refined` is at least as precise as `original` and inside its span.

    A "no later than D" time is a span open to the past: a refinement ends by the end of D.
    An "approximately" time bounds nothing: any refinement at least as precise fits it.
    """
    rank = PRECISION_RANK.get(str(original.get("precision", "")), 0)
    if PRECISION_RANK.get(str(refined.get("precision", "")), 0) < rank:
        return False
    qualifier = original.get("qualifier")
    old_start, old_end = span_start(original), span_end(original)
    new_start, new_end = span_start(refined), span_end(refined)
    if old_start is None or old_end is None or qualifier == APPROXIMATELY:
        return True
    if new_start is None or new_end is None:
        return False
    if qualifier == NO_LATER_THAN:
        return new_end <= old_end
    return old_start <= new_start and new_end <= old_end
