"""Every application and store error maps to the status code and reason the protos document."""

from __future__ import annotations

import base64
import urllib.parse
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from newsledger.api.errors import status_for
from newsledger.application.errors import InvalidRequest, NegotiationNotFound, Violation
from newsledger.audit.storage.checkpoints import CheckpointRefused
from newsledger.store.errors import (
    AppendLockTimeout,
    EventIdConflict,
    InvalidAppend,
    LimitExceeded,
    SchemaNotReady,
    WrongExpectedVersion,
)


def decoded(error: Exception) -> tuple[grpc.StatusCode, error_details_pb2.ErrorInfo, list[str]]:
    status = status_for(error)
    assert status is not None
    proto = status_pb2.Status()
    [(_, binary)] = [(k, v) for k, v in status.trailing_metadata if k == "grpc-status-details-bin"]
    proto.ParseFromString(binary)
    info = error_details_pb2.ErrorInfo()
    fields: list[str] = []
    for detail in proto.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
    assert info.domain == "newsledger.dev"
    return status.code, info, fields


@pytest.mark.parametrize(
    ("error", "code", "reason", "fields"),
    [
        (
            InvalidRequest([Violation("page_size", "too big")]),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            ["page_size"],
        ),
        (
            InvalidAppend("events[1].event_id", "appears twice"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_EVENT",
            ["events[1].event_id"],
        ),
        (
            LimitExceeded("events[3]", "too big"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "EVENT_TOO_LARGE",
            ["events[3]"],
        ),
        (
            LimitExceeded("events", "too many"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "BATCH_TOO_LARGE",
            ["events"],
        ),
        (
            WrongExpectedVersion("s", "no_stream", 3),
            grpc.StatusCode.ABORTED,
            "WRONG_EXPECTED_VERSION",
            [],
        ),
        (
            EventIdConflict(uuid.uuid4(), "different content"),
            grpc.StatusCode.ALREADY_EXISTS,
            "EVENT_ID_CONFLICT",
            [],
        ),
        (AppendLockTimeout(5), grpc.StatusCode.UNAVAILABLE, "APPEND_LOCK_TIMEOUT", []),
        (NegotiationNotFound("x"), grpc.StatusCode.NOT_FOUND, "NEGOTIATION_NOT_FOUND", []),
        (SchemaNotReady("behind"), grpc.StatusCode.FAILED_PRECONDITION, "SCHEMA_NOT_READY", []),
        (CheckpointRefused("forked"), grpc.StatusCode.INTERNAL, "CHECKPOINT_REFUSED", []),
    ],
)
def test_each_error_has_its_documented_status(
    error: Exception, code: grpc.StatusCode, reason: str, fields: list[str]
) -> None:
    assert decoded(error)[0] == code
    assert decoded(error)[1].reason == reason
    assert decoded(error)[2] == fields


def test_a_wrong_expected_version_carries_stream_expected_and_actual_as_tokens() -> None:
    """Versions are decimal numbers, the other states the ExpectedVersion field names."""
    _, info, _ = decoded(WrongExpectedVersion("talks", "exact", None, 2))
    assert dict(info.metadata) == {"stream": "talks", "expected": "2", "actual": "no_stream"}
    _, info, _ = decoded(WrongExpectedVersion("talks", "no_stream", 4))
    assert dict(info.metadata) == {"stream": "talks", "expected": "no_stream", "actual": "4"}
    _, info, _ = decoded(WrongExpectedVersion("talks", "stream_exists", None))
    assert dict(info.metadata)["expected"] == "stream_exists"


def test_an_unexpected_error_is_left_to_the_caller() -> None:
    assert status_for(RuntimeError("bug")) is None


def test_a_status_with_thousands_of_long_violations_fits_grpcs_default_metadata_limit() -> None:
    """Given 5,000 violations with long non-ASCII fields and descriptions, the status sent
    (details, percent-encoded message) stays under 16 KiB and counts what it leaves out."""
    violations = [
        Violation(f"events[{i}].payload_json." + "ü" * 300, "ß" * 1000) for i in range(5000)
    ]
    status = status_for(InvalidRequest(violations))
    assert status is not None
    sent = len(urllib.parse.quote(status.details.encode(), safe=" "))
    for key, value in status.trailing_metadata:
        sent += len(key) + len(base64.b64encode(value) if key.endswith("-bin") else value)
    assert sent < 16 * 1024 - 1024  # room left for the request id and the transport's own
    _, info, fields = decoded(InvalidRequest(violations))
    assert info.metadata["violations"] == "5000"
    shown = len(fields) - 1
    assert 1 <= shown <= 20 and fields[-1] == "request"
    assert f"(5000 violations in all; the details hold the first {shown})" in status.details
