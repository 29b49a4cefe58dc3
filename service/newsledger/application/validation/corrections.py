"""Checks a correction must pass before it is appended: what it names, and what it sets.

A correction names earlier events of its own stream (in the log, or earlier in the same
batch); a fact correction must leave the corrected payload valid against its type's schema.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from newsledger.application.errors import Violation
from newsledger.application.validation.payloads import validate_payload
from newsledger.domain.corrections import set_path
from newsledger.domain.references import UnappliedEvent
from newsledger.domain.registry import CORRECTION_TYPES
from newsledger.domain.upcasting import UnsupportedSchemaVersion, current_version, upcast
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent

Target = tuple[str, int, Any]
"""An event a correction names: its type, schema version and payload."""


def _named(event: ProposedEvent) -> list[tuple[str, str]]:
    """Return (request path, event id) for every event a correction names."""
    payload = event.payload
    named = [(f"corrects[{i}]", str(e)) for i, e in enumerate(payload.get("corrects", []))]
    if payload.get("into_event_id"):
        named.append(("into_event_id", str(payload["into_event_id"])))
    return named


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def correction_violations(
    store: EventStore, stream: str, proposed: Sequence[ProposedEvent]
) -> list[Violation]:
    """Return the violations of the batch's corrections (empty when there are none)."""
    corrections = [e for e in proposed if e.event_type in CORRECTION_TYPES]
    if not corrections:
        return []
    wanted = {u for e in corrections for _, t in _named(e) if (u := _as_uuid(t)) is not None}
    recorded = {
        str(event_id): (event.event_type, event.schema_version, json.loads(event.payload))
        for event_id, event in store.events_by_id(wanted).items()
        if event.stream == stream
    }
    return violations_against(recorded, proposed)


def violations_against(
    recorded: Mapping[str, Target], proposed: Sequence[ProposedEvent]
) -> list[Violation]:
    """Return the violations of the batch's corrections, given the stream's recorded events.

    `recorded` maps the event id of each event of the stream a correction may name to its
    type, schema version and payload (a story's loader, which read the stream, passes it).
    """
    violations: list[Violation] = []
    earlier: dict[str, Target] = {}
    for index, event in enumerate(proposed):
        if event.event_type in CORRECTION_TYPES:
            prefix = f"events[{index}].payload_json"
            for path, target_id in _named(event):
                target = earlier.get(target_id) or recorded.get(target_id)
                if target is None:
                    violations.append(
                        Violation(f"{prefix}.{path}", "names no earlier event of this stream")
                    )
                elif event.event_type == "FactCorrected":
                    violations += _fact_violations(event, target, prefix)
        earlier[str(event.event_id)] = (event.event_type, event.schema_version, event.payload)
    return violations


def _fact_violations(event: ProposedEvent, target: Target, prefix: str) -> list[Violation]:
    """Return what is wrong with the payload a fact correction would leave."""
    event_type, schema_version, payload = target
    try:
        patched = copy.deepcopy(upcast(event_type, schema_version, payload))
        set_path(patched, str(event.payload.get("field", "")), event.payload.get("value"))
    except (UnappliedEvent, UnsupportedSchemaVersion) as error:
        return [Violation(f"{prefix}.field", str(error))]
    return [
        Violation(
            f"{prefix}.value",
            f"the corrected {event_type} would be invalid at {v.field}: {v.description}",
        )
        for v in validate_payload(event_type, current_version(event_type), patched)
    ]
