"""The rules of stream names, and of the events that open a negotiation's stream.

Streams named `negotiation-<id>` hold one negotiation each, folded into its view; any name
beginning with `negotiation` (in any case) is kept for them, so a misspelt one is refused
instead of becoming a stream nobody folds. Such a stream begins with the `NegotiationOpened`
of that id, and only there: appending to one that has none (a first event of another type,
or a stream left without one by an older version) would make a negotiation with no title
and no parties. Other names are free-form streams the ledger keeps but never folds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from newsledger.application.errors import Violation
from newsledger.domain.appliers import NEGOTIATION_OPENED
from newsledger.domain.negotiation import NEGOTIATION_STREAM_PREFIX, negotiation_id_from_stream
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent

RESERVED_PREFIX = "negotiation"
"""Stream names beginning with this, in any case, must be `negotiation-<id>`."""


def stream_violations(stream: str) -> list[Violation]:
    """Return what is wrong with the name of the stream an append writes to."""
    if stream.lower().startswith(RESERVED_PREFIX) and negotiation_id_from_stream(stream) is None:
        return [
            Violation(
                "stream",
                f"{stream!r} is not {NEGOTIATION_STREAM_PREFIX}<id> with an id of lowercase "
                "letters, digits and hyphens (at most 63); names beginning with "
                f"{RESERVED_PREFIX!r} are kept for negotiations",
            )
        ]
    return []


def opening_violations(
    store: EventStore, stream: str, proposed: Sequence[ProposedEvent]
) -> list[Violation]:
    """Return what breaks the negotiation stream's opening rule (empty for other streams)."""
    negotiation_id = negotiation_id_from_stream(stream)
    if negotiation_id is None or not proposed:
        return []
    first = store.first_event_type(stream)
    later = [i for i, e in enumerate(proposed) if e.event_type == NEGOTIATION_OPENED]
    if first is not None and first != NEGOTIATION_OPENED:
        return [
            Violation(
                "stream",
                f"{stream} holds events but no {NEGOTIATION_OPENED}: it is no negotiation, "
                "and nothing more may be appended to it",
            )
        ]
    violations: list[Violation] = []
    if first is None:
        opening = proposed[0]
        if opening.event_type != NEGOTIATION_OPENED:
            return [
                Violation(
                    "events[0].event_type",
                    f"negotiation {negotiation_id} is not opened: its stream's first event must "
                    f"be {NEGOTIATION_OPENED} (with negotiation_id {negotiation_id}), not "
                    f"{opening.event_type}",
                )
            ]
        if opening.payload.get("negotiation_id") != negotiation_id:
            violations.append(
                Violation(
                    "events[0].payload_json.negotiation_id",
                    f"must be {negotiation_id!r}, the id in the stream's name",
                )
            )
        later = later[1:]
    recorded = store.events_by_id(uuid.UUID(str(proposed[i].event_id)) for i in later)
    for index in later:
        again = recorded.get(uuid.UUID(str(proposed[index].event_id)))
        if again is None or again.stream != stream:
            violations.append(
                Violation(
                    f"events[{index}].event_type",
                    f"negotiation {negotiation_id} is already opened: a stream has one "
                    f"{NEGOTIATION_OPENED}, its first event",
                )
            )
    return violations
