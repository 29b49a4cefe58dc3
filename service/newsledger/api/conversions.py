"""Translate between protobuf messages and the application's types, checking input."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from newsledger.api.json_input import (
    TOO_DEEP,
    json_problem,
    nests_too_deep,
    object_with_unique_keys,
)
from newsledger.api.message_dicts import message_from_dict
from newsledger.api.protojson_names import canonical_payload
from newsledger.application.errors import InvalidRequest, Violation
from newsledger.application.validation.payloads import SLUG_PATTERN as SLUG
from newsledger.application.validation.payloads import known_event_types
from newsledger.domain.events import RecordedEvent, StoredEvent, micros_from_time, time_from_micros
from newsledger.domain.json_text import normalise_json
from newsledger.store.records import ANY, NO_STREAM, STREAM_EXISTS, AppendResult, ExpectedVersion
from newsledger.store.records import ProposedEvent as StoreProposedEvent
from newsledger.v1 import event_store_pb2 as pb
from newsledger.v1 import negotiation_view_pb2

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# The instants a Timestamp can hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z.
_EARLIEST_MICROS = -62_135_596_800 * 1_000_000
_LATEST_MICROS = 253_402_300_799 * 1_000_000 + 999_999


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, object_pairs_hook=object_with_unique_keys
)


def parse_json_object(text: str, field: str, violations: list[Violation]) -> dict[str, Any]:
    """Parse text as a JSON object; record a violation naming field when it is not one.

    A key twice in one object, or nesting too deep, is refused too (see api.json_input).
    """
    if not text or text == "{}":
        return {}
    try:
        value = _DECODER.decode(text)
    except ValueError as error:
        violations.append(Violation(field, json_problem(error)))
        return {}
    except RecursionError:
        violations.append(Violation(field, TOO_DEEP))
        return {}
    if not isinstance(value, dict):
        violations.append(Violation(field, "must be a JSON object"))
        return {}
    if nests_too_deep(text, value):
        violations.append(Violation(field, TOO_DEEP))
        return {}
    return value


def proposed_events(messages: Sequence[pb.ProposedEvent]) -> list[StoreProposedEvent]:
    """Convert the request's events, raising InvalidRequest naming every bad field."""
    violations: list[Violation] = []
    events: list[StoreProposedEvent] = []
    for index, message in enumerate(messages):
        field = f"events[{index}]"
        try:
            event_id = uuid.UUID(message.event_id)
        except ValueError:
            violations.append(Violation(f"{field}.event_id", "must be a UUID"))
            continue
        payload = parse_json_object(message.payload_json, f"{field}.payload_json", violations)
        # ProtoJSON parsers accept lowerCamelCase names too; the ledger stores proto names.
        payload = canonical_payload(
            payload, message.payload_json, message.event_type, f"{field}.payload_json", violations
        )
        metadata = parse_json_object(message.metadata_json, f"{field}.metadata_json", violations)
        events.append(
            StoreProposedEvent(
                event_id=event_id,
                event_type=message.event_type,
                payload=payload,
                metadata=metadata,
                schema_version=message.schema_version or 1,
            )
        )
    if violations:
        raise InvalidRequest(violations, "INVALID_EVENT")
    return events


def expected_version(message: pb.ExpectedVersion) -> ExpectedVersion:
    """Convert the oneof expectation; unset means any."""
    kind = message.WhichOneof("expectation")
    if kind == "no_stream":
        return NO_STREAM
    if kind == "stream_exists":
        return STREAM_EXISTS
    if kind == "exact":
        return ExpectedVersion.exact(message.exact)
    return ANY


def append_response(result: AppendResult) -> pb.AppendEventsResponse:
    """Convert an append's result: every event's position, in the request's order."""
    response = pb.AppendEventsResponse(
        already_recorded=result.already_recorded,
        stream_version=max(e.stream_version for e in result.events),
    )
    add_position = response.positions.add  # fills each in place: no message built to copy
    for e in result.events:
        add_position(event_id=str(e.event_id), position=e.position, stream_version=e.stream_version)
    response.record_time.FromMicroseconds(max(e.recorded_at_us for e in result.events))
    return response


def domain_recorded_event(event: RecordedEvent) -> pb.RecordedEvent:
    """Convert an event the domain replayed (JSON parsed) to its protobuf form."""
    return recorded_event(
        StoredEvent(
            position=event.position,
            event_id=event.event_id,
            stream=event.stream,
            stream_version=event.stream_version,
            event_type=event.event_type,
            schema_version=event.schema_version,
            payload=normalise_json(event.payload),
            metadata=normalise_json(event.metadata),
            recorded_at_us=micros_from_time(event.record_time),
        )
    )


def recorded_event(event: StoredEvent) -> pb.RecordedEvent:
    """Convert a stored event to its protobuf form, field by field (the fastest way)."""
    message = pb.RecordedEvent()
    message.event_id = str(event.event_id)
    message.stream = event.stream
    message.stream_version = event.stream_version
    message.position = event.position
    message.event_type = event.event_type
    message.schema_version = event.schema_version
    message.payload_json = event.payload
    message.metadata_json = event.metadata
    record_time = message.record_time
    recorded_at_us = event.recorded_at_us
    if not _EARLIEST_MICROS <= recorded_at_us <= _LATEST_MICROS:
        record_time.FromMicroseconds(recorded_at_us)  # raises, naming the valid range
    seconds, micros = divmod(recorded_at_us, 1_000_000)
    record_time.seconds = seconds
    record_time.nanos = micros * 1000
    return message


def page_size(value: int, field: str = "page_size") -> int:
    """Return the page size to use: 0 means the default, outside 0..1000 is an error."""
    if value == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidRequest([Violation(field, f"must be between 1 and {MAX_PAGE_SIZE}")])
    return value


def query_date(text: str, today: date, field: str = "as_of") -> date:
    """Parse a YYYY-MM-DD date; empty means today."""
    if not text:
        return today
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(field, text)
    except ValueError:
        return _bad_date(field, text)


def _bad_date(field: str, text: str) -> date:
    raise InvalidRequest([Violation(field, f"{text!r} is not a date in the form YYYY-MM-DD")])


def known_at(request: Any) -> datetime | None:
    """Return a request's `known_at` as an aware datetime, or None when it is unset."""
    if not request.HasField("known_at"):
        return None
    return time_from_micros(request.known_at.ToMicroseconds())


def reported_by(request: Any) -> datetime | None:
    """Return a request's `reported_by` as an aware datetime, or None when it is unset."""
    if not request.HasField("reported_by"):
        return None
    return time_from_micros(request.reported_by.ToMicroseconds())


def slug_filter(value: str, field: str) -> str:
    """Return an id filter, empty or a lowercase slug; anything else is INVALID_ARGUMENT."""
    if value and not SLUG.fullmatch(value):
        raise InvalidRequest([Violation(field, f"{value!r} is not a lowercase slug")])
    return value


def date_filter(value: str, field: str) -> str:
    """Return a date filter, empty or YYYY-MM-DD; anything else is INVALID_ARGUMENT."""
    return query_date(value, date.min, field).isoformat() if value else ""


def event_types(names: Sequence[str]) -> list[str]:
    """Return event type filters, each a type with a schema."""
    unknown = [n for n in names if n not in known_event_types()]
    if unknown:
        raise InvalidRequest(
            [Violation("event_types", f"unknown event type {name!r}") for name in unknown]
        )
    return list(names)


def negotiation_view(view: dict[str, Any]) -> negotiation_view_pb2.NegotiationView:
    """Convert the rendered view (proto JSON shape) to its message, as ParseDict would."""
    return message_from_dict(view, negotiation_view_pb2.NegotiationView)
