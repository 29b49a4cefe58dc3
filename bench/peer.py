"""The reference library, `eventsourcing` 9.5.6, in-process: its recorder and its Application API.

Adapted from the reference harness (shared/bench/peer_bench.py, which produced the figures
in design-notes section 5): the same two levels, the same calls, on our workload.

- recorder: ``ApplicationRecorder.insert_events`` / ``select_notifications``, the lowest
  level that still enforces (originator_id, version) uniqueness and assigns notification ids;
- app: an ``Application`` of ``Aggregate`` streams (``@event`` methods, ``app.save``), and the
  notification log decoded through the mapper.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment

from bench.backends import Site
from bench.stats import rate
from bench.workload import EVENT_TYPE, NAMESPACE, PAGE, AppendPlan

TOPIC = f"bench.events:{EVENT_TYPE}"


def originator(stream: str) -> uuid.UUID:
    """Return the library's originator id of a workload stream."""
    return uuid.uuid5(NAMESPACE, stream)


class Recorder:
    """An ApplicationRecorder on a fresh site."""

    def __init__(self, site: Site) -> None:
        env = {**site.eventsourcing_env(), "CREATE_TABLE": "y"}
        self.factory: Any = InfrastructureFactory.construct(Environment("peer", env))
        self.recorder: Any = self.factory.application_recorder()
        self.recorder.max_notification_id()  # open the connection before timing

    def close(self) -> None:
        """Close the connections."""
        self.factory.close()


def recorder_append_rate(recorder: Recorder, append_plan: AppendPlan) -> float:
    """Insert the plan's batches with insert_events; return events per second."""
    batches = [
        [
            StoredEvent(
                originator_id=originator(e.stream),
                originator_version=e.version + 1,
                topic=TOPIC,
                state=e.json.encode(),
            )
            for e in batch
        ]
        for batch in append_plan.batches
    ]
    insert = recorder.recorder.insert_events
    started = time.perf_counter()
    for batch in batches:
        insert(batch)
    return rate(append_plan.n_events, time.perf_counter() - started)


def recorder_read_rate(recorder: Recorder) -> tuple[float, int]:
    """Read every notification in pages of 1,000; return (events per second, count)."""
    select = recorder.recorder.select_notifications
    started = time.perf_counter()
    start, count = 1, 0
    while True:
        page = select(start, PAGE)
        if not page:
            break
        count += len(page)
        start = page[-1].id + 1
    return rate(count, time.perf_counter() - started), count


class BenchStream(Aggregate):
    """One workload stream: a Created event, then one Recorded event per further event."""

    @event("Created")
    def __init__(self, name: str, payload: dict[str, Any]) -> None:
        self.name = name
        self.count = 1

    @event("Recorded")
    def record(self, kind: str, payload: dict[str, Any]) -> None:
        self.count += 1


class BenchApp(Application[uuid.UUID]):
    """The library's application, its notification log in sections of 1,000."""

    log_section_size = PAGE


def open_app(site: Site) -> Any:
    """Return a BenchApp on a fresh site."""
    app = BenchApp(env=site.eventsourcing_env())
    app.recorder.max_notification_id()
    return app


def app_append_rate(app: Any, append_plan: AppendPlan) -> float:
    """Save the plan's batches as aggregate events; return events per second."""
    aggregates: dict[str, BenchStream] = {}
    started = time.perf_counter()
    for batch in append_plan.batches:
        for e in batch:
            if e.version == 0:
                aggregates[e.stream] = BenchStream(name=e.stream, payload=e.payload)
            else:
                aggregates[e.stream].record(kind=EVENT_TYPE, payload=e.payload)
        app.save(aggregates[batch[0].stream])
    return rate(append_plan.n_events, time.perf_counter() - started)


def app_read_rate(app: Any) -> tuple[float, int]:
    """Read the notification log in sections of 1,000, decoding each event."""
    started = time.perf_counter()
    start, count = 1, 0
    while True:
        page = app.notification_log.select(start, PAGE)
        if not page:
            break
        count += len([app.mapper.to_domain_event(n) for n in page])
        start = page[-1].id + 1
    return rate(count, time.perf_counter() - started), count
