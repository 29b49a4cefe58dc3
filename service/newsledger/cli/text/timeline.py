"""Readable text for timelines, explanations and watched changes (protobuf JSON in)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from newsledger.cli.text.basics import enum_words, format_reported_time
from newsledger.cli.text.output import format_view
from newsledger.domain.explain import FieldNotFound, InvalidFieldPath, resolve
from newsledger.v1 import developments_pb2 as dev
from newsledger.v1 import negotiation_view_pb2 as nv
from newsledger.v1 import negotiations_pb2 as ng

View = Mapping[str, Any]
ONE_LINE = 100


def _confirmation(confirmation: View | None) -> str:
    """Return a confirmation as words: level, who stands behind it, how many outlets."""
    if not confirmation:
        return "confirmation unknown"
    words = [enum_words(confirmation.get("level"), nv.ConfirmationLevel.DESCRIPTOR)]
    for key, verb in (("claimed_by", "claimed by"), ("confirmed_by", "confirmed by")):
        if confirmation.get(key):
            words.append(f"{verb} {', '.join(confirmation[key])}")
    if confirmation.get("disputed_by"):
        words.append(f"disputed by {', '.join(confirmation['disputed_by'])}")
    count = int(confirmation.get("independent_source_count", 0))
    words.append(f"{count} independent source{'' if count == 1 else 's'}")
    return "; ".join(words)


def format_timeline(entries: Sequence[View]) -> str:
    """Return timeline entries in aligned columns, undated ones in a section of their own."""
    dated = [e for e in entries if _is_dated(e)]
    undated = [e for e in entries if not _is_dated(e)]
    when_width = max((len(format_reported_time(e.get("occurred"))) for e in dated), default=0)
    type_width = max((len(e.get("event_type", "?")) for e in entries), default=0)
    lines = [format_timeline_entry(e, when_width, type_width) for e in dated]
    if undated:
        lines += ["", "Undated"] if dated else ["Undated"]
        for entry in undated:
            phrase = (entry.get("occurred") or {}).get("phrase")
            said = f" (reported as \u201c{phrase}\u201d)" if phrase else ""
            lines.append(f"  {format_timeline_entry(entry, 0, type_width).lstrip()}{said}")
    return "\n".join(lines)


def _is_dated(entry: View) -> bool:
    occurred = entry.get("occurred") or {}
    return bool(occurred.get("start_date") or occurred.get("start_time"))


def format_timeline_entry(entry: View, when_width: int = 24, type_width: int = 26) -> str:
    """Return one timeline entry as a line: when, type, development, summary, status."""
    status = enum_words(entry.get("status"), ng.TimelineEntryStatus.DESCRIPTOR)
    flags = "" if status == "active" else f"  [{status}"
    if entry.get("merged_into"):
        flags += f" into {entry['merged_into']}"
    flags += "]" if flags else ""
    if entry.get("corrects"):
        flags += f"  corrects {', '.join(entry['corrects'])}"
    if entry.get("corrected_by"):
        flags += f"  corrected by {', '.join(entry['corrected_by'])}"
    sources = len(entry.get("source_ids", []))
    when = format_reported_time(entry.get("occurred")) if when_width else ""
    return (
        f"{when:<{when_width}} {entry.get('event_type', '?'):<{type_width}} "
        f"{entry.get('development_id', '')}: "
        f"{entry.get('summary', '')} ({sources} source{'' if sources == 1 else 's'}){flags}"
    )


def _value(value_json: str) -> str:
    """Return a field's whole JSON value: on one line when short, indented when long."""
    value = json.loads(value_json or "null")
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= ONE_LINE:
        return text
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def format_explanation(explanation: View) -> str:
    """Return why a field says what it says: its value, then each development behind it."""
    lines = [
        f"{explanation.get('field_path')} = {_value(explanation.get('value_json', ''))}",
        f"  as of {explanation.get('as_of')}; explained by "
        f"{explanation.get('explained_by_path') or 'nothing (no provenance)'}",
        f"  {_confirmation(explanation.get('confirmation'))}",
    ]
    for development in explanation.get("developments", []):
        lines.append(
            f"  - {development.get('development_id')} ({development.get('event_type')}), "
            f"happened {format_reported_time(development.get('occurred'))}, "
            f"recorded {development.get('record_time', '?')}"
        )
        if development.get("summary"):
            lines.append(f"      {development['summary']}")
        for source in development.get("sources", []):
            kind = enum_words(source.get("kind"), dev.SourceKind.DESCRIPTOR)
            published = source.get("published_date") or source.get("published_time") or "undated"
            lines.append(f"      source: {source.get('outlet')} ({kind}, {published})")
        if development.get("corrected_by"):
            lines.append(f"      corrected by {', '.join(development['corrected_by'])}")
        lines.append(f"      {_confirmation(development.get('confirmation'))}")
    return "\n".join(lines)


def format_change(change: View) -> str:
    """Return a watched message: the whole view first, then each changed path's new value."""
    view = change.get("view") or {}
    paths = change.get("changed_paths", [])
    header = f"#{change.get('position', 0)} changed: {', '.join(paths) or 'nothing'}"
    if "negotiation_id" in paths:
        return f"{header}\n{format_view(view)}"
    return "\n".join([header, *(f"  {path} = {_new_value(view, path)}" for path in paths)])


def _new_value(view: View, path: str) -> str:
    """Return the value at a changed path of the view, whole, or say it was removed."""
    try:
        value, _, _ = resolve(view, path)
    except (FieldNotFound, InvalidFieldPath):
        return "(removed)"
    return _value(json.dumps(value, ensure_ascii=False))
