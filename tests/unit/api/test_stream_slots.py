"""The stream-slot counter: a slot is given back however a stream ends, and never twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from newsledger.api.interceptors.stream_slots import (
    TOO_MANY_STREAMS,
    InvalidStreamLimit,
    StreamSlotInterceptor,
    StreamSlots,
    default_stream_limit,
    stream_limit,
)


class Refused(Exception):
    """Raised by the fake context where gRPC would end the call."""


class FakeContext:
    """Records the status a call is aborted with, and raises like gRPC does."""

    def __init__(self) -> None:
        self.status: grpc.Status | None = None

    def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise Refused


def numbers(count: int) -> Iterator[int]:
    yield from range(count)


def failing_after_one() -> Iterator[int]:
    yield 1
    raise RuntimeError("the store went away")


def test_a_slot_is_held_while_streaming_and_given_back_when_the_stream_is_exhausted() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(lambda: numbers(3), lambda: None)
    assert slots.open == 0  # nothing is taken before the first message
    assert next(stream) == 0
    assert slots.open == 1
    assert list(stream) == [1, 2]
    assert slots.open == 0


def test_a_slot_is_given_back_when_the_stream_is_closed_mid_way() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(lambda: numbers(3), lambda: None)
    next(stream)
    stream.close()  # what a cancelled call's abandoned iterator gets: GeneratorExit
    assert slots.open == 0


def test_a_slot_is_given_back_when_the_stream_raises() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(failing_after_one, lambda: None)
    next(stream)
    with pytest.raises(RuntimeError, match="the store went away"):
        next(stream)
    assert slots.open == 0


def test_a_stream_never_started_holds_no_slot() -> None:
    slots = StreamSlots(1)
    stream = slots.held_while(lambda: numbers(3), lambda: None)
    stream.close()
    assert slots.open == 0
    assert list(slots.held_while(lambda: numbers(1), lambda: None)) == [0]


def test_beyond_the_limit_the_stream_is_refused_without_starting_or_taking_a_slot() -> None:
    slots = StreamSlots(1)
    held = slots.held_while(lambda: numbers(2), lambda: None)
    next(held)
    started: list[str] = []
    refusals: list[str] = []

    def responses() -> Iterator[int]:
        started.append("started")
        yield 1

    assert list(slots.held_while(responses, lambda: refusals.append("refused"))) == []
    assert (started, refusals, slots.open) == ([], ["refused"], 1)
    held.close()
    assert list(slots.held_while(responses, lambda: refusals.append("refused"))) == [1]
    assert slots.open == 0


def test_concurrent_takers_never_exceed_the_limit() -> None:
    slots = StreamSlots(5)
    taken: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(40)

    def take() -> None:
        start.wait()
        result = slots.try_take()
        with lock:
            taken.append(result)

    threads = [threading.Thread(target=take) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(True) == 5
    assert slots.open == 5
    for _ in range(5):
        slots.give_back()
    assert slots.open == 0
    with pytest.raises(RuntimeError):
        slots.give_back()


def test_the_interceptor_refuses_with_resource_exhausted_naming_the_limit() -> None:
    slots = StreamSlots(1)
    stream = StreamSlotInterceptor(slots).stream("/pkg.Service/Watch", lambda _r, _c: numbers(2))
    context: Any = FakeContext()
    first: Any = stream(None, context)
    assert next(first) == 0
    with pytest.raises(Refused):
        next(stream(None, context))
    status = context.status
    assert status is not None and status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit of 1 open streams" in status.details and "retry later" in status.details
    [binary] = [v for k, v in status.trailing_metadata if k == "grpc-status-details-bin"]
    proto = status_pb2.Status.FromString(binary)
    info = error_details_pb2.ErrorInfo()
    assert proto.details[0].Unpack(info)
    assert (info.reason, dict(info.metadata)) == (TOO_MANY_STREAMS, {"limit": "1"})
    assert slots.open == 1
    first.close()
    assert slots.open == 0


def test_the_default_limit_keeps_a_quarter_of_the_workers_for_unary_calls() -> None:
    assert default_stream_limit(64) == 48
    assert default_stream_limit(16) == 12
    assert default_stream_limit(2) == 1
    assert stream_limit(64) == 48
    assert stream_limit(64, 63) == 63
    with pytest.raises(InvalidStreamLimit, match="between 1 and 63"):
        stream_limit(64, 64)
    with pytest.raises(InvalidStreamLimit):
        stream_limit(64, 0)
    with pytest.raises(InvalidStreamLimit):
        default_stream_limit(1)
