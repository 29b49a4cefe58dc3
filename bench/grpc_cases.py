"""newsledger through its gRPC API, with the project's own client against a real server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import grpc
from google.protobuf.empty_pb2 import Empty
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.stats import latencies_ms, percentile, rate
from bench.workload import EVENT_TYPE, PAGE, AppendPlan, Event
from newsledger.client.ledger_client import LedgerClient
from newsledger.v1 import event_store_pb2 as es
from newsledger.v1 import negotiations_pb2 as neg

TIMEOUT = 120.0
REPORTED_BY = "reported_by"
"""The third time axis of GetNegotiation (what had been reported by a date), once the API has it."""


def has_reported_by() -> bool:
    """Tell whether GetNegotiationRequest has the reported_by field (the API is growing it)."""
    return REPORTED_BY in neg.GetNegotiationRequest.DESCRIPTOR.fields_by_name


def _expected(first: Event) -> es.ExpectedVersion:
    """Expect the exact version before the batch, as an event-sourced application does."""
    if first.version == 0:
        return es.ExpectedVersion(no_stream=Empty())
    return es.ExpectedVersion(exact=first.version - 1)


def proposed(event: Event, metadata_json: str = "{}") -> es.ProposedEvent:
    """Return the ProposedEvent message of a workload event."""
    return es.ProposedEvent(
        event_id=str(event.event_id),
        event_type=EVENT_TYPE,
        schema_version=1,
        payload_json=event.json,
        metadata_json=metadata_json,
    )


def append_requests(append_plan: AppendPlan) -> list[es.AppendEventsRequest]:
    """Build every request up front, so the timed loop measures the server, not the client."""
    return [
        es.AppendEventsRequest(
            stream=batch[0].stream,
            expected_version=_expected(batch[0]),
            events=[proposed(event) for event in batch],
        )
        for batch in append_plan.batches
    ]


def append_rate(client: LedgerClient, requests: list[es.AppendEventsRequest]) -> float:
    """Send the requests one after another; return events per second."""
    call = client.events.AppendEvents
    count = sum(len(request.events) for request in requests)
    started = time.perf_counter()
    for request in requests:
        call(request, timeout=TIMEOUT)
    return rate(count, time.perf_counter() - started)


def round_trip_rate(client: LedgerClient, count: int = 500) -> float:
    """Return health Checks per second, sent one after another.

    A Check does no work behind the interceptors, so this is the most calls of any kind
    the API can answer one at a time on this machine: the ceiling of single appends.
    """
    check = health_pb2_grpc.HealthStub(client.channel).Check
    request = health_pb2.HealthCheckRequest()
    for _ in range(20):
        check(request, timeout=TIMEOUT)
    started = time.perf_counter()
    for _ in range(count):
        check(request, timeout=TIMEOUT)
    return rate(count, time.perf_counter() - started)


def read_log(client: LedgerClient, from_position: int = 0, limit: int | None = None) -> int:
    """Read the log in pages of 1,000 from from_position (to the end, or limit events)."""
    call = client.events.ReadLog
    request = es.ReadLogRequest(page_size=PAGE, from_position=from_position)
    count = 0
    while True:
        page = call(request, timeout=TIMEOUT)
        count += len(page.events)
        if not page.next_page_token or (limit is not None and count >= limit):
            return count
        request = es.ReadLogRequest(page_size=PAGE, page_token=page.next_page_token)


def read_log_rate(client: LedgerClient, from_position: int = 0, limit: int | None = None) -> float:
    """Return events per second of read_log."""
    started = time.perf_counter()
    count = read_log(client, from_position, limit)
    return rate(count, time.perf_counter() - started)


def replay(client: LedgerClient, up_to: int) -> int:
    """Subscribe from the start and consume until the event at position up_to arrives."""
    call = client.events.Subscribe(es.SubscribeRequest(), timeout=3600)
    count = 0
    try:
        for message in call:
            if message.HasField("event"):
                count += 1
                if message.event.position >= up_to:
                    break
    finally:
        call.cancel()
    return count


@dataclass(frozen=True, slots=True)
class ViewProbe:
    """Latency probes of one negotiation's views."""

    client: LedgerClient
    negotiation_id: str

    def _request(self, **fields: Any) -> neg.GetNegotiationRequest:
        return neg.GetNegotiationRequest(negotiation_id=self.negotiation_id, **fields)

    def _timed(self, request: neg.GetNegotiationRequest) -> float:
        """Return one call's milliseconds."""
        started = time.perf_counter()
        self.client.negotiations.GetNegotiation(request, timeout=TIMEOUT)
        return (time.perf_counter() - started) * 1000

    def current(self, count: int) -> list[float]:
        """Return the latencies (ms) of the same current view asked count times."""
        request = self._request()
        call = self.client.negotiations.GetNegotiation
        return latencies_ms(lambda: call(request, timeout=TIMEOUT), count)

    def current_after_appends(self, append: Callable[[int], object], count: int) -> list[float]:
        """Return the latencies (ms) of the current view, each right after append(n) (untimed).

        Every answer is at a new stream version, so none can come from a cache.
        """
        request = self._request()
        latencies = []
        for number in range(count):
            append(number)
            latencies.append(self._timed(request))
        return latencies

    def each_as_of(self, days: list[str]) -> list[float]:
        """Return the latency (ms) of one view per date: each a different, uncached point."""
        return [self._timed(self._request(as_of=day)) for day in days]

    def each_reported_by(self, days: list[str]) -> list[float]:
        """Return the latency (ms) of one view per reported_by date (a date, or its midnight).

        The hook for the third past-point axis: the scale checks call it only when
        has_reported_by() says the API has the field.
        """
        field = neg.GetNegotiationRequest.DESCRIPTOR.fields_by_name[REPORTED_BY]
        latencies = []
        for day in days:
            request = self._request()
            if field.message_type is not None:  # an instant: midnight UTC of the day
                getattr(request, REPORTED_BY).FromDatetime(datetime.fromisoformat(day))
            else:
                setattr(request, REPORTED_BY, day)
            latencies.append(self._timed(request))
        return latencies

    def each_known_at(self, instants: list[datetime]) -> list[float]:
        """Return the latency (ms) of one view per instant: each a different, uncached point."""
        latencies = []
        for instant in instants:
            request = self._request()
            request.known_at.FromDatetime(instant)
            latencies.append(self._timed(request))
        return latencies


