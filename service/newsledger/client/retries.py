"""Retries through a gRPC service config: the channel retries what is safe, by itself.

UNAVAILABLE (no server yet, a restart, APPEND_LOCK_TIMEOUT) is retried for every method,
with exponential backoff. Appends are safe to retry because each event carries its id: a
retried batch that was in fact recorded returns the original positions and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

SERVICES = (
    "newsledger.v1.EventStoreService",
    "newsledger.v1.NegotiationService",
    "newsledger.v1.AuditService",
)


def service_config(max_attempts: int = 5) -> str:
    """Return the channel's service config JSON: retry UNAVAILABLE up to max_attempts times."""
    policy: dict[str, Any] = {
        "maxAttempts": max_attempts,
        "initialBackoff": "0.1s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    return json.dumps(
        {
            "methodConfig": [
                {"name": [{"service": name} for name in SERVICES], "retryPolicy": policy}
            ]
        }
    )


def retry_options(max_attempts: int = 5) -> list[tuple[str, Any]]:
    """Return the channel options that turn the retry policy on (none for max_attempts <= 1)."""
    if max_attempts <= 1:
        return [("grpc.enable_retries", 0)]
    return [
        ("grpc.enable_retries", 1),
        ("grpc.service_config", service_config(max_attempts)),
        # Reconnect within the retries' span after a server restart (the default waits 1 s,
        # then longer), so a retried call finds the server back rather than the backoff.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1000),
    ]
