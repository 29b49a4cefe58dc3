"""MethodChain: the interceptors run in order, once per method, and unknown methods stay out."""

from __future__ import annotations

from typing import Any

import grpc

from newsledger.api.interceptors.base import Interceptor, UnaryBehaviour
from newsledger.api.interceptors.chain import MethodChain
from newsledger.api.serialized import Serialized
from newsledger.v1 import event_store_pb2 as pb


class Details:
    """The part of grpc.HandlerCallDetails the chain reads."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


class Tagging(Interceptor):
    """Wraps a behaviour so its answer carries this interceptor's tag; counts its builds."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.builds = 0

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        self.builds += 1

        def tagged(request: Any, context: Any) -> Any:
            return f"{self.tag}({behaviour(request, context)})"

        return tagged


def handler(request: Any, context: Any) -> Any:
    return "answer"


KNOWN = grpc.unary_unary_rpc_method_handler(handler)


def lookup(details: Any) -> grpc.RpcMethodHandler | None:
    return KNOWN if details.method == "/s/Known" else None


def test_the_first_interceptor_is_outermost_and_each_builds_once_per_method() -> None:
    outer, inner = Tagging("outer"), Tagging("inner")
    chain = MethodChain([outer, inner])
    answers = [
        chain.intercept_service(lookup, Details("/s/Known")).unary_unary(None, None)
        for _ in range(5)
    ]
    assert answers == ["outer(inner(answer))"] * 5
    assert (outer.builds, inner.builds) == (1, 1)


def test_an_unknown_method_is_answered_none_and_not_kept() -> None:
    tagging = Tagging("t")
    chain = MethodChain([tagging])
    for number in range(100):
        assert chain.intercept_service(lookup, Details(f"/s/Unknown{number}")) is None
    assert chain._handlers == {}


def test_a_serialized_response_goes_out_as_it_is_and_a_message_as_before() -> None:
    """Given the kept handler, a Serialized answer's bytes pass unchanged (not serialised
    again) and any other answer goes through the method's own serializer."""

    def own(response: Any) -> bytes:
        return pb.ReadLogResponse.SerializeToString(response)

    chain = MethodChain([Tagging("a")])
    built = grpc.unary_unary_rpc_method_handler(handler, response_serializer=own)
    kept = chain.intercept_service(lambda details: built, Details("/s/M"))
    serialize = kept.response_serializer
    wire = b"\x12\x03tok"
    assert serialize(Serialized(wire)) is wire
    message = pb.ReadLogResponse(next_page_token="tok")
    assert serialize(message) == message.SerializeToString() == wire
