"""One place that maps every application and store error to a rich gRPC status."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from sqlalchemy import exc as sa_exc

from newsledger.api.interceptors.auth import PermissionDenied, Unauthenticated
from newsledger.api.interceptors.base import (
    BehaviourWrapper,
    StreamBehaviour,
    UnaryBehaviour,
    rewrap,
)
from newsledger.application.ledger import InvalidRequest, NegotiationNotFound, Violation
from newsledger.audit.storage.checkpoints import CheckpointRefused
from newsledger.store.errors import (
    AppendLockTimeout,
    EventIdConflict,
    InvalidAppend,
    LimitExceeded,
    SchemaNotReady,
    WrongExpectedVersion,
)

DOMAIN = "newsledger.dev"
log = logging.getLogger(__name__)


def rich_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    metadata: Mapping[str, str] | None = None,
    violations: Sequence[Violation] = (),
    retry_after_seconds: float | None = None,
) -> grpc.Status:
    """Build a status carrying google.rpc.ErrorInfo and, when given, BadRequest and RetryInfo."""
    details = []
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=dict(metadata or {}))
    details.append(info)
    if violations:
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description
                    )
                    for v in violations
                ]
            )
        )
    if retry_after_seconds is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(retry_after_seconds * 1000))
        details.append(error_details_pb2.RetryInfo(retry_delay=delay))
    packed = []
    for detail in details:
        wrapper = any_pb2.Any()
        wrapper.Pack(detail)
        packed.append(wrapper)
    proto = status_pb2.Status(code=code.value[0], message=message, details=packed)
    return rpc_status.to_status(proto)


def status_for(error: Exception) -> grpc.Status | None:
    """Return the status for a known error, or None for an unexpected one."""
    if isinstance(error, Unauthenticated):
        metadata = {"method": error.method}
        return rich_status(grpc.StatusCode.UNAUTHENTICATED, str(error), "UNAUTHENTICATED", metadata)
    if isinstance(error, PermissionDenied):
        metadata = {
            "method": error.method,
            "role": error.holder.role.label,
            "required_role": error.needed.label,
        }
        return rich_status(
            grpc.StatusCode.PERMISSION_DENIED, str(error), "PERMISSION_DENIED", metadata
        )
    if isinstance(error, InvalidRequest):
        return rich_status(
            grpc.StatusCode.INVALID_ARGUMENT, str(error), error.reason, violations=error.violations
        )
    if isinstance(error, InvalidAppend):
        violation = Violation(error.field, str(error).split(": ", 1)[-1])
        return rich_status(
            grpc.StatusCode.INVALID_ARGUMENT, str(error), "INVALID_EVENT", violations=[violation]
        )
    if isinstance(error, LimitExceeded):
        reason = {"events": "BATCH_TOO_LARGE"}.get(error.field, "EVENT_TOO_LARGE")
        if not error.field.startswith("events"):
            reason = "INVALID_ARGUMENT"
        violation = Violation(error.field, str(error).split(": ", 1)[-1])
        return rich_status(
            grpc.StatusCode.INVALID_ARGUMENT, str(error), reason, violations=[violation]
        )
    if isinstance(error, WrongExpectedVersion):
        actual = "no stream" if error.actual is None else str(error.actual)
        metadata = {"stream": error.stream, "expected": error.expected, "actual": actual}
        return rich_status(grpc.StatusCode.ABORTED, str(error), "WRONG_EXPECTED_VERSION", metadata)
    if isinstance(error, EventIdConflict):
        metadata = {"event_id": str(error.event_id)}
        return rich_status(
            grpc.StatusCode.ALREADY_EXISTS, str(error), "EVENT_ID_CONFLICT", metadata
        )
    if isinstance(error, AppendLockTimeout):
        return rich_status(
            grpc.StatusCode.UNAVAILABLE,
            str(error),
            "APPEND_LOCK_TIMEOUT",
            retry_after_seconds=0.1,
        )
    if isinstance(error, NegotiationNotFound):
        metadata = {"negotiation_id": error.negotiation_id}
        return rich_status(grpc.StatusCode.NOT_FOUND, str(error), "NEGOTIATION_NOT_FOUND", metadata)
    if isinstance(error, CheckpointRefused):
        log.error("refusing to sign a checkpoint: %s", error)
        return rich_status(grpc.StatusCode.INTERNAL, str(error), "CHECKPOINT_REFUSED")
    if isinstance(error, SchemaNotReady):
        return rich_status(grpc.StatusCode.FAILED_PRECONDITION, str(error), "SCHEMA_NOT_READY")
    if isinstance(error, sa_exc.OperationalError):
        return rich_status(
            grpc.StatusCode.UNAVAILABLE,
            "the database is unavailable; retry later",
            "DATABASE_UNAVAILABLE",
        )
    return None


def _abort(context: grpc.ServicerContext, error: Exception) -> None:
    status = status_for(error)
    if status is None:
        log.exception("unexpected error in %s", type(error).__name__)
        status = rich_status(grpc.StatusCode.INTERNAL, "internal error", "INTERNAL")
    context.abort_with_status(status)


_KNOWN = (
    Unauthenticated,
    PermissionDenied,
    InvalidRequest,
    InvalidAppend,
    LimitExceeded,
    WrongExpectedVersion,
    EventIdConflict,
    AppendLockTimeout,
    NegotiationNotFound,
    SchemaNotReady,
    CheckpointRefused,
    sa_exc.OperationalError,
)


class ErrorInterceptor(grpc.ServerInterceptor, BehaviourWrapper):  # type: ignore[misc]
    """Turns the application's errors into rich statuses for every RPC."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        """Wrap the unary and server-streaming behaviours of the handler."""
        return rewrap(continuation(handler_call_details), handler_call_details.method, self)

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Run the behaviour; abort with the error's status when it raises a known error."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return behaviour(request, context)
            except _KNOWN as error:
                _abort(context, error)

        return guarded

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Stream the behaviour's replies; abort with the error's status on a known error."""

        def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            try:
                yield from behaviour(request, context)
            except _KNOWN as error:
                _abort(context, error)

        return guarded
