"""What an applier needs about one development: its ids, report, provenance and references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from newsledger.domain.state import JsonDict, NegotiationState


class UnappliedEvent(Exception):
    """The fold cannot apply an event; the message becomes a problem in the state."""


@dataclass(frozen=True, slots=True)
class Development:
    """One event's payload as an applier reads it, with the provenance it contributes."""

    development_id: str
    payload: Mapping[str, Any]

    @property
    def report(self) -> Mapping[str, Any]:
        """Return the development's report envelope (empty when absent)."""
        report: Mapping[str, Any] = self.payload.get("report") or {}
        return report

    def get(self, name: str, default: Any = "") -> Any:
        """Return a payload field, or `default` where protobuf JSON omitted it."""
        return self.payload.get(name, default)

    def ids(self, name: str) -> list[str]:
        """Return a repeated id field as a list of strings."""
        return [str(item) for item in self.payload.get(name, [])]

    def provenance(self) -> JsonDict:
        """Return the provenance this development gives the records it sets."""
        sources = self.report.get("sources", [])
        return {
            "development_ids": [self.development_id],
            "source_ids": [str(source["source_id"]) for source in sources],
        }


def merge_provenance(earlier: Mapping[str, Any] | None, later: Mapping[str, Any]) -> JsonDict:
    """Return the union of two provenances, keeping first-seen order."""
    merged: JsonDict = {}
    for key in ("development_ids", "source_ids"):
        values = list((earlier or {}).get(key, []))
        values += [value for value in later.get(key, []) if value not in values]
        merged[key] = values
    return merged


def require_records(state: NegotiationState, section: str, ids: Iterable[str], field: str) -> None:
    """Raise UnappliedEvent unless every non-empty id names a record in `section`."""
    records = getattr(state, section)
    unknown = sorted({record_id for record_id in ids if record_id and record_id not in records})
    if unknown:
        raise UnappliedEvent(f"{field} refers to unknown {section}: {', '.join(unknown)}")


def require_any_records(state: NegotiationState, ids: Iterable[str], field: str) -> None:
    """Raise UnappliedEvent unless every id names a record in some section."""
    unknown = sorted({record_id for record_id in ids if state.section_of(record_id) is None})
    if unknown:
        raise UnappliedEvent(f"{field} refers to unknown records: {', '.join(unknown)}")


def require_parties(state: NegotiationState, ids: Iterable[str], field: str) -> None:
    """Raise UnappliedEvent unless every non-empty id names a party of the negotiation."""
    unknown = sorted({party for party in ids if party and party not in state.party_ids()})
    if unknown:
        raise UnappliedEvent(f"{field} refers to unknown parties: {', '.join(unknown)}")


def check_report(state: NegotiationState, development: Development, *new_people: str) -> None:
    """Raise UnappliedEvent if the report names unknown people or parties.

    `new_people` are people the development itself introduces, so they count as known.
    """
    report = development.report
    people = [str(actor["actor_id"]) for actor in report.get("actors", [])]
    people += [
        str(quote["speaker_id"])
        for source in report.get("sources", [])
        for quote in source.get("quotes", [])
    ]
    unknown = sorted({p for p in people if p not in state.people and p not in new_people})
    if unknown:
        raise UnappliedEvent(f"report refers to unknown people: {', '.join(unknown)}")
    sides = [str(actor.get("side", "")) for actor in report.get("actors", [])]
    require_parties(state, sides, "report.actors.side")
    require_parties(state, [str(p) for p in report.get("claimed_by", [])], "report.claimed_by")
