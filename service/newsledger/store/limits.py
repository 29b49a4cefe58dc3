"""The store's own limits: what keeps one append a short transaction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """Caps that keep one append small enough to stay a short transaction."""

    max_event_bytes: int = 256 * 1024
    max_batch_events: int = 1000
    max_batch_bytes: int = 4 * 1024 * 1024
    max_stream_name_length: int = 200
    max_event_type_length: int = 200
