"""newsledger in this process: appends without the transport, timed on the wall and on the CPU.

Two cases, each over an application built by ``bootstrap.build_application`` on a fresh,
migrated site (the service's projector and audit observers attached, as ``serve`` has them):

- **ledger**: ``Ledger.append`` of each batch, the ``ProposedEvent`` objects (payloads as
  Python objects) built before the clock starts, as the library's Application is handed its
  aggregates' events: validation, normalised JSON, the audit leaf and hashes, the rows;
- **server path**: what the server does for an ``AppendEvents`` call, without gRPC: parse
  the request bytes, the request guard's generic-limits walk, the servicer (conversions
  from protobuf, ``Ledger.append``, the response) and the response's serialisation.

CPU is the process's CPU time over the timed loop (``time.process_time``): Python and
SQLite's C code in this process, not the waits on fsync (nor, on PostgreSQL, the server's
own work), divided by the events appended.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.backends import Site
from bench.grpc_cases import append_requests
from bench.stats import rate
from bench.workload import EVENT_TYPE, AppendPlan
from newsledger.api.interceptors.request_guard import RequestGuardInterceptor
from newsledger.api.limits import RequestLimits
from newsledger.api.services.event_store import EventStoreService
from newsledger.bootstrap import build_application
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.store.records import NO_STREAM, ExpectedVersion, ProposedEvent
from newsledger.v1 import event_store_pb2 as es


@dataclass(frozen=True, slots=True)
class Measured:
    """Events per second on the wall clock, and CPU microseconds per event."""

    rate: float
    cpu_us_per_event: float


def measure(count: int, action: Callable[[], None]) -> Measured:
    """Run action (which appends count events); return its wall rate and CPU per event."""
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Measured(rate(count, wall), 1e6 * cpu / count)


class InProcess:
    """An application over a fresh site, in this process."""

    def __init__(self, site: Site) -> None:
        self.engine = create_engine(site.newsledger_url)
        upgrade_to_head(self.engine)
        self.app = build_application(EventStore(self.engine))

    def ledger_append(self, append_plan: AppendPlan) -> Measured:
        """Append each batch with Ledger.append, expecting its exact version."""
        return measure(append_plan.n_events, self.ledger_runner(append_plan))

    def server_path_append(self, append_plan: AppendPlan) -> Measured:
        """Run each AppendEvents request through what the server does for it, minus gRPC."""
        return measure(append_plan.n_events, self.server_path_runner(append_plan))

    def ledger_runner(self, append_plan: AppendPlan) -> Callable[[], None]:
        """Return the ledger case, its inputs built: call it to append the plan."""
        batches = [
            (
                batch[0].stream,
                [ProposedEvent(e.event_id, EVENT_TYPE, e.payload) for e in batch],
                NO_STREAM if batch[0].version == 0 else ExpectedVersion.exact(batch[0].version - 1),
            )
            for batch in append_plan.batches
        ]
        append = self.app.ledger.append

        def run() -> None:
            for stream, proposed, expected in batches:
                append(stream, proposed, expected)

        return run

    def server_path_runner(self, append_plan: AppendPlan) -> Callable[[], None]:
        """Return the server-path case, its requests serialised: call it to append the plan."""
        raw = [request.SerializeToString() for request in append_requests(append_plan)]
        parse = es.AppendEventsRequest.FromString
        guard = RequestGuardInterceptor(RequestLimits.for_store(self.app.store.limits))
        service = EventStoreService(self.app.ledger)

        def run() -> None:
            for data in raw:
                request = parse(data)
                guard.check(request)
                service.AppendEvents(request, None).SerializeToString()  # type: ignore[arg-type]

        return run

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
