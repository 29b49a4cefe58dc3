"""Refuse malformed, oversized and out-of-limit requests before any servicer sees them.

gRPC answers INTERNAL when a request cannot be parsed; here the parse failure becomes a
value the behaviour turns into INVALID_ARGUMENT, like every other bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message

from newsledger.api.interceptors.base import (
    Deserializer,
    Interceptor,
    StreamBehaviour,
    UnaryBehaviour,
)
from newsledger.api.limits import RequestLimits, request_violations
from newsledger.api.limits_check import LimitsCheck
from newsledger.application.errors import InvalidRequest, Violation


@dataclass(frozen=True, slots=True)
class UnreadableRequest:
    """Stands in for a request that could not be parsed or was too large to parse."""

    reason: str
    description: str

    def refusal(self) -> InvalidRequest:
        """Return the error to answer with."""
        return InvalidRequest([Violation("request", self.description)], self.reason)


def guarded_deserializer(
    deserializer: Callable[[bytes], Any], limits: RequestLimits
) -> Callable[[bytes], Any]:
    """Return a deserializer that yields UnreadableRequest instead of raising."""

    def deserialize(raw: bytes) -> Any:
        if len(raw) > limits.max_request_bytes:
            return UnreadableRequest(
                "REQUEST_TOO_LARGE",
                f"takes {len(raw)} bytes; the limit is {limits.max_request_bytes}",
            )
        try:
            return deserializer(raw)
        except Exception:  # every parse failure means the same to the caller
            return UnreadableRequest("MALFORMED_REQUEST", "is not a valid message of this method")

    return deserialize


class RequestGuardInterceptor(Interceptor):
    """Checks every request against the generic limits; raises InvalidRequest on a breach."""

    def __init__(self, limits: RequestLimits) -> None:
        self.limits = limits
        self._passes = LimitsCheck(limits).passes

    def wraps(self, method: str, handler: grpc.RpcMethodHandler) -> bool:
        """Apply to every method whose request is one message."""
        return handler.request_deserializer is not None and not handler.request_streaming

    def deserializer(self, handler: grpc.RpcMethodHandler) -> Deserializer | None:
        """Parse requests with the guard that turns a failure into UnreadableRequest."""
        return guarded_deserializer(handler.request_deserializer, self.limits)

    def check(self, request: Any) -> None:
        """Raise InvalidRequest when the request is unreadable or breaks a limit."""
        if isinstance(request, UnreadableRequest):
            raise request.refusal()
        if isinstance(request, Message) and not self._passes(request):
            # Only a request the quick check does not pass is walked for its violations.
            violations, reason = request_violations(request, self.limits)
            if violations:
                raise InvalidRequest(violations, reason)

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Check the request, then run the behaviour."""

        def checked(request: Any, context: grpc.ServicerContext) -> Any:
            self.check(request)
            return behaviour(request, context)

        return checked

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Check the request, then stream."""

        def checked(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            self.check(request)
            yield from behaviour(request, context)

        return checked
