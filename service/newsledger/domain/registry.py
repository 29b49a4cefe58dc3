"""The development registry: every applied development as corrected, in stream order.

Each entry keeps the event's identity, its payload as corrected so far, and what became of it:
active, retracted, or merged into another development. The records of the view are derived
from the active entries; corrections edit entries and the records are derived again.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from newsledger.domain.events import RecordedEvent
from newsledger.domain.references import Development, UnappliedEvent, UnknownReference
from newsledger.domain.state import JsonDict

ACTIVE, RETRACTED, MERGED = "active", "retracted", "merged"
UNRESOLVED = "unresolved"
"""The status of a development that refers to what a retraction took away: kept, not applied."""

CORRECTION_TYPES = frozenset(
    {
        "SourceAttached",
        "FactCorrected",
        "DatePrecisionRefined",
        "DuplicatesMerged",
        "ReportRetracted",
        "AccountDisputed",
        "AccountConfirmed",
    }
)
"""Event types that bear on earlier developments (named in their `corrects` event ids)."""


def new_entry(event: RecordedEvent, development_id: str, payload: dict[str, Any]) -> JsonDict:
    """Return the registry entry of a freshly applied development."""
    return {
        "development_id": development_id,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "seq": event.stream_version,
        "position": event.position,
        "recorded_at": event.record_time.isoformat().replace("+00:00", "Z"),
        "payload": payload,
        "status": ACTIVE,
        "merged_into": "",
        "merged_from": [],
        "corrected_by": [],
        "confirmations": [],
        "disputes": [],
    }


def development_of(entry: JsonDict) -> Development:
    """Return the development an entry stands for, with its corrections and merges cited."""
    return Development(
        development_id=str(entry["development_id"]),
        payload=entry["payload"],
        seq=int(entry["seq"]),
        also_from=(*entry["merged_from"], *entry["corrected_by"]),
        counts_from=entry.get("counts_from"),
    )


def applied(entries: Iterable[JsonDict]) -> list[JsonDict]:
    """Return the entries whose developments set records: active and not corrections."""
    return [
        entry
        for entry in entries
        if entry["status"] == ACTIVE and entry["event_type"] not in CORRECTION_TYPES
    ]


def editable_targets(registry: Sequence[JsonDict], event_ids: Sequence[str]) -> list[JsonDict]:
    """Return copies of the entries with these event ids, which must be active developments.

    Raises UnappliedEvent naming an id the negotiation does not hold, a retracted or merged
    development, or a correction (a correction is undone by correcting again, not retracted).
    """
    if not event_ids:
        raise UnappliedEvent("corrects names no event")
    by_event_id = {str(entry["event_id"]): entry for entry in registry}
    targets = []
    for event_id in event_ids:
        entry = by_event_id.get(event_id)
        if entry is None:
            message = f"corrects names {event_id}, not an applied event of this stream"
            raise UnknownReference(message, "corrects", [event_id])
        if entry["status"] != ACTIVE:
            raise UnappliedEvent(
                f"corrects names {entry['development_id']}, already {entry['status']}"
            )
        if entry["event_type"] in CORRECTION_TYPES:
            raise UnappliedEvent(f"corrects names {entry['development_id']}, itself a correction")
        targets.append(copy.deepcopy(entry))
    return targets


def replaced(registry: Sequence[JsonDict], edited: Iterable[JsonDict]) -> list[JsonDict]:
    """Return the registry with edited entries in place of the originals."""
    by_id = {str(entry["event_id"]): entry for entry in edited}
    return [by_id.get(str(entry["event_id"]), entry) for entry in registry]


def entry_by_development_id(registry: Sequence[JsonDict]) -> dict[str, JsonDict]:
    """Return the entries keyed by development id."""
    return {str(entry["development_id"]): entry for entry in registry}
