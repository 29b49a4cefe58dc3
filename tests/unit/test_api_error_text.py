"""An API error reads as its status, its message, and only the violations not yet said."""

from __future__ import annotations

import grpc

from newsledger.client.ledger_client import ApiError


def error(message: str, *violations: tuple[str, str]) -> ApiError:
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, message, "", {}, tuple(violations))


def test_a_violation_the_message_already_says_is_not_repeated() -> None:
    said = "known_at: is in the future"
    assert str(error(said, ("known_at", "is in the future"))) == f"INVALID_ARGUMENT: {said}"


def test_violations_the_message_leaves_out_follow_it_one_a_line() -> None:
    text = str(error("2 events are invalid", ("events[0].type", "unknown"), ("x", "bad")))
    assert text.splitlines() == [
        "INVALID_ARGUMENT: 2 events are invalid",
        "  events[0].type: unknown",
        "  x: bad",
    ]
