"""The interceptors as one: each method's wrapped handler is built once, not on every call.

gRPC asks every interceptor, on every call, for the method's handler, and each of ours
rebuilds its wrapper (a new handler object and closures) although the result depends only
on the method. `MethodChain` runs the interceptors, outermost first, the first time a
method is called and keeps the handler they built; later calls reuse it. What a wrapper
does per call (reading the token, taking a stream slot, logging) is unchanged. Methods the
server does not know are not kept, so unknown names cannot grow the table. The kept handler
sends a response the servicer already serialised (`api/serialized.py`) as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import grpc

from newsledger.api.serialized import passing_serialized

Continuation = Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None]


class MethodChain(grpc.ServerInterceptor):  # type: ignore[misc]
    """Interceptors applied in order, their result kept per method."""

    def __init__(self, interceptors: Sequence[grpc.ServerInterceptor]) -> None:
        self.interceptors = tuple(interceptors)
        self._handlers: dict[str, grpc.RpcMethodHandler] = {}
        self._lock = threading.Lock()

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        """Return the method's wrapped handler, built by the interceptors the first time."""
        method = handler_call_details.method
        handler = self._handlers.get(method)
        if handler is not None:
            return handler
        handler = self._build(continuation, handler_call_details)
        if handler is not None:
            handler = passing_serialized(handler)
            with self._lock:
                handler = self._handlers.setdefault(method, handler)
        return handler

    def _build(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        """Run the interceptors around continuation, the first one outermost."""
        inner = continuation
        for interceptor in reversed(self.interceptors):
            inner = _bind(interceptor, inner)
        return inner(details)


def _bind(interceptor: grpc.ServerInterceptor, continuation: Continuation) -> Continuation:
    """Return a continuation that asks interceptor, which may ask continuation."""

    def call(details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler: grpc.RpcMethodHandler | None = interceptor.intercept_service(continuation, details)
        return handler

    return call
