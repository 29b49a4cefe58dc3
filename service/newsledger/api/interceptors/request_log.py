"""A request id for every RPC, one structured log line per RPC, and hooks for metrics.

The id comes from the caller's `x-request-id` metadata when it is a plausible id, or is
made here; it is returned in the trailing metadata and stamped on every log line the call
produces (see newsledger.api.log_format).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc

from newsledger.api.interceptors.base import (
    BidiBehaviour,
    ClientStreamBehaviour,
    Interceptor,
    StreamBehaviour,
    UnaryBehaviour,
)

REQUEST_ID_KEY = "x-request-id"
_PLAUSIBLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
log = logging.getLogger("newsledger.requests")


@dataclass(slots=True)
class RequestScope:
    """What is known about the RPC being served on this thread."""

    request_id: str = ""
    method: str = ""
    principal: str = ""
    started: float = field(default_factory=time.monotonic)


_scope: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "newsledger_request_scope", default=None
)


def current_scope() -> RequestScope:
    """Return the scope of the RPC being served, or a detached one outside any RPC."""
    return _scope.get() or RequestScope()


def current_request_id() -> str:
    """Return the id of the RPC being served, or "" outside any RPC."""
    scope = _scope.get()
    return scope.request_id if scope else ""


class RpcObserver(Protocol):
    """Told when each RPC starts and ends (metrics implement this)."""

    def rpc_started(self, method: str) -> None:
        """An RPC of method began."""

    def rpc_finished(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        """An RPC of method ended with code after seconds."""


_Entered = tuple[RequestScope, contextvars.Token[RequestScope | None]]


def request_id_from(metadata: Any) -> str:
    """Return the caller's x-request-id when plausible, else a fresh id."""
    for key, value in metadata or ():
        if key == REQUEST_ID_KEY and isinstance(value, str) and _PLAUSIBLE_ID.fullmatch(value):
            return value
    return uuid.uuid4().hex


def _final_code(context: grpc.ServicerContext, failed: bool) -> grpc.StatusCode:
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    if failed:
        return grpc.StatusCode.UNKNOWN
    return grpc.StatusCode.OK if context.is_active() else grpc.StatusCode.CANCELLED


def _return_request_id(context: grpc.ServicerContext, request_id: str) -> None:
    # abort_with_status replaces the trailing metadata, so the id is put back afterwards.
    existing = tuple(context.trailing_metadata() or ())
    if not any(key == REQUEST_ID_KEY for key, _ in existing):
        context.set_trailing_metadata((*existing, (REQUEST_ID_KEY, request_id)))


class RequestLogInterceptor(Interceptor):
    """Gives every RPC a request id, logs its outcome and tells the observers."""

    def __init__(self, observers: Sequence[RpcObserver] = ()) -> None:
        self.observers = tuple(observers)

    def _begin(self, method: str, context: grpc.ServicerContext) -> _Entered:
        scope = RequestScope(request_id_from(context.invocation_metadata()), method)
        context.set_trailing_metadata(((REQUEST_ID_KEY, scope.request_id),))
        for observer in self.observers:
            observer.rpc_started(method)
        return scope, _scope.set(scope)

    def _end(self, context: grpc.ServicerContext, entered: _Entered, failed: bool) -> None:
        scope, token = entered
        seconds = time.monotonic() - scope.started
        code = _final_code(context, failed)
        _return_request_id(context, scope.request_id)
        for observer in self.observers:
            observer.rpc_finished(scope.method, code, seconds)
        fields = {
            "request_id": scope.request_id,
            "method": scope.method,
            "code": code.name,
            "duration_ms": round(seconds * 1000, 3),
            "principal": scope.principal,
            "peer": context.peer(),
        }
        log.info("%s %s", scope.method, code.name, extra={"fields": fields})
        try:
            _scope.reset(token)
        except ValueError:  # a stream finalised from another context
            _scope.set(None)

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Run the behaviour inside a request scope."""

        def logged(request: Any, context: grpc.ServicerContext) -> Any:
            entered = self._begin(method, context)
            failed = True
            try:
                response = behaviour(request, context)
                failed = False
                return response
            finally:
                self._end(context, entered, failed)

        return logged

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Run the stream inside a request scope, re-entered around every message."""

        def logged(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            entered = self._begin(method, context)
            failed = True
            try:
                yield from behaviour(request, context)
                failed = False
            except GeneratorExit:
                failed = False  # the client went away while a message was pending
                raise
            finally:
                self._end(context, entered, failed)

        return logged

    def client_stream(self, method: str, behaviour: ClientStreamBehaviour) -> ClientStreamBehaviour:
        """Read the request stream inside a request scope, as unary does."""
        return self.unary(method, behaviour)

    def bidi(self, method: str, behaviour: BidiBehaviour) -> BidiBehaviour:
        """Stream replies to a request stream inside a request scope, as stream does."""
        return self.stream(method, behaviour)
