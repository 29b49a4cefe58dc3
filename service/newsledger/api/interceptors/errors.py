"""Turns every error raised on purpose into its rich status (see newsledger.api.errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from newsledger.api.errors import status_for
from newsledger.api.interceptors.base import Interceptor, StreamBehaviour, UnaryBehaviour


def _answer_with_status(error: Exception, context: grpc.ServicerContext) -> None:
    """Abort the call with the error's status; raise the error again if it has none."""
    status = status_for(error)
    if status is None:
        raise error
    context.abort_with_status(status)


class ErrorInterceptor(Interceptor):
    """Aborts a call with the status of the error it raised; other errors pass on as bugs."""

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Run the behaviour; abort with the error's status when it raises a known error."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return behaviour(request, context)
            except Exception as error:
                _answer_with_status(error, context)

        return guarded

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Stream the behaviour's replies; abort with the error's status on a known error."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from behaviour(request, context)
            except Exception as error:
                _answer_with_status(error, context)

        return guarded
