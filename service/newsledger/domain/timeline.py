"""A negotiation's timeline: its developments in time order, filtered, as corrected."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsledger.domain.headlines import headline
from newsledger.domain.registry import CORRECTION_TYPES
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import counts_from, span_end, span_start

PARTY_FIELDS = ("party_id", "from_party_id", "imposed_by", "targets", "signatory_ids")
STATUS = {
    "active": "TIMELINE_ENTRY_STATUS_ACTIVE",
    "retracted": "TIMELINE_ENTRY_STATUS_RETRACTED",
    "merged": "TIMELINE_ENTRY_STATUS_MERGED",
    "unresolved": "TIMELINE_ENTRY_STATUS_UNRESOLVED",
}


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    """Which developments a timeline shows; empty fields filter nothing."""

    event_types: frozenset[str] = frozenset()
    party_id: str = ""
    actor_id: str = ""
    occurred_after: str = ""
    occurred_before: str = ""


def _listed(value: Any) -> Iterator[str]:
    """Yield a field's ids whether it holds one id or a list of them."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item:
            yield item


def parties_of(payload: Mapping[str, Any]) -> list[str]:
    """Return the parties a development involves: claims, sides, imposers, targets…"""
    report = payload.get("report", {})
    found = [p for name in PARTY_FIELDS for p in _listed(payload.get(name))]
    found += list(_listed(report.get("claimed_by", [])))
    found += [str(a.get("side", "")) for a in report.get("actors", []) if a.get("side")]
    # A negotiation's parties name their party_id; a court case's parties are named only.
    found += [str(p["party_id"]) for p in payload.get("parties", []) if p.get("party_id")]
    found += [str(c["party_id"]) for c in payload.get("conditions", []) if c.get("party_id")]
    found += [str(a["party_id"]) for a in payload.get("approvers", []) if a.get("party_id")]
    return sorted(set(found))


def actors_of(payload: Mapping[str, Any]) -> list[str]:
    """Return the people a development involves: actors, speakers, the person it is about."""
    report = payload.get("report", {})
    found = [str(a["actor_id"]) for a in report.get("actors", [])]
    found += list(_listed(payload.get("speaker_id"))) + list(_listed(payload.get("person_id")))
    found += [str(q["speaker_id"]) for s in report.get("sources", []) for q in s.get("quotes", [])]
    return sorted(set(found))


def _matches(entry: Mapping[str, Any], wanted: TimelineFilter) -> bool:
    """Tell whether an entry passes the filter."""
    payload = entry["payload"]
    if wanted.event_types and entry["event_type"] not in wanted.event_types:
        return False
    if wanted.party_id and wanted.party_id not in parties_of(payload):
        return False
    if wanted.actor_id and wanted.actor_id not in actors_of(payload):
        return False
    if wanted.occurred_after or wanted.occurred_before:
        occurred = payload.get("report", {}).get("occurred", {})
        start, end = span_start(occurred), span_end(occurred)
        if start is None or end is None:
            return False
        if wanted.occurred_after and end.isoformat() < wanted.occurred_after:
            return False
        if wanted.occurred_before and start.isoformat() > wanted.occurred_before:
            return False
    return True


def _when(entry: Mapping[str, Any]) -> str:
    """Return the day a development is placed on: its start, else the day it counts from."""
    report = entry["payload"].get("report", {})
    start = span_start(report.get("occurred", {}))
    return start.isoformat() if start is not None else counts_from(report)


def timeline(state: NegotiationState, wanted: TimelineFilter) -> list[JsonDict]:
    """Return the matching developments as TimelineEntry JSON, by time then recorded order."""
    registry: Sequence[JsonDict] = state.developments
    development_of_event = {str(e["event_id"]): str(e["development_id"]) for e in registry}
    matching = sorted(
        (entry for entry in registry if _matches(entry, wanted)),
        key=lambda entry: (_when(entry), int(entry["seq"])),
    )
    entries = []
    for entry in matching:
        payload = entry["payload"]
        report = payload.get("report", {})
        corrects = payload.get("corrects", []) if entry["event_type"] in CORRECTION_TYPES else []
        entries.append(
            {
                "development_id": entry["development_id"],
                "event_id": entry["event_id"],
                "event_type": entry["event_type"],
                "stream_version": str(entry["seq"]),
                "position": str(entry["position"]),
                "record_time": entry["recorded_at"],
                "occurred": report.get("occurred", {}),
                "summary": headline(str(entry["event_type"]), payload),
                "party_ids": parties_of(payload),
                "actor_ids": actors_of(payload),
                "source_ids": [str(s["source_id"]) for s in report.get("sources", [])],
                "sources": list(report.get("sources", [])),
                "counts_from": counts_from(report),
                "status": STATUS[str(entry["status"])],
                "merged_into": entry["merged_into"],
                "corrects": [development_of_event.get(str(e), str(e)) for e in corrects],
                "corrected_by": entry["corrected_by"],
            }
        )
    return entries
