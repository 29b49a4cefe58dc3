"""Events as the domain sees them: immutable records read back from the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One event as recorded: identity, place in its stream and in the log, and content."""

    event_id: uuid.UUID
    stream: str
    stream_version: int
    position: int
    event_type: str
    schema_version: int
    payload: JsonObject
    metadata: JsonObject
    record_time: datetime
