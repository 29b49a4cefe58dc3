"""A per-server cap on open server-streaming calls, so unary calls always find a worker.

The server runs every call on a thread of one pool, and a stream holds its thread until it
ends. Without a cap, streams can take every thread and appends and reads then wait forever.
Each stream takes a slot before its first message and gives it back however it ends
(finished, failed, cancelled, past its deadline, or closed at shutdown); beyond the cap a
new stream is refused at once with RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import grpc
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsledger.api.errors import rich_status
from newsledger.api.interceptors.base import Interceptor, StreamBehaviour

TOO_MANY_STREAMS = "TOO_MANY_STREAMS"
RETRY_AFTER_SECONDS = 1.0


class InvalidStreamLimit(ValueError):
    """A stream cap that would leave no worker thread for unary calls, or allow no stream."""


def default_stream_limit(max_workers: int) -> int:
    """Return the cap for a pool of max_workers threads: all but a quarter kept for unary calls.

    A pool of 128 threads serves at most 96 streams, 64 at most 48; at least one thread is
    always kept.
    """
    if max_workers < 2:
        raise InvalidStreamLimit(f"a server needs at least 2 worker threads, not {max_workers}")
    return max_workers - max(1, max_workers // 4)


def stream_limit(max_workers: int, requested: int | None = None) -> int:
    """Return the requested cap, or the default for the pool; raise when it fits no pool.

    A cap must allow one stream and keep one of the max_workers threads for unary calls.
    """
    if requested is None:
        return default_stream_limit(max_workers)
    if not 1 <= requested < max_workers:
        raise InvalidStreamLimit(
            f"the stream limit must be between 1 and {max_workers - 1} "
            f"(the worker threads less one for unary calls), not {requested}"
        )
    return requested


class StreamSlots:
    """Counts the open streams of one server, thread-safely, up to a limit."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise InvalidStreamLimit(f"the stream limit must be at least 1, not {limit}")
        self.limit = limit
        self._open = 0
        self._lock = threading.Lock()

    @property
    def open(self) -> int:
        """Return the number of slots taken now."""
        with self._lock:
            return self._open

    def try_take(self) -> bool:
        """Take a slot and return True, or return False when all are taken."""
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
            return True

    def give_back(self) -> None:
        """Return a slot taken by try_take."""
        with self._lock:
            if self._open <= 0:
                raise RuntimeError("a stream slot was given back more often than taken")
            self._open -= 1

    def held_while(
        self, responses: Callable[[], Iterator[Any]], refuse: Callable[[], None]
    ) -> Generator[Any, None, None]:
        """Yield the responses while holding a slot, or call refuse when none is free.

        The slot is taken at the first message and given back when the stream is exhausted,
        raises, or is closed (GeneratorExit), so a stream never started holds none.
        """
        if not self.try_take():
            refuse()
            return
        try:
            yield from responses()
        finally:
            self.give_back()


def too_many_streams(limit: int) -> grpc.Status:
    """Return the RESOURCE_EXHAUSTED status of a stream refused at the limit."""
    return rich_status(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"this server already serves its limit of {limit} open streams; "
        "retry later, or close a stream first",
        TOO_MANY_STREAMS,
        {"limit": str(limit)},
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


class StreamSlotInterceptor(Interceptor):
    """Makes every server-streaming call hold a slot of slots while it is open."""

    def __init__(self, slots: StreamSlots) -> None:
        self.slots = slots

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Stream within a slot; abort with RESOURCE_EXHAUSTED when none is free."""
        slots = self.slots

        def limited(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            return slots.held_while(
                lambda: behaviour(request, context),
                lambda: context.abort_with_status(too_many_streams(slots.limit)),
            )

        return limited


class StreamSlotsCollector(Collector):
    """Reports the open streams and their limit at scrape time."""

    def __init__(self, slots: StreamSlots) -> None:
        self.slots = slots

    def collect(self) -> Iterator[Metric]:
        """Yield the open-streams gauge and the limit gauge."""
        yield GaugeMetricFamily(
            "newsledger_open_streams",
            "Server-streaming calls open now, each holding a worker thread",
            value=self.slots.open,
        )
        yield GaugeMetricFamily(
            "newsledger_open_streams_limit",
            "Most server-streaming calls open at once; beyond it, RESOURCE_EXHAUSTED",
            value=self.slots.limit,
        )
