"""One table maps every error the service raises on purpose to a rich gRPC status.

Each row is keyed by an error class and declares, once, its status code, its ErrorInfo
reason (domain `newsledger.dev`), the metadata it carries and whether a retry may help. An
error is looked up by its class and then its base classes, so a subclass answers as its
base does unless it has a row of its own. An error with no row is a bug, not an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from sqlalchemy import exc as sa_exc

from newsledger.api.interceptors.auth import PermissionDenied, Unauthenticated
from newsledger.application.errors import (
    CheckpointNotFound,
    InvalidRequest,
    NegotiationNotFound,
    Violation,
)
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


def _no_metadata(error: Any) -> Mapping[str, str]:
    return {}


def _no_violations(error: Any) -> Sequence[Violation]:
    return ()


def _one_violation(error: InvalidAppend | LimitExceeded) -> Sequence[Violation]:
    return [Violation(error.field, str(error).split(": ", 1)[-1])]


def _limit_reason(error: LimitExceeded) -> str:
    if error.field == "events":
        return "BATCH_TOO_LARGE"
    return "EVENT_TOO_LARGE" if error.field.startswith("events") else "INVALID_ARGUMENT"


@dataclass(frozen=True, slots=True)
class ErrorStatus:
    """How one class of error answers: code, reason, metadata, violations, retry hint."""

    code: grpc.StatusCode
    reason: str | Callable[[Any], str]
    metadata: Callable[[Any], Mapping[str, str]] = _no_metadata
    violations: Callable[[Any], Sequence[Violation]] = _no_violations
    retry_after_seconds: float | None = None
    message: Callable[[Any], str] = field(default=str)

    def status(self, error: Exception) -> grpc.Status:
        """Return the rich status that answers error."""
        reason = self.reason if isinstance(self.reason, str) else self.reason(error)
        return rich_status(
            self.code,
            self.message(error),
            reason,
            self.metadata(error),
            self.violations(error),
            self.retry_after_seconds,
        )


Code = grpc.StatusCode
ERROR_STATUSES: dict[type[Exception], ErrorStatus] = {
    Unauthenticated: ErrorStatus(
        Code.UNAUTHENTICATED, "UNAUTHENTICATED", lambda e: {"method": e.method}
    ),
    PermissionDenied: ErrorStatus(
        Code.PERMISSION_DENIED,
        "PERMISSION_DENIED",
        lambda e: {
            "method": e.method,
            "role": e.holder.role.label,
            "required_role": e.needed.label,
        },
    ),
    InvalidRequest: ErrorStatus(
        Code.INVALID_ARGUMENT, lambda e: e.reason, violations=lambda e: e.violations
    ),
    InvalidAppend: ErrorStatus(Code.INVALID_ARGUMENT, "INVALID_EVENT", violations=_one_violation),
    LimitExceeded: ErrorStatus(Code.INVALID_ARGUMENT, _limit_reason, violations=_one_violation),
    WrongExpectedVersion: ErrorStatus(
        Code.ABORTED,
        "WRONG_EXPECTED_VERSION",
        lambda e: {
            "stream": e.stream,
            "expected": e.expected,
            "actual": "no stream" if e.actual is None else str(e.actual),
        },
    ),
    EventIdConflict: ErrorStatus(
        Code.ALREADY_EXISTS, "EVENT_ID_CONFLICT", lambda e: {"event_id": str(e.event_id)}
    ),
    AppendLockTimeout: ErrorStatus(
        Code.UNAVAILABLE, "APPEND_LOCK_TIMEOUT", retry_after_seconds=0.1
    ),
    NegotiationNotFound: ErrorStatus(
        Code.NOT_FOUND, "NEGOTIATION_NOT_FOUND", lambda e: {"negotiation_id": e.negotiation_id}
    ),
    CheckpointRefused: ErrorStatus(Code.INTERNAL, "CHECKPOINT_REFUSED"),
    CheckpointNotFound: ErrorStatus(
        Code.NOT_FOUND, "CHECKPOINT_NOT_FOUND", lambda e: {"size": str(e.size)}
    ),
    SchemaNotReady: ErrorStatus(Code.FAILED_PRECONDITION, "SCHEMA_NOT_READY"),
    sa_exc.OperationalError: ErrorStatus(
        Code.UNAVAILABLE,
        "DATABASE_UNAVAILABLE",
        message=lambda e: "the database is unavailable; retry later",
    ),
}
"""The status of every error raised on purpose, keyed by its class."""


def error_status(error: Exception) -> ErrorStatus | None:
    """Return the row that answers error (its class's, or its nearest base's), or None."""
    for kind in type(error).__mro__:
        row = ERROR_STATUSES.get(kind)
        if row is not None:
            return row
    return None


def status_for(error: Exception) -> grpc.Status | None:
    """Return the status that answers a known error, or None for an unexpected one."""
    row = error_status(error)
    if row is None:
        return None
    if isinstance(error, CheckpointRefused):
        log.error("refusing to sign a checkpoint: %s", error)
    return row.status(error)
