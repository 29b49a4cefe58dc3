"""One table maps every error the service raises on purpose to a rich gRPC status.

Each row is keyed by an error class and declares, once, its status code, its ErrorInfo
reason (domain `newsledger.dev`), the metadata it carries and whether a retry may help. An
error is looked up by its class and then its base classes, so a subclass answers as its
base does unless it has a row of its own. An error with no row is a bug, not an answer:
it becomes INTERNAL with a generic message and the request id (`internal_status`), and
its text, which may hold SQL and parameters, stays in the server's log.

Every status fits gRPC's default 16 KiB limit on response metadata: at most
MAX_VIOLATIONS_SHOWN field violations are sent (fewer when they exceed MAX_VIOLATIONS_BYTES),
each field and description cut to MAX_DETAIL_BYTES, followed by one that counts the rest,
and the message is cut to MAX_MESSAGE_BYTES.
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
from newsledger.api.interceptors.stream_slots import (
    RETRY_AFTER_SECONDS as STREAM_RETRY_SECONDS,
)
from newsledger.api.interceptors.stream_slots import TOO_MANY_STREAMS, TooManyStreams
from newsledger.application.errors import (
    CheckpointNotFound,
    FieldNotInView,
    InvalidRequest,
    NegotiationNotFound,
    UnknownReferences,
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
MAX_VIOLATIONS_SHOWN = 20
MAX_DETAIL_BYTES = 200
MAX_VIOLATIONS_BYTES = 4096
MAX_MESSAGE_BYTES = 1000
DATABASE_RETRY_SECONDS = 1.0
log = logging.getLogger(__name__)


def _cut(text: str, limit: int) -> str:
    """Return text cut to at most limit bytes of UTF-8, marked with an ellipsis when cut."""
    encoded = text.encode(errors="replace")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def _first_violations(violations: Sequence[Violation]) -> list[Violation]:
    """Return the first violations, each cut short, that fit the count and the byte budget."""
    first: list[Violation] = []
    size = 0
    for violation in violations[:MAX_VIOLATIONS_SHOWN]:
        cut = Violation(
            _cut(violation.field, MAX_DETAIL_BYTES), _cut(violation.description, MAX_DETAIL_BYTES)
        )
        size += len(cut.field.encode(errors="replace")) + len(
            cut.description.encode(errors="replace")
        )
        if first and size > MAX_VIOLATIONS_BYTES:
            break
        first.append(cut)
    return first


def shown_violations(violations: Sequence[Violation]) -> list[Violation]:
    """Return the violations a status carries: the first few, cut short, then the rest counted."""
    shown = _first_violations(violations)
    rest = len(violations) - len(shown)
    if rest > 0:
        shown.append(
            Violation("request", f"{rest} more violations not shown ({len(violations)} in all)")
        )
    return shown


def violations_message(violations: Sequence[Violation]) -> str:
    """Return a message listing the first violations, ending with how many there are in all."""
    first = _first_violations(violations)
    listed = "; ".join(f"{v.field}: {v.description}" for v in first)
    if len(first) == len(violations):
        return listed
    total = f" ({len(violations)} violations in all; the details hold the first {len(first)})"
    return _cut(listed, MAX_MESSAGE_BYTES - len(total)) + total


def rich_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    metadata: Mapping[str, str] | None = None,
    violations: Sequence[Violation] = (),
    retry_after_seconds: float | None = None,
) -> grpc.Status:
    """Build a status carrying google.rpc.ErrorInfo and, when given, BadRequest and RetryInfo.

    Violations beyond the first few are counted, not sent (ErrorInfo metadata `violations`
    then holds the total), so the status stays within gRPC's metadata limit.
    """
    details = []
    info_metadata = {key: _cut(value, MAX_DETAIL_BYTES) for key, value in (metadata or {}).items()}
    shown = shown_violations(violations)
    if len(shown) != len(violations):
        info_metadata["violations"] = str(len(violations))
    details.append(
        error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=info_metadata)
    )
    if violations:
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description
                    )
                    for v in shown
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
    proto = status_pb2.Status(
        code=code.value[0], message=_cut(message, MAX_MESSAGE_BYTES), details=packed
    )
    return rpc_status.to_status(proto)


def internal_status(request_id: str) -> grpc.Status:
    """Return the INTERNAL status of an unexpected error: no detail but the request id."""
    return rich_status(
        grpc.StatusCode.INTERNAL,
        f"internal error; the server logged it under request id {request_id}",
        "INTERNAL",
        {"request_id": request_id},
    )


def _no_metadata(error: Any) -> Mapping[str, str]:
    return {}


def _no_violations(error: Any) -> Sequence[Violation]:
    return ()


def _one_violation(error: InvalidAppend | LimitExceeded) -> Sequence[Violation]:
    return [Violation(error.field, str(error).removeprefix(f"{error.field}: "))]


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
    # Errors whose own text must stay in the server's log (it may hold SQL) are logged.
    logged: bool = False

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
        Code.INVALID_ARGUMENT,
        lambda e: e.reason,
        violations=lambda e: e.violations,
        message=lambda e: violations_message(e.violations),
    ),
    UnknownReferences: ErrorStatus(
        Code.INVALID_ARGUMENT,
        "UNKNOWN_REFERENCE",
        lambda e: e.metadata,
        violations=lambda e: e.violations,
        message=lambda e: violations_message(e.violations),
    ),
    InvalidAppend: ErrorStatus(Code.INVALID_ARGUMENT, "INVALID_EVENT", violations=_one_violation),
    LimitExceeded: ErrorStatus(Code.INVALID_ARGUMENT, _limit_reason, violations=_one_violation),
    WrongExpectedVersion: ErrorStatus(
        Code.ABORTED,
        "WRONG_EXPECTED_VERSION",
        lambda e: {
            "stream": e.stream,
            "expected": str(e.expected_version) if e.expected == "exact" else e.expected,
            "actual": "no_stream" if e.actual is None else str(e.actual),
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
    FieldNotInView: ErrorStatus(
        Code.NOT_FOUND,
        "FIELD_NOT_FOUND",
        lambda e: {"negotiation_id": e.negotiation_id, "field_path": e.field_path},
    ),
    CheckpointRefused: ErrorStatus(Code.INTERNAL, "CHECKPOINT_REFUSED"),
    CheckpointNotFound: ErrorStatus(
        Code.NOT_FOUND, "CHECKPOINT_NOT_FOUND", lambda e: {"size": str(e.size)}
    ),
    SchemaNotReady: ErrorStatus(Code.FAILED_PRECONDITION, "SCHEMA_NOT_READY"),
    TooManyStreams: ErrorStatus(
        Code.RESOURCE_EXHAUSTED,
        TOO_MANY_STREAMS,
        lambda e: {"limit": str(e.limit), "budget": e.budget},
        retry_after_seconds=STREAM_RETRY_SECONDS,
    ),
    sa_exc.OperationalError: ErrorStatus(
        Code.UNAVAILABLE,
        "DATABASE_UNAVAILABLE",
        retry_after_seconds=DATABASE_RETRY_SECONDS,
        message=lambda e: "the database is unavailable; retry later",
        logged=True,
    ),
    sa_exc.TimeoutError: ErrorStatus(
        Code.UNAVAILABLE,
        "DATABASE_BUSY",
        retry_after_seconds=DATABASE_RETRY_SECONDS,
        message=lambda e: "every database connection is in use; retry later",
        logged=True,
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
    elif row.logged:
        log.warning("answered %s: %s: %s", row.code.name, type(error).__name__, error)
    return row.status(error)
