"""Stream budgets: a slot is given back however a stream ends, and no budget is ever exceeded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from newsledger.api.errors import status_for
from newsledger.api.interceptors.stream_slots import (
    ANONYMOUS,
    CALLER,
    TOO_MANY_STREAMS,
    TOTAL,
    Caller,
    InvalidStreamLimit,
    StreamSlotInterceptor,
    StreamSlots,
    TooManyStreams,
    default_stream_limit,
    stream_limit,
)
from newsledger.api.tokens import Role, TokenRegistry, entry_line, new_token, parse_entries

READER_TOKEN = new_token()
TOKENS = TokenRegistry(parse_entries(entry_line(Role.READER, "dashboard", READER_TOKEN), "test"))


class FakeContext:
    """The parts of a servicer context the stream interceptor reads."""

    def __init__(self, token: str | None = None, certificate: bytes | None = None) -> None:
        self.metadata = [("authorization", f"Bearer {token}")] if token else []
        self.certificate = certificate

    def invocation_metadata(self) -> list[tuple[str, str]]:
        return self.metadata

    def peer_identities(self) -> list[bytes] | None:
        return [self.certificate] if self.certificate else None


def numbers(count: int) -> Iterator[int]:
    yield from range(count)


def failing_after_one() -> Iterator[int]:
    yield 1
    raise RuntimeError("the store went away")


def test_a_slot_is_held_while_streaming_and_given_back_when_the_stream_is_exhausted() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(lambda: numbers(3))
    assert slots.open == 0  # nothing is taken before the first message
    assert next(stream) == 0
    assert slots.open == 1
    assert list(stream) == [1, 2]
    assert slots.open == 0


def test_a_slot_is_given_back_when_the_stream_is_closed_mid_way() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(lambda: numbers(3), Caller("token 'a'"))
    next(stream)
    stream.close()  # what a cancelled call's abandoned iterator gets: GeneratorExit
    assert slots.open == 0
    assert slots.try_take(Caller("token 'a'"))


def test_a_slot_is_given_back_when_the_stream_raises() -> None:
    slots = StreamSlots(2)
    stream = slots.held_while(failing_after_one, Caller(anonymous=True))
    next(stream)
    with pytest.raises(RuntimeError, match="the store went away"):
        next(stream)
    assert (slots.open, slots.open_anonymous) == (0, 0)


def test_a_stream_never_started_holds_no_slot() -> None:
    slots = StreamSlots(1)
    stream = slots.held_while(lambda: numbers(3))
    stream.close()
    assert slots.open == 0
    assert list(slots.held_while(lambda: numbers(1))) == [0]


def test_beyond_the_total_the_stream_is_refused_without_starting_or_taking_a_slot() -> None:
    slots = StreamSlots(1)
    held = slots.held_while(lambda: numbers(2))
    next(held)
    started: list[str] = []

    def responses() -> Iterator[int]:
        started.append("started")
        yield 1

    with pytest.raises(TooManyStreams) as refused:
        next(slots.held_while(responses))
    assert (refused.value.budget, refused.value.limit) == (TOTAL, 1)
    assert (started, slots.open) == ([], 1)
    held.close()
    assert list(slots.held_while(responses)) == [1]
    assert slots.open == 0


def test_each_known_caller_has_a_budget_of_its_own_within_the_total() -> None:
    slots = StreamSlots(10, per_caller=3, anonymous=2)
    reader, writer = Caller("token 'reader'"), Caller("token 'writer'")
    for _ in range(3):
        slots.take(reader)
    with pytest.raises(TooManyStreams) as refused:
        slots.take(reader)
    assert (refused.value.budget, refused.value.limit) == (CALLER, 3)
    assert "token 'reader' already holds its limit of 3" in str(refused.value)
    for _ in range(3):
        slots.take(writer)  # the reader's budget takes nothing from the writer's
    slots.give_back(reader)
    slots.take(reader)
    assert slots.open == 6


def test_anonymous_callers_share_one_small_budget_and_cannot_fill_the_total() -> None:
    slots = StreamSlots(10, per_caller=5, anonymous=2)
    slots.take(Caller(anonymous=True))
    slots.take(Caller(anonymous=True))
    with pytest.raises(TooManyStreams) as refused:
        slots.take(Caller(anonymous=True))
    assert (refused.value.budget, refused.value.limit) == (ANONYMOUS, 2)
    assert "without credentials" in str(refused.value)
    for _ in range(5):
        slots.take(Caller("token 'reader'"))
    assert (slots.open, slots.open_anonymous) == (7, 2)


def test_the_total_caps_every_budget_together() -> None:
    slots = StreamSlots(4, per_caller=3, anonymous=2)
    slots.take(Caller("token 'a'"))
    slots.take(Caller("token 'b'"))
    slots.take(Caller(anonymous=True))
    slots.take()
    with pytest.raises(TooManyStreams) as refused:
        slots.take(Caller("token 'c'"))
    assert refused.value.budget == TOTAL


def take_concurrently(slots: StreamSlots, callers: list[Caller], count: int) -> list[Caller]:
    """Start count threads at once, each taking one slot for the next caller in turn."""
    taken: list[Caller] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def take(caller: Caller) -> None:
        start.wait()
        if slots.try_take(caller):
            with lock:
                taken.append(caller)

    threads = [
        threading.Thread(target=take, args=(callers[i % len(callers)],)) for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return taken


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_takers_fill_each_budget_exactly(round_: int) -> None:
    slots = StreamSlots(100, per_caller=4, anonymous=3)
    callers = [Caller(anonymous=True), Caller("token 'a'"), Caller("token 'b'")]
    taken = take_concurrently(slots, callers, 90)
    assert [taken.count(caller) for caller in callers] == [3, 4, 4]
    assert (slots.open, slots.open_anonymous) == (11, 3)


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_takers_never_exceed_the_total_and_every_slot_comes_back(round_: int) -> None:
    slots = StreamSlots(12, per_caller=4, anonymous=3)
    callers = [Caller(anonymous=True), Caller("token 'a'"), Caller("token 'b'"), Caller()]
    taken = take_concurrently(slots, callers, 80)
    assert len(taken) == slots.open == 12
    assert taken.count(callers[0]) <= 3
    assert max(taken.count(callers[1]), taken.count(callers[2])) <= 4
    for caller in taken:
        slots.give_back(caller)
    assert (slots.open, slots.open_anonymous) == (0, 0)
    with pytest.raises(RuntimeError):
        slots.give_back()


def test_the_interceptor_draws_on_the_token_holders_the_certificates_or_the_anonymous_budget() -> (
    None
):
    interceptor = StreamSlotInterceptor(StreamSlots(8), TOKENS)
    health, api = "/grpc.health.v1.Health/Watch", "/newsledger.v1.EventStoreService/Subscribe"
    context: Any = FakeContext(token=READER_TOKEN)
    assert interceptor.caller(health, context) == Caller("token 'dashboard'")
    assert interceptor.caller(api, FakeContext(token="not-a-token")) == Caller()
    assert interceptor.caller(health, FakeContext(token="not-a-token")) == Caller(anonymous=True)
    assert interceptor.caller(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", FakeContext()
    ) == Caller(anonymous=True)
    assert interceptor.caller(api, FakeContext(certificate=b"client-1")) == Caller(
        "certificate 'client-1'"
    )


@pytest.mark.parametrize("kind", ["unary_stream", "stream_stream", "stream_unary"])
def test_every_long_lived_kind_of_call_holds_a_slot_and_is_refused_beyond_the_budget(
    kind: str,
) -> None:
    slots = StreamSlots(4, anonymous=1)
    method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
    release = threading.Event()

    def idle_stream(_request: Any, _context: Any) -> Iterator[int]:
        release.wait(5)
        yield 1

    def idle_unary(_requests: Any, _context: Any) -> int:
        release.wait(5)
        return 1

    behaviours = {
        "unary_stream": grpc.unary_stream_rpc_method_handler(idle_stream),
        "stream_stream": grpc.stream_stream_rpc_method_handler(idle_stream),
        "stream_unary": grpc.stream_unary_rpc_method_handler(idle_unary),
    }
    handler = StreamSlotInterceptor(slots).rewrap(behaviours[kind], method)
    call = getattr(handler, kind)

    def run() -> Any:
        result = call(iter(()), FakeContext())
        return result if kind == "stream_unary" else list(result)

    first = threading.Thread(target=run)
    first.start()
    while slots.open_anonymous == 0:
        threading.Event().wait(0.01)
    with pytest.raises(TooManyStreams) as refused:
        run()
    assert refused.value.budget == ANONYMOUS
    release.set()
    first.join()
    assert slots.open == 0


def test_a_refusal_is_resource_exhausted_naming_the_budget_with_a_retry_hint() -> None:
    status = status_for(TooManyStreams(ANONYMOUS, 16))
    assert status is not None and status.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit of 16 open streams" in status.details and "retry later" in status.details
    [binary] = [v for k, v in status.trailing_metadata if k == "grpc-status-details-bin"]
    proto = status_pb2.Status.FromString(binary)
    info, retry = error_details_pb2.ErrorInfo(), error_details_pb2.RetryInfo()
    assert proto.details[0].Unpack(info) and proto.details[1].Unpack(retry)
    assert (info.reason, dict(info.metadata)) == (
        TOO_MANY_STREAMS,
        {"limit": "16", "budget": ANONYMOUS},
    )
    assert retry.retry_delay.ToMilliseconds() == 1000


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


def test_the_default_budgets_are_a_half_and_a_sixth_of_the_total_and_fit_within_it() -> None:
    slots = StreamSlots(96)
    assert (slots.per_caller, slots.anonymous) == (48, 16)
    assert (StreamSlots(2).per_caller, StreamSlots(2).anonymous) == (1, 1)
    with pytest.raises(InvalidStreamLimit, match="per-caller stream limit must be between 1 and"):
        StreamSlots(10, per_caller=11)
    with pytest.raises(InvalidStreamLimit, match="anonymous stream limit"):
        StreamSlots(10, anonymous=0)