@dataclass
class SubscriberResult:
    """Append-to-delivery latencies over every (event, subscriber) pair."""

    latencies_ms: list[float]
    expected_deliveries: int

    @property
    def p50(self) -> float:
        """Return the median latency."""
        return percentile(self.latencies_ms, 0.5)

    @property
    def p99(self) -> float:
        """Return the 99th percentile latency."""
        return percentile(self.latencies_ms, 0.99)

    @property
    def missing(self) -> int:
        """Return how many deliveries never arrived."""
        return self.expected_deliveries - len(self.latencies_ms)


def subscriber_latency(
    target: str, events: list[Event], subscribers: int, appends_per_second: float
) -> SubscriberResult:
    """Start subscribers at the head, append events at a steady rate, time each delivery."""
    sent: dict[str, float] = {}
    received: list[list[tuple[str, float]]] = [[] for _ in range(subscribers)]
    ready = threading.Barrier(subscribers + 1)
    with LedgerClient(target, timeout_seconds=TIMEOUT) as client:
        head = client.read_log(direction=es.READ_DIRECTION_BACKWARD, page_size=1).events
        after = head[0].position if head else None
        request = es.SubscribeRequest()
        if after is not None:
            request.after_position = after
        calls = [client.events.Subscribe(request, timeout=3600) for _ in range(subscribers)]

        def consume(index: int) -> None:
            box = received[index]
            waiting = True
            for _ in range(50):
                try:
                    for message in calls[index]:
                        if message.HasField("caught_up") and waiting:
                            waiting = False
                            ready.wait()
                        elif message.HasField("event"):
                            box.append((message.event.event_id, time.perf_counter()))
                    return
                except grpc.RpcError as error:
                    refused = error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                    if not (waiting and refused):
                        return  # cancelled at the end
                # The streams of an earlier measurement may still hold their slots for a
                # poll interval after their cancel: ask again shortly.
                time.sleep(0.2)
                calls[index] = client.events.Subscribe(request, timeout=3600)
            ready.abort()

        threads = [
            threading.Thread(target=consume, args=(i,), daemon=True) for i in range(subscribers)
        ]
        for thread in threads:
            thread.start()
        ready.wait(timeout=60)
        interval = 1.0 / appends_per_second
        next_at = time.perf_counter()
        for event in events:
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
            request_id = str(event.event_id)
            append = es.AppendEventsRequest(stream=event.stream, events=[proposed(event)])
            sent[request_id] = time.perf_counter()
            client.events.AppendEvents(append, timeout=TIMEOUT)
        deadline = time.perf_counter() + 5
        while (
            time.perf_counter() < deadline and sum(map(len, received)) < len(events) * subscribers
        ):
            time.sleep(0.05)
        for call in calls:
            call.cancel()
        for thread in threads:
            thread.join(timeout=5)
    latencies = [
        (at - sent[event_id]) * 1000 for box in received for event_id, at in box if event_id in sent
    ]
    return SubscriberResult(latencies, len(events) * subscribers)
