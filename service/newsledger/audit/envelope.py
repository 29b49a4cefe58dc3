"""The envelope of a stored event: which fields of the event and its payload become its leaf."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from newsledger.audit.canonical import CanonicalError, LeafEnvelope, leaf_bytes
from newsledger.store.records import StoredEvent

VALID_TIME_FIELDS = (
    "occurred_start",
    "occurred_end",
    "occurred_precision",
    "announced",
    "effective",
    "expires",
)
"""The members of every envelope's ``valid_time`` object, always all present."""

CORRECTS_FIELD = "corrects"
"""The payload member that names, as a list of event ids, the events an event corrects."""


class EnvelopeError(ValueError):
    """An event cannot become a leaf; ``path`` names the offending JSON member."""

    def __init__(self, path: str, problem: str) -> None:
        """Keep the JSON path (``$`` is the payload) apart from the problem."""
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _start(reported: Any) -> str | None:
    if not isinstance(reported, Mapping):
        return None
    return _text(reported.get("start_time")) or _text(reported.get("start_date"))


def _end(reported: Any) -> str | None:
    if not isinstance(reported, Mapping):
        return None
    return _text(reported.get("end_time")) or _text(reported.get("end_date"))


def valid_time_of(payload: Mapping[str, Any]) -> dict[str, str | None]:
    """Return the valid-time fields a payload's ``report`` states; null where it states none."""
    report = payload.get("report")
    report = report if isinstance(report, Mapping) else {}
    occurred = report.get("occurred")
    precision = occurred.get("precision") if isinstance(occurred, Mapping) else None
    return {
        "occurred_start": _start(occurred),
        "occurred_end": _end(occurred),
        "occurred_precision": _text(precision),
        "announced": _start(report.get("announced")),
        "effective": _start(report.get("effective")),
        "expires": _start(report.get("expires")),
    }


def corrected_ids_of(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the ids of the events the payload says it corrects (none by default)."""
    named = payload.get(CORRECTS_FIELD)
    if not isinstance(named, list):
        return ()
    return tuple(item for item in named if isinstance(item, str) and item)


def parse_payload(text: str) -> dict[str, Any]:
    """Parse a stored payload; a float or a non-object is an EnvelopeError."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise EnvelopeError("$", f"is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise EnvelopeError("$", "a payload must be a JSON object")
    return value


def envelope_of(event: StoredEvent, log_origin: str) -> LeafEnvelope:
    """Return the leaf envelope of a stored event in the log named ``log_origin``."""
    payload = parse_payload(event.payload)
    try:
        return LeafEnvelope.for_event(
            log_origin=log_origin,
            sequence_number=event.position,
            record_time=event.record_time,
            event_id=str(event.event_id),
            stream=event.stream,
            stream_version=event.stream_version,
            event_type=event.event_type,
            schema_version=event.schema_version,
            valid_time=valid_time_of(payload),
            corrects=corrected_ids_of(payload),
            payload=payload,
        )
    except CanonicalError as error:
        path, _, problem = str(error).partition(": ")
        raise EnvelopeError(path, problem or str(error)) from None


def leaf_of(event: StoredEvent, log_origin: str) -> bytes:
    """Return the leaf bytes of a stored event: the canonical bytes of its envelope."""
    return leaf_bytes(envelope_of(event, log_origin))
