"""Checks an append must pass before it takes the lock: names, ids, NUL and size caps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newsledger.store.canonical_text import normalise_json_canonical
from newsledger.store.errors import InvalidAppend, LimitExceeded
from newsledger.store.limits import StoreLimits
from newsledger.store.records import ProposedEvent


def is_printable_without_spaces(value: str) -> bool:
    """Tell that value has no whitespace or control characters.

    Of the characters Python calls whitespace, only the space is printable, so one pass of
    str.isprintable and a search for the space decide it.
    """
    return value.isprintable() and " " not in value


def _check_name(field: str, value: str, max_length: int) -> None:
    if not value:
        raise InvalidAppend(field, "must not be empty")
    if len(value) > max_length:
        raise LimitExceeded(field, f"is {len(value)} characters long; the limit is {max_length}")
    if not is_printable_without_spaces(value):
        raise InvalidAppend(field, "must not contain whitespace or control characters")


def _utf8_size(field: str, text: str) -> int:
    """Return the UTF-8 size of text; a lone surrogate (not encodable) names the field."""
    try:
        return len(text.encode())
    except UnicodeEncodeError:
        raise InvalidAppend(
            field, "contains a lone surrogate, which is not valid Unicode"
        ) from None


def nul_path(value: Any) -> str | None:
    """Return the path of a string (key or value) in value that holds U+0000, or None.

    PostgreSQL cannot store U+0000 in text or JSON, so both backends refuse it alike.
    """
    pending: list[tuple[Any, str]] = [(value, "")]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}".replace("\x00", "\\u0000")
                if "\x00" in key:
                    return child_path
                pending.append((child, child_path))
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
    return None


def _check_no_nul(field: str, value: Any, text: str) -> None:
    # The JSON text escapes U+0000 as \u0000, so text without it needs no walk.
    if "\\u0000" in text and (path := nul_path(value)) is not None:
        raise InvalidAppend(f"{field}{path}", "contains U+0000 (NUL), which no string may hold")


JsonTexts = tuple[str, str]
"""An event's payload and metadata as the normalised JSON text the store keeps."""


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """A batch's normalised texts, and per event whether both texts are RFC 8785 (JCS)."""

    texts: list[JsonTexts]
    canonical: list[bool]


def validate_batch(
    stream: str, proposed: Sequence[ProposedEvent], limits: StoreLimits
) -> CheckedBatch:
    """Return each event's normalised JSON texts, or raise naming the offending item."""
    _check_name("stream", stream, limits.max_stream_name_length)
    if not proposed:
        raise InvalidAppend("events", "an append needs at least one event")
    if len(proposed) > limits.max_batch_events:
        raise LimitExceeded(
            "events", f"{len(proposed)} events in one batch; the limit is {limits.max_batch_events}"
        )
    texts: list[JsonTexts] = []
    canonical: list[bool] = []
    seen: set[Any] = set()
    batch_bytes = 0
    for index, event in enumerate(proposed):
        field = f"events[{index}]"
        if event.event_id in seen:
            raise InvalidAppend(f"{field}.event_id", f"{event.event_id} appears twice in the batch")
        seen.add(event.event_id)
        _check_name(f"{field}.event_type", event.event_type, limits.max_event_type_length)
        if event.schema_version < 1:
            raise InvalidAppend(f"{field}.schema_version", "must be 1 or more")
        payload, payload_canonical = normalise_json_canonical(event.payload)
        metadata, metadata_canonical = normalise_json_canonical(event.metadata)
        _check_no_nul(f"{field}.payload", event.payload, payload)
        _check_no_nul(f"{field}.metadata", event.metadata, metadata)
        size = _utf8_size(f"{field}.payload", payload) + _utf8_size(f"{field}.metadata", metadata)
        if size > limits.max_event_bytes:
            raise LimitExceeded(
                field,
                f"payload and metadata take {size} bytes; the limit is {limits.max_event_bytes}",
            )
        batch_bytes += size
        texts.append((payload, metadata))
        canonical.append(payload_canonical and metadata_canonical)
    if batch_bytes > limits.max_batch_bytes:
        raise LimitExceeded(
            "events", f"the batch takes {batch_bytes} bytes; the limit is {limits.max_batch_bytes}"
        )
    return CheckedBatch(texts, canonical)
