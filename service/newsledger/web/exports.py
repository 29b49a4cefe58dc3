"""Tables for spreadsheets (CSV) and programs (NDJSON): the timeline and measures over time.

CSV cells that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or carriage
return first) are prefixed with an apostrophe: the log's text is untrusted, and a cell must
never run. Numbers such as `-0.5` are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from newsledger.web.series import Segment, Series, Track

Record = Mapping[str, Any]

TIMELINE_COLUMNS = (
    "development_id",
    "event_type",
    "status",
    "occurred_precision",
    "occurred_start",
    "occurred_end",
    "occurred_phrase",
    "counts_from",
    "summary",
    "party_ids",
    "actor_ids",
    "sources",
    "source_ids",
    "record_time",
    "stream_version",
    "position",
    "merged_into",
    "corrects",
    "corrected_by",
)
MEASURE_COLUMNS = (
    "measure_id",
    "measure_type",
    "description",
    "imposed_by",
    "targets",
    "from",
    "until",
    "status",
    "in_force",
    "rate_percent",
    "rate_phrase",
)

_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return a cell's text, defused if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _joined(values: Iterable[Any]) -> str:
    return ";".join(str(value) for value in values)


def timeline_row(entry: Record) -> dict[str, str]:
    """Return a timeline entry as one flat row (lists joined with semicolons)."""
    occurred = entry.get("occurred") or {}
    sources = entry.get("sources", [])
    return {
        "development_id": str(entry.get("development_id", "")),
        "event_type": str(entry.get("event_type", "")),
        "status": str(entry.get("status", "")).removeprefix("TIMELINE_ENTRY_STATUS_").lower(),
        "occurred_precision": str(occurred.get("precision", "")).removeprefix("DATE_PRECISION_"),
        "occurred_start": str(occurred.get("start_date") or occurred.get("start_time") or ""),
        "occurred_end": str(occurred.get("end_date") or occurred.get("end_time") or ""),
        "occurred_phrase": str(occurred.get("phrase", "")),
        "counts_from": str(entry.get("counts_from", "")),
        "summary": str(entry.get("summary", "")),
        "party_ids": _joined(entry.get("party_ids", [])),
        "actor_ids": _joined(entry.get("actor_ids", [])),
        "sources": _joined(s.get("outlet", "") for s in sources),
        "source_ids": _joined(entry.get("source_ids", [])),
        "record_time": str(entry.get("record_time", "")),
        "stream_version": str(entry.get("stream_version", "0")),
        "position": str(entry.get("position", "0")),
        "merged_into": str(entry.get("merged_into", "")),
        "corrects": _joined(entry.get("corrects", [])),
        "corrected_by": _joined(entry.get("corrected_by", [])),
    }


def measure_rows(series: Series) -> list[dict[str, str]]:
    """Return one row per measure per stretch of days with one status and rate."""
    return [_measure_row(track, segment) for track in series.tracks for segment in track.segments]


def _measure_row(track: Track, segment: Segment) -> dict[str, str]:
    return {
        "measure_id": track.measure_id,
        "measure_type": track.measure_type,
        "description": track.description,
        "imposed_by": _joined(track.imposed_by),
        "targets": _joined(track.targets),
        "from": segment.start.isoformat(),
        "until": (segment.end - timedelta(days=1)).isoformat(),
        "status": segment.status.removeprefix("MEASURE_STATUS_").lower(),
        "in_force": "true" if segment.in_force else "false",
        "rate_percent": segment.rate_percent,
        "rate_phrase": segment.rate_phrase,
    }


def to_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> str:
    """Return rows as CSV text with a header, every cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column, "")) for column in columns])
    return out.getvalue()


def to_ndjson(records: Iterable[Any]) -> str:
    """Return records as newline-delimited JSON, one object a line."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
