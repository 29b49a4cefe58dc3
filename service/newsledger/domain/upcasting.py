"""Upcasting: old schema versions of a payload are rewritten to the current shape on read.

Stored events are never migrated: an event keeps the schema version it was written with, and
each read steps its payload up, one registered step per version, to its type's current one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CURRENT_SCHEMA_VERSION = 1
"""The schema version of every event type not listed in CURRENT_SCHEMA_VERSIONS."""

CURRENT_SCHEMA_VERSIONS: dict[str, int] = {"TariffMeasureChanged": 2}
"""Event types whose schema moved past version 1, with their current version."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def tariff_goods_to_items(payload: dict[str, Any]) -> dict[str, Any]:
    """TariffMeasureChanged v1 → v2: the single `goods` string becomes the `items` list."""
    upgraded = {key: value for key, value in payload.items() if key != "goods"}
    if payload.get("goods"):
        upgraded["items"] = [payload["goods"]]
    return upgraded


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("TariffMeasureChanged", 1): tariff_goods_to_items,
}
"""Step functions keyed by (event type, version they read); each returns version + 1."""


class UnsupportedSchemaVersion(ValueError):
    """A payload's schema version has no path to the current version."""


def current_version(event_type: str) -> int:
    """Return the schema version an event type is written with today."""
    return CURRENT_SCHEMA_VERSIONS.get(event_type, CURRENT_SCHEMA_VERSION)


def upcast(event_type: str, schema_version: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the payload rewritten to its type's current version, one step at a time."""
    target = current_version(event_type)
    version = schema_version
    upgraded = dict(payload)
    while version < target:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            break
        upgraded = step(upgraded)
        version += 1
    if version != target:
        raise UnsupportedSchemaVersion(
            f"{event_type} schema version {schema_version} is not supported (current is {target})"
        )
    return upgraded
