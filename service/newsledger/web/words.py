"""Words for the page: enum values without their prefix, reported times, days remaining.

Every function takes the protobuf JSON form (proto field names), where default values are
omitted: an absent field is empty, zero or the enum's UNSPECIFIED value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.descriptor import EnumDescriptor

from newsledger.domain.valid_time import span_end, span_start
from newsledger.v1 import developments_pb2 as dev
from newsledger.v1 import negotiation_view_pb2 as nv
from newsledger.v1 import negotiations_pb2 as ng

Record = Mapping[str, Any]

ENUMS: dict[str, EnumDescriptor] = {
    "phase": nv.NegotiationPhase.DESCRIPTOR,
    "measure_status": dev.MeasureStatus.DESCRIPTOR,
    "entry_status": ng.TimelineEntryStatus.DESCRIPTOR,
    "precision": dev.DatePrecision.DESCRIPTOR,
    "confirmation": nv.ConfirmationLevel.DESCRIPTOR,
    "ruling": dev.CourtRulingKind.DESCRIPTOR,
    "court_step": dev.CourtStepKind.DESCRIPTOR,
    "issue_status": dev.IssueStatus.DESCRIPTOR,
    "commitment_status": dev.CommitmentStatus.DESCRIPTOR,
    "outcome_status": dev.OutcomeStatus.DESCRIPTOR,
    "source_kind": dev.SourceKind.DESCRIPTOR,
    "export_control_kind": dev.ExportControlKind.DESCRIPTOR,
    "next_round": dev.NextRoundStatus.DESCRIPTOR,
}
"""The enums the page names, by a short key the templates use."""


def words(value: Any, enum: str) -> str:
    """Return an enum value as plain words: `MEASURE_STATUS_IN_FORCE` reads `in force`."""
    descriptor = ENUMS[enum]
    prefix = descriptor.values_by_number[0].name.removesuffix("UNSPECIFIED")
    name = str(value) if value else descriptor.values_by_number[0].name
    if name not in descriptor.values_by_name:
        return f"unknown ({name})"
    return name.removeprefix(prefix).replace("_", " ").lower()


def slug(value: Any, enum: str) -> str:
    """Return an enum value as a CSS-safe word: `MEASURE_STATUS_IN_FORCE` gives `in-force`."""
    return words(value, enum).replace(" ", "-").replace("(", "").replace(")", "")


def _instant_text(text: str, zone: str) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    utc = f"{moment:%Y-%m-%d %H:%M} UTC"
    if not zone:
        return utc
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return utc
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({zone})"


QUALIFIER_WORDS = {"DATE_QUALIFIER_NO_LATER_THAN": "by", "DATE_QUALIFIER_APPROXIMATELY": "about"}
"""The word a qualified time is shown after: "by 2025-08-01", "about 2025-08-01"."""


def when(reported: Record | None) -> str:
    """Return a reported time as precisely as its sources give it, never more, qualified as
    the source qualifies it ("by 2025-08-01")."""
    if not reported:
        return "date unknown"
    text = _unqualified(reported)
    word = QUALIFIER_WORDS.get(str(reported.get("qualifier", "")))
    return f"{word} {text}" if word and not text.startswith("date unknown") else text


def _unqualified(reported: Record) -> str:
    """Return a reported time as precisely as its sources give it, without its qualifier."""
    precision = reported.get("precision", "")
    start, end = str(reported.get("start_date", "")), str(reported.get("end_date", ""))
    zone = str(reported.get("time_zone", ""))
    if reported.get("start_time"):
        return _instant_text(str(reported["start_time"]), zone)
    if start and precision == "DATE_PRECISION_MONTH":
        return date.fromisoformat(start).strftime("%B %Y")
    if start and precision == "DATE_PRECISION_QUARTER":
        return f"quarter from {start}"
    if start and precision == "DATE_PRECISION_YEAR":
        return start[:4]
    if start and precision == "DATE_PRECISION_WEEK":
        return f"week of {start}"
    if start and end and end != start:
        return f"{start} to {end}"
    if start:
        return start
    phrase = reported.get("phrase")
    return f"date unknown: \u201c{phrase}\u201d" if phrase else "date unknown"


def span(reported: Record | None) -> tuple[date, date] | None:
    """Return the first and last day a reported time covers, or None when it names no day."""
    if not reported:
        return None
    start, end = span_start(reported), span_end(reported)
    if start is None:
        return None
    return start, end if end is not None and end >= start else start


def day_of(reported: Record | None) -> date | None:
    """Return the first day a reported time covers, in its own zone."""
    covered = span(reported)
    return covered[0] if covered else None


def countdown(record: Record, as_of: str) -> str:
    """Return a truce's or deadline's days remaining as of the query date, in words."""
    if record.get("expired"):
        return f"expired: the deadline had passed by {as_of}"
    if "days_remaining" not in record:
        return "days remaining unknown: the deadline has no day"
    days = int(record["days_remaining"])
    return f"{days} day{'' if days == 1 else 's'} remaining as of {as_of}"


def next_day(day: date) -> date:
    """Return the day after."""
    return day + timedelta(days=1)
