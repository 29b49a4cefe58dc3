"""The shared workload: streams of ~400-byte StatementMade events, in append orders by batch size.

Every contender appends the same payload bytes: newsledger validates them as StatementMade
(a padded quote), the peer library and the raw database store the same JSON text.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PAYLOAD_BYTES = 400
PAGE = 1000
EVENT_TYPE = "StatementMade"
NAMESPACE = uuid.UUID("6f1c1d2e-0000-4000-8000-00000000be11")


def statement(stream_index: int, version: int, rng: random.Random) -> dict[str, Any]:
    """Return a valid StatementMade payload whose compact JSON is PAYLOAD_BYTES long."""
    quote: dict[str, Any] = {"speaker_id": "speaker", "text": "", "verbatim": True}
    payload: dict[str, Any] = {
        "statement_id": f"st-{stream_index}-{version}",
        "speaker_id": "speaker",
        "kind": "STATEMENT_KIND_REMARK",
        "report": {
            "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"},
            "sources": [
                {
                    "source_id": "src-wire",
                    "outlet": "Wire",
                    "kind": "SOURCE_KIND_WIRE",
                    "quotes": [quote],
                }
            ],
        },
    }
    padding = PAYLOAD_BYTES - len(compact(payload))
    letters = string.ascii_letters + " "
    text = "".join(rng.choices(letters, k=max(3, padding)))
    quote["text"] = "Q" + text[1:-1] + "." if len(text) > 2 else "Q."
    return payload


def compact(payload: dict[str, Any]) -> str:
    """Serialise as newsledger stores it: sorted keys, no spaces."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Event:
    """One event of the workload, in every form a contender needs."""

    stream: str
    stream_index: int
    version: int  # 0-based, as newsledger counts
    event_id: uuid.UUID
    payload: dict[str, Any]
    json: str


@dataclass(frozen=True, slots=True)
class AppendPlan:
    """Batches of one size: each batch is a list of events of a single stream, in order."""

    batch_size: int
    batches: list[list[Event]]

    @property
    def n_events(self) -> int:
        """Return how many events the plan appends."""
        return sum(len(batch) for batch in self.batches)

    def events(self) -> Iterator[Event]:
        """Yield every event in append order."""
        for batch in self.batches:
            yield from batch


def make_stream_events(
    n_streams: int, stream_length: int, seed: int = 42, prefix: str = "bench"
) -> list[list[Event]]:
    """Return n_streams streams of stream_length events each."""
    rng = random.Random(seed)
    streams = []
    for s in range(n_streams):
        name = f"{prefix}-{s:05d}"
        events = []
        for v in range(stream_length):
            payload = statement(s, v, rng)
            event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            events.append(Event(name, s, v, event_id, payload, compact(payload)))
        streams.append(events)
    return streams


def plan(batch_size: int, n_events: int, n_streams: int = 200, seed: int = 42) -> AppendPlan:
    """Return the append plan for one batch size.

    Batches of 1 go round-robin over n_streams streams (one transaction per event, as an
    application saving one event at a time would). Larger batches fill streams of
    max(100, batch_size) events one batch after another.
    """
    if batch_size == 1:
        per_stream = max(1, n_events // n_streams)
        streams = make_stream_events(n_streams, per_stream, seed)
        batches = [[streams[s][v]] for v in range(per_stream) for s in range(n_streams)]
        return AppendPlan(1, batches)
    length = max(100, batch_size)
    streams = make_stream_events(max(1, n_events // length), length, seed)
    batches = [
        stream[start : start + batch_size]
        for stream in streams
        for start in range(0, length, batch_size)
    ]
    return AppendPlan(batch_size, batches)
