"""Turns every error a call raises into a status: its own (see newsledger.api.errors) or INTERNAL.

An error raised on purpose answers with its rich status. Any other error is a bug: it is
logged in full with the request id, and the caller gets INTERNAL with that id and nothing
else, so no SQL, parameter or stack detail leaves the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import grpc

from newsledger.api.errors import internal_status, status_for
from newsledger.api.interceptors.base import (
    BidiBehaviour,
    ClientStreamBehaviour,
    Interceptor,
    StreamBehaviour,
    UnaryBehaviour,
)
from newsledger.api.interceptors.request_log import current_request_id

log = logging.getLogger(__name__)


def _already_aborted(context: grpc.ServicerContext) -> bool:
    """Tell whether the call was ended with a status already (context.abort raises after it)."""
    code = context.code()
    return isinstance(code, grpc.StatusCode) and code != grpc.StatusCode.OK


def _answer_with_status(method: str, error: Exception, context: grpc.ServicerContext) -> None:
    """Abort the call with the error's status, or with INTERNAL when it has none."""
    if _already_aborted(context):
        raise error
    status = status_for(error)
    if status is None:
        request_id = current_request_id()
        log.error(
            "unexpected error in %s (request id %s)",
            method,
            request_id,
            exc_info=(type(error), error, error.__traceback__),
        )
        status = internal_status(request_id)
    context.abort_with_status(status)


class ErrorInterceptor(Interceptor):
    """Aborts a call with the status of the error it raised, or INTERNAL for an unexpected one."""

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Run the behaviour; abort with the error's status when it raises."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return behaviour(request, context)
            except Exception as error:
                _answer_with_status(method, error, context)

        return guarded

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Stream the behaviour's replies; abort with the error's status when it raises."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from behaviour(request, context)
            except Exception as error:
                _answer_with_status(method, error, context)

        return guarded

    def client_stream(self, method: str, behaviour: ClientStreamBehaviour) -> ClientStreamBehaviour:
        """Run the behaviour over the request stream; abort as unary does."""

        def guarded(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
            try:
                return behaviour(requests, context)
            except Exception as error:
                _answer_with_status(method, error, context)

        return guarded

    def bidi(self, method: str, behaviour: BidiBehaviour) -> BidiBehaviour:
        """Stream the behaviour's replies to a request stream; abort as stream does."""

        def guarded(requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from behaviour(requests, context)
            except Exception as error:
                _answer_with_status(method, error, context)

        return guarded
