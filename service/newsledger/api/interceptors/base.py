"""One base for the interceptors: wrap each method's behaviour, keeping its kind and codecs.

A subclass says which methods it wraps (`wraps`), how it wraps a behaviour of each kind
(`unary`, `stream` for a server stream, `client_stream` and `bidi` for calls whose requests
stream in, such as reflection), and, if it must, which request deserializer replaces the
method's own (`deserializer`). The base does the rest of `intercept_service`; every kind
of handler is rebuilt, so no call escapes an interceptor by its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc

UnaryBehaviour = Callable[[Any, grpc.ServicerContext], Any]
StreamBehaviour = Callable[[Any, grpc.ServicerContext], Iterator[Any]]
ClientStreamBehaviour = Callable[[Iterator[Any], grpc.ServicerContext], Any]
BidiBehaviour = Callable[[Iterator[Any], grpc.ServicerContext], Iterator[Any]]
Deserializer = Callable[[bytes], Any]


class Interceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """A server interceptor that wraps the behaviour of the methods it applies to."""

    def wraps(self, method: str, handler: grpc.RpcMethodHandler) -> bool:
        """Tell whether this interceptor applies to method (default: every method)."""
        return True

    def deserializer(self, handler: grpc.RpcMethodHandler) -> Deserializer | None:
        """Return the request deserializer to use instead of the handler's (default: none)."""
        return None

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Return the wrapped unary behaviour (the default wraps nothing)."""
        return behaviour

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Return the wrapped server-streaming behaviour (the default wraps nothing)."""
        return behaviour

    def client_stream(self, method: str, behaviour: ClientStreamBehaviour) -> ClientStreamBehaviour:
        """Return the wrapped client-streaming behaviour (the default wraps nothing)."""
        return behaviour

    def bidi(self, method: str, behaviour: BidiBehaviour) -> BidiBehaviour:
        """Return the wrapped bidirectional-streaming behaviour (the default wraps nothing)."""
        return behaviour

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        """Return the next handler with its behaviour wrapped, if this interceptor applies."""
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not self.wraps(method, handler):
            return handler
        return self.rewrap(handler, method)

    def rewrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        """Return handler with its behaviour wrapped and its deserializer replaced if asked."""
        deserializer = self.deserializer(handler) or handler.request_deserializer
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self.unary(method, handler.unary_unary),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self.stream(method, handler.unary_stream),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                self.client_stream(method, handler.stream_unary),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                self.bidi(method, handler.stream_stream),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
