"""The leaves of one append's events from a template made once for the batch.

An append writes events of one stream under one record time to one log, so the members
``log_origin``, ``record_time`` and ``stream`` are checked, formatted and escaped once per
batch; per event only its own fields are written. Reference: ``leaf.leaf_of_parsed`` (which
every event the template cannot write still takes, so refusals name the field as before).
Equivalence test: ``tests/unit/audit/test_batch_leaves.py``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any, TypeGuard

from newsledger.audit.envelope import (
    CORRECTS_FIELD,
    EMPTY_OBJECT,
    EMPTY_OBJECT_SHA256,
    format_record_micros,
    is_record_time,
)
from newsledger.audit.jcs import MAX_SAFE_INTEGER, CanonicalError
from newsledger.audit.leaf import leaf_of_parsed
from newsledger.domain.events import StoredEvent

NO_VALID_TIME = (
    '{"announced":null,"effective":null,"expires":null,'
    '"occurred_end":null,"occurred_precision":null,"occurred_start":null}'
)
"""The valid-time text of a payload that states no report."""


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    # An exact dict, or None (a member not stated), is told without the slow ABC check.
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def _json_text(value: Any) -> str:
    """Return the JSON of ``_text(value)``: the string if it is a non-empty one, else null."""
    return encode_basestring(value) if isinstance(value, str) and value else "null"


def _start(reported: Any) -> str:
    if not _is_mapping(reported):
        return "null"
    start = reported.get("start_time")
    if not (isinstance(start, str) and start):
        start = reported.get("start_date")
    return _json_text(start)


def _end(reported: Any) -> str:
    if not _is_mapping(reported):
        return "null"
    end = reported.get("end_time")
    if not (isinstance(end, str) and end):
        end = reported.get("end_date")
    return _json_text(end)


def valid_time_json(payload: Mapping[str, Any]) -> str:
    """Return ``encode_valid_time(valid_time_of(payload))`` without building the object."""
    report = payload.get("report")
    if not _is_mapping(report):
        return NO_VALID_TIME
    occurred = report.get("occurred")
    precision = occurred.get("precision") if _is_mapping(occurred) else None
    return (
        f'{{"announced":{_start(report.get("announced"))}'
        f',"effective":{_start(report.get("effective"))}'
        f',"expires":{_start(report.get("expires"))}'
        f',"occurred_end":{_end(occurred)}'
        f',"occurred_precision":{_json_text(precision)}'
        f',"occurred_start":{_start(occurred)}}}'
    )


def corrects_json(payload: Mapping[str, Any]) -> str:
    """Return the members of the JSON array of ``corrected_ids_of(payload)``."""
    named = payload.get(CORRECTS_FIELD)
    if named is None or not isinstance(named, list):
        return ""
    return ",".join([encode_basestring(i) for i in named if isinstance(i, str) and i])


class BatchLeaves:
    """Writes the leaves of one append: one stream, one record time, one log."""

    def __init__(self, log_origin: str, stream: str, recorded_at_us: int) -> None:
        """Check and format the members the batch's events share, once."""
        self.log_origin = log_origin
        self.stream = stream
        self.recorded_at_us = recorded_at_us
        self._usable = False
        try:
            record_time = format_record_micros(recorded_at_us)
        except CanonicalError:
            return
        if not (
            type(log_origin) is str
            and log_origin
            and type(stream) is str
            and stream
            and is_record_time(record_time)
        ):
            return
        self._usable = True
        self._origin = f',"log_origin":{encode_basestring(log_origin)},"metadata_sha256":"'
        self._time = f'","record_time":{encode_basestring(record_time)},"schema_version":'
        self._stream = f',"stream":{encode_basestring(stream)},"stream_version":'
        self._types: dict[str, str] = {}

    def leaf(
        self,
        stored: StoredEvent,
        payload: Mapping[str, Any],
        metadata: Mapping[str, Any],
        canonical: bool | None = None,
    ) -> bytes:
        """Return ``leaf_of_parsed(stored, payload, metadata, log_origin, canonical)``."""
        fast = self._template_leaf(stored, payload) if self._usable and canonical else None
        if fast is not None:
            return fast
        return leaf_of_parsed(stored, payload, metadata, self.log_origin, canonical)

    def _template_leaf(self, stored: StoredEvent, payload: Mapping[str, Any]) -> bytes | None:
        position, version, schema = stored.position, stored.stream_version, stored.schema_version
        event_type = stored.event_type
        if not (
            stored.stream == self.stream
            and type(stored.event_id) is uuid.UUID
            and stored.recorded_at_us == self.recorded_at_us
            and type(event_type) is str
            and event_type
            and type(position) is int
            and 0 <= position <= MAX_SAFE_INTEGER
            and type(version) is int
            and 0 <= version <= MAX_SAFE_INTEGER
            and type(schema) is int
            and 0 <= schema <= MAX_SAFE_INTEGER
        ):
            return None
        type_json = self._types.get(event_type)
        if type_json is None:
            type_json = self._types[event_type] = encode_basestring(event_type)
        try:
            payload_hash = hashlib.sha256(stored.payload.encode()).hexdigest()
            metadata_hash = (
                EMPTY_OBJECT_SHA256
                if stored.metadata == EMPTY_OBJECT
                else hashlib.sha256(stored.metadata.encode()).hexdigest()
            )
        except UnicodeEncodeError:  # the reference raises it
            return None
        text = (
            f'{{"corrects":[{corrects_json(payload)}]'
            f',"event_id":"{stored.event_id}","event_type":{type_json}'
            f"{self._origin}{metadata_hash}"
            f'","payload_sha256":"{payload_hash}'
            f"{self._time}{schema:d}"
            f',"sequence_number":{position:d}'
            f"{self._stream}{version:d}"
            f',"valid_time":{valid_time_json(payload)}}}'
        )
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return None
