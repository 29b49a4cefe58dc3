"""The one validation pipeline every append passes before it reaches the store.

In order: the stream's name (`streams`: names beginning with `negotiation` are kept for
negotiations), each payload against its type's schema in `developments.proto` (`payloads`,
with the compiled yes/no `verdicts` for the common valid case), then that a negotiation's
stream is opened by its `NegotiationOpened` and only once (`streams`), then what corrections
name and leave behind (`corrections`). Every problem is reported at once, each with its path
in the request; the store then checks its own limits (sizes, names, ids) as it writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsledger.application.errors import InvalidRequest, Violation
from newsledger.application.validation.corrections import correction_violations
from newsledger.application.validation.payloads import validate_payload
from newsledger.application.validation.streams import opening_violations, stream_violations
from newsledger.store.event_store import EventStore
from newsledger.store.records import ProposedEvent


def payload_violations(index: int, event: ProposedEvent) -> list[Violation]:
    """Return the schema violations of one proposed event, with paths into the request."""
    prefix = f"events[{index}]"
    return [
        Violation(
            f"{prefix}.{problem.field}"
            if problem.field in ("event_type", "schema_version")
            else f"{prefix}.payload_json.{problem.field}".rstrip("."),
            problem.description,
        )
        for problem in validate_payload(event.event_type, event.schema_version, event.payload)
    ]


def check_append(store: EventStore, stream: str, proposed: Sequence[ProposedEvent]) -> None:
    """Raise InvalidRequest naming every problem of the append; return if there is none."""
    violations = stream_violations(stream)
    for index, event in enumerate(proposed):
        violations += payload_violations(index, event)
    if not violations:
        violations = opening_violations(store, stream, proposed)
    if not violations:
        violations = correction_violations(store, stream, proposed)
    if violations:
        raise InvalidRequest(violations, reason="INVALID_EVENT")
