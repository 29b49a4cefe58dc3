"""One entry of the log as served: the event, its leaf, and the subtrees it completed."""

from __future__ import annotations

from dataclasses import dataclass

from newsledger.audit.merkle import StoredNode
from newsledger.domain.events import StoredEvent


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One leaf of the log as served: the event, its leaf bytes and the subtrees it completed."""

    event: StoredEvent
    leaf: bytes
    subtrees: tuple[StoredNode, ...]
