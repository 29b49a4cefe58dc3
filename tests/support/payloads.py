"""Valid payloads of the declared event types, for tests that need well-formed events."""

from __future__ import annotations

import uuid
from typing import Any

from newsledger.store.records import ProposedEvent


def report(outlet: str = "Wire", day: str = "2025-06-10") -> dict[str, Any]:
    """Return a minimal valid Report: when it happened and one source."""
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": day},
        "sources": [
            {"source_id": f"src-{outlet.lower()}", "outlet": outlet, "kind": "SOURCE_KIND_WIRE"}
        ],
    }


def statement(n: int = 0, text: str = "We had to clear the air.") -> dict[str, Any]:
    """Return a valid StatementMade payload numbered n."""
    body = report()
    body["sources"][0]["quotes"] = [{"speaker_id": "speaker", "text": text, "verbatim": True}]
    return {
        "statement_id": f"statement-{n}",
        "speaker_id": "speaker",
        "kind": "STATEMENT_KIND_REMARK",
        "report": body,
    }


def speaker(party_id: str = "us") -> dict[str, Any]:
    """Return a PersonRoleAssigned introducing "speaker", who makes the statements above.

    A negotiation refuses a statement by someone it does not know, so a negotiation stream
    introduces the speaker before the first statement.
    """
    return {"person_id": "speaker", "name": "A Speaker", "party_id": party_id, "report": report()}


def statement_event(n: int = 0, text: str = "We had to clear the air.") -> ProposedEvent:
    """Return a proposed StatementMade event with a fresh id."""
    return ProposedEvent(
        event_id=uuid.uuid4(), event_type="StatementMade", payload=statement(n, text)
    )


def opened(negotiation_id: str, title: str = "Talks") -> dict[str, Any]:
    """Return a valid NegotiationOpened payload of a two-party negotiation."""
    return {
        "negotiation_id": negotiation_id,
        "title": title,
        "parties": [
            {"party_id": "us", "name": "United States"},
            {"party_id": "cn", "name": "China"},
        ],
    }
