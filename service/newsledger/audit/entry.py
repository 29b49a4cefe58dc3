"""One entry of the log as served: the event, its leaf, and the subtrees it completed."""

from __future__ import annotations

from dataclasses import dataclass

from newsledger.audit.merkle import StoredNode
from newsledger.domain.events import StoredEvent


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One leaf of the log as served: the event, its leaf bytes and the subtrees it completed.

    `response_item` is the event as ReadLog and ReadStream send it (its stored response
    item), when the server sent one: a verifier checks it holds the same event.
    """

    event: StoredEvent
    leaf: bytes
    subtrees: tuple[StoredNode, ...]
    response_item: bytes | None = None
