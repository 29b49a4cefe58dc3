"""A dry run of the fold: which new developments the negotiation's view would not apply.

The ledger refuses an append holding a development whose references the negotiation lacks
(a speaker never introduced, a measure never imposed), but records others the fold cannot
apply and reports them as problems, for good: the log is immutable. A story file or an `add`
is checked before anything is written by folding the recorded stream, then the new events,
and naming each new event the fold refused, so a file's every problem is told at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from newsledger.domain.events import RecordedEvent
from newsledger.domain.integrity import RefusedReference
from newsledger.domain.negotiation import fold_in_place
from newsledger.store.records import ProposedEvent

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recorded_event(
    stream: str,
    stream_version: int,
    event_id: str,
    event_type: str,
    schema_version: int,
    payload: dict[str, Any],
    metadata: dict[str, Any],
) -> RecordedEvent:
    """Return an event of the stream as the fold takes it (its log position is not needed)."""
    return RecordedEvent(
        event_id=uuid.UUID(event_id),
        stream=stream,
        stream_version=stream_version,
        position=stream_version,
        event_type=event_type,
        schema_version=schema_version,
        payload=payload,
        metadata=metadata,
        record_time=_EPOCH,
    )


class Refused(NamedTuple):
    """A new event the fold would not apply: its index among the new events, and why."""

    new_index: int
    why: str
    lacks_reference: bool  # it refers to an id the negotiation does not have


def refused(
    stream: str, recorded: Sequence[RecordedEvent], new: Sequence[ProposedEvent]
) -> list[Refused]:
    """Return each new event the fold would not apply."""
    before = fold_in_place(recorded, None)
    known = len(before.problems) if before is not None else 0
    start = recorded[-1].stream_version + 1 if recorded else 0
    index_of = {str(event.event_id): i for i, event in enumerate(new)}
    events = [
        recorded_event(
            stream,
            start + i,
            str(event.event_id),
            event.event_type,
            event.schema_version,
            dict(event.payload),
            dict(event.metadata),
        )
        for i, event in enumerate(new)
    ]
    lacking: list[RefusedReference] = []
    after = fold_in_place(events, None if before is None else before.copy(), lacking)
    problems = [] if after is None else after.problems[known:]
    lacking_ids = {refusal.event_id for refusal in lacking}
    return [
        Refused(index_of[event_id], str(problem["description"]), event_id in lacking_ids)
        for problem in problems
        if (event_id := str(problem["event_id"])) in index_of
    ]
