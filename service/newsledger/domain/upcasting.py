"""Upcasting: old schema versions of a payload are rewritten to the current shape on read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CURRENT_SCHEMA_VERSION = 1
"""The schema version every event type is written with today."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""Step functions keyed by (event type, version they read); each returns version + 1."""


class UnsupportedSchemaVersion(ValueError):
    """A payload's schema version has no path to the current version."""


def upcast(event_type: str, schema_version: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the payload rewritten to CURRENT_SCHEMA_VERSION, one registered step at a time."""
    version = schema_version
    upgraded = dict(payload)
    while version < CURRENT_SCHEMA_VERSION:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            break
        upgraded = step(upgraded)
        version += 1
    if version != CURRENT_SCHEMA_VERSION:
        raise UnsupportedSchemaVersion(
            f"{event_type} schema version {schema_version} is not supported "
            f"(current is {CURRENT_SCHEMA_VERSION})"
        )
    return upgraded
