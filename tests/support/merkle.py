"""Deterministic leaves and filled node stores for the audit tests."""

from __future__ import annotations

from newsledger.audit.merkle import MemoryNodeStore


def numbered_leaves(count: int) -> list[bytes]:
    """Return ``count`` distinct leaves."""
    return [f"leaf-{i}".encode() for i in range(count)]


def store_with(count: int) -> MemoryNodeStore:
    """Return a node store holding ``count`` numbered leaves."""
    store = MemoryNodeStore()
    store.append_leaves(numbered_leaves(count))
    return store
