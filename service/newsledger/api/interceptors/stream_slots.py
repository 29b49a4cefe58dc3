"""Budgets of open long-lived calls, so no caller, and nobody at all, can take every thread.

The server runs every call on a thread of one pool, and a long-lived call (a server
stream, a client stream or a bidirectional one such as reflection) holds its thread until
it ends. Each such call takes a slot before its first message and gives it back however
it ends (finished, failed, cancelled, past its deadline, or closed at shutdown). A slot
counts against the server's total, which leaves threads for unary calls, and against the
caller's own budget: a known caller's (a token holder or a client certificate), or the
anonymous budget that every call to health and reflection without credentials shares. On
a server without authentication the API's own streams cannot be told apart by caller and
count against the total only. Beyond a budget a call is refused at once (TooManyStreams).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsledger.api.interceptors.auth import OPEN_SERVICES, bearer_token, service_of
from newsledger.api.interceptors.base import (
    BidiBehaviour,
    ClientStreamBehaviour,
    Interceptor,
    StreamBehaviour,
)
from newsledger.api.tokens import TokenRegistry

TOO_MANY_STREAMS = "TOO_MANY_STREAMS"
RETRY_AFTER_SECONDS = 1.0
TOTAL, CALLER, ANONYMOUS = "total", "caller", "anonymous"


class InvalidStreamLimit(ValueError):
    """A stream cap that would leave no worker thread for unary calls, or allow no stream."""


class TooManyStreams(Exception):
    """A long-lived call was refused because the budget it draws on is spent."""

    def __init__(self, budget: str, limit: int, caller: str = "") -> None:
        self.budget = budget
        self.limit = limit
        if budget == CALLER:
            who = f"{caller} already holds its"
        elif budget == ANONYMOUS:
            who = "calls without credentials already hold their"
        else:
            who = "this server already serves its"
        super().__init__(
            f"{who} limit of {limit} open streams; retry later, or close a stream first"
        )


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


def _budget(total: int, requested: int | None, share: int, what: str) -> int:
    """Return a budget within the total: requested, or total // share (at least 1)."""
    if requested is None:
        return max(1, total // share)
    if not 1 <= requested <= total:
        raise InvalidStreamLimit(
            f"the {what} limit must be between 1 and the stream limit {total}, not {requested}"
        )
    return requested


@dataclass(frozen=True, slots=True)
class Caller:
    """Whose budget a call draws on: a known caller's, the anonymous one, or only the total."""

    name: str = ""
    anonymous: bool = False


UNIDENTIFIED = Caller()
"""A call on a server without authentication: it counts against the total only."""


class StreamSlots:
    """Counts the open long-lived calls of one server, thread-safely, within their budgets.

    Defaults: a known caller may hold half the total, anonymous calls together a sixth.
    """

    def __init__(
        self, limit: int, per_caller: int | None = None, anonymous: int | None = None
    ) -> None:
        if limit < 1:
            raise InvalidStreamLimit(f"the stream limit must be at least 1, not {limit}")
        self.limit = limit
        self.per_caller = _budget(limit, per_caller, 2, "per-caller stream")
        self.anonymous = _budget(limit, anonymous, 6, "anonymous stream")
        self._open = 0
        self._open_anonymous = 0
        self._open_by_caller: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def open(self) -> int:
        """Return the number of slots taken now."""
        with self._lock:
            return self._open

    @property
    def open_anonymous(self) -> int:
        """Return the number of slots anonymous calls hold now."""
        with self._lock:
            return self._open_anonymous

    def try_take(self, caller: Caller = UNIDENTIFIED) -> bool:
        """Take a slot and return True, or return False when a budget is spent."""
        try:
            self.take(caller)
        except TooManyStreams:
            return False
        return True

    def take(self, caller: Caller = UNIDENTIFIED) -> None:
        """Take a slot for caller, or raise TooManyStreams naming the budget that is spent."""
        with self._lock:
            if caller.anonymous and self._open_anonymous >= self.anonymous:
                raise TooManyStreams(ANONYMOUS, self.anonymous)
            held = self._open_by_caller.get(caller.name, 0)
            if caller.name and held >= self.per_caller:
                raise TooManyStreams(CALLER, self.per_caller, caller.name)
            if self._open >= self.limit:
                raise TooManyStreams(TOTAL, self.limit)
            self._open += 1
            if caller.anonymous:
                self._open_anonymous += 1
            if caller.name:
                self._open_by_caller[caller.name] = held + 1

    def give_back(self, caller: Caller = UNIDENTIFIED) -> None:
        """Return a slot taken for caller."""
        with self._lock:
            if self._open <= 0:
                raise RuntimeError("a stream slot was given back more often than taken")
            self._open -= 1
            if caller.anonymous:
                self._open_anonymous -= 1
            if caller.name:
                left = self._open_by_caller.pop(caller.name) - 1
                if left:
                    self._open_by_caller[caller.name] = left

    def held_while(
        self, responses: Callable[[], Iterator[Any]], caller: Caller = UNIDENTIFIED
    ) -> Generator[Any, None, None]:
        """Yield the responses while holding a slot; raise TooManyStreams when none is free.

        The slot is taken at the first message and given back when the stream is exhausted,
        raises, or is closed (GeneratorExit), so a stream never started holds none.
        """
        self.take(caller)
        try:
            yield from responses()
        finally:
            self.give_back(caller)


def known_caller(context: grpc.ServicerContext, tokens: TokenRegistry | None) -> str:
    """Return who the call comes from (a valid token's holder, else a client certificate), or ""."""
    if tokens is not None and tokens.enabled:
        token = bearer_token(context.invocation_metadata())
        holder = tokens.holder(token) if token else None
        if holder is not None:
            return f"token {holder.name!r}"
    identities = context.peer_identities()
    if identities:
        return f"certificate {identities[0].decode(errors='replace')!r}"
    return ""


class StreamSlotInterceptor(Interceptor):
    """Makes every long-lived call hold a slot of slots, within its caller's budget."""

    def __init__(self, slots: StreamSlots, tokens: TokenRegistry | None = None) -> None:
        self.slots = slots
        self.tokens = tokens

    def caller(self, method: str, context: grpc.ServicerContext) -> Caller:
        """Return the budget a call of method draws on."""
        name = known_caller(context, self.tokens)
        if name:
            return Caller(name)
        return Caller(anonymous=service_of(method) in OPEN_SERVICES)

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Stream within a slot; raise TooManyStreams when the budget is spent."""

        def limited(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            caller = self.caller(method, context)
            return self.slots.held_while(lambda: behaviour(request, context), caller)

        return limited

    def bidi(self, method: str, behaviour: BidiBehaviour) -> BidiBehaviour:
        """Stream within a slot while requests stream in; refuse as stream does."""

        def limited(requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
            caller = self.caller(method, context)
            return self.slots.held_while(lambda: behaviour(requests, context), caller)

        return limited

    def client_stream(self, method: str, behaviour: ClientStreamBehaviour) -> ClientStreamBehaviour:
        """Read the request stream within a slot; refuse as stream does."""

        def limited(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
            caller = self.caller(method, context)
            self.slots.take(caller)
            try:
                return behaviour(requests, context)
            finally:
                self.slots.give_back(caller)

        return limited


class StreamSlotsCollector(Collector):
    """Reports the open streams and their budgets at scrape time."""

    def __init__(self, slots: StreamSlots) -> None:
        self.slots = slots

    def collect(self) -> Iterator[Metric]:
        """Yield the open-streams gauges and the limit gauges."""
        slots = self.slots
        yield GaugeMetricFamily(
            "newsledger_open_streams",
            "Long-lived calls open now, each holding a worker thread",
            value=slots.open,
        )
        yield GaugeMetricFamily(
            "newsledger_open_streams_limit",
            "Most long-lived calls open at once; beyond it, RESOURCE_EXHAUSTED",
            value=slots.limit,
        )
        yield GaugeMetricFamily(
            "newsledger_open_anonymous_streams",
            "Long-lived calls open now without credentials (health, reflection)",
            value=slots.open_anonymous,
        )
        yield GaugeMetricFamily(
            "newsledger_anonymous_streams_limit",
            "Most long-lived calls without credentials open at once",
            value=slots.anonymous,
        )
        yield GaugeMetricFamily(
            "newsledger_streams_per_caller_limit",
            "Most long-lived calls one token holder or certificate may hold open at once",
            value=slots.per_caller,
        )
