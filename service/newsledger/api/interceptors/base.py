"""Rebuild a gRPC method handler around a wrapped behaviour, keeping its kind and codecs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc

UnaryBehaviour = Callable[[Any, grpc.ServicerContext], Any]
StreamBehaviour = Callable[[Any, grpc.ServicerContext], Iterator[Any]]


class BehaviourWrapper:
    """How an interceptor wraps the two kinds of behaviour this service has."""

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Return the wrapped unary behaviour (the default wraps nothing)."""
        return behaviour

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Return the wrapped server-streaming behaviour (the default wraps nothing)."""
        return behaviour


def rewrap(
    handler: grpc.RpcMethodHandler | None,
    method: str,
    wrapper: BehaviourWrapper,
    request_deserializer: Callable[[bytes], Any] | None = None,
) -> grpc.RpcMethodHandler | None:
    """Return handler with its behaviour wrapped, and its deserializer replaced when given.

    Client-streaming handlers are returned untouched: no service here has one.
    """
    if handler is None:
        return None
    deserializer = request_deserializer or handler.request_deserializer
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(
            wrapper.unary(method, handler.unary_unary),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            wrapper.stream(method, handler.unary_stream),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler
