"""What an applier needs about one development: its ids, report, provenance and references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import counts_from, valid_day


class UnappliedEvent(Exception):
    """The fold cannot apply an event; the message becomes a problem in the state.

    Raise it only before changing the state (check, then change): the fold keeps the state
    of a refused event as it is, with nothing to undo.
    """


class UnknownReference(UnappliedEvent):
    """The development refers to ids the negotiation does not have (`field` names where).

    The message is the problem the fold records; `missing` are the ids it lacks.
    """

    def __init__(self, message: str, field: str, missing: Iterable[str]) -> None:
        super().__init__(message)
        self.field = field
        self.missing = tuple(missing)


@dataclass(frozen=True, slots=True)
class Development:
    """One event's payload as an applier reads it, with the provenance it contributes.

    `payload` is the payload as corrected; `also_from` names the corrections applied to it and
    the duplicates merged into it, so the records it sets cite them too. `seq` is its version
    in the stream. `counts_from`, when set, is an earlier day from which what it sets counts
    (a development that counts later, taken into a view for one that counts and refers to it).
    """

    development_id: str
    payload: Mapping[str, Any]
    seq: int = 0
    also_from: tuple[str, ...] = ()
    counts_from: str | None = None

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
        source_ids: list[str] = []
        for source in sources:
            if str(source["source_id"]) not in source_ids:
                source_ids.append(str(source["source_id"]))
        return {
            "development_ids": [self.development_id, *self.also_from],
            "source_ids": source_ids,
        }

    def stamp(self) -> JsonDict:
        """Return the valid-time stamp of what this development sets.

        `_from` is the day it counts from, `_day` the day it happened (ordering what counts:
        the latest is the latest by this day, then by stream), `_seq` its stream version.
        """
        counted = counts_from(self.report)
        if self.counts_from is not None:
            counted = earliest_day(counted, self.counts_from)
        return {"_from": counted, "_day": valid_day(self.report), "_seq": self.seq}

    def occurred(self) -> Any:
        """Return the report's `occurred` time (empty when absent)."""
        return self.report.get("occurred", {})


def stamped(record: JsonDict, development: Development) -> JsonDict:
    """Stamp a record or entry with the development's valid time and sequence, and return it.

    A record reported again keeps its first sequence and day and the earlier of the two
    counts-from days, so it counts from the first report that dates it.
    """
    stamp = development.stamp()
    if "_from" in record:
        stamp["_from"] = earliest_day(str(record["_from"]), str(stamp["_from"]))
        stamp["_day"] = record.get("_day", stamp["_day"])
        stamp["_seq"] = record["_seq"]
    record.update(stamp)
    return record


def set_latest(record: JsonDict, name: str, value: Any, development: Development) -> None:
    """Set a record's field unless it is empty or set already by a development later in time.

    Names, titles and descriptions are the latest by valid time (the day a development
    happened, then stream order): a back-filled development about an earlier day does not
    overwrite what a newer one said. `_set_by` keeps, per field, the order of its setter.
    """
    if value in ("", [], {}, None):
        return
    stamp = development.stamp()
    order = [stamp["_day"], development.seq]
    setters: JsonDict = record.setdefault("_set_by", {})
    if name in setters and tuple(setters[name]) > tuple(order):
        return
    record[name] = value
    setters[name] = order


def earliest_day(first: str, second: str) -> str:
    """Return the earlier of two counts-from days, where "" (always) is earliest."""
    return "" if not first or not second else min(first, second)


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
        message = f"{field} refers to unknown {section}: {', '.join(unknown)}"
        raise UnknownReference(message, field, unknown)


def require_any_records(state: NegotiationState, ids: Iterable[str], field: str) -> None:
    """Raise UnappliedEvent unless every id names a record in some section."""
    unknown = sorted({record_id for record_id in ids if state.section_of(record_id) is None})
    if unknown:
        message = f"{field} refers to unknown records: {', '.join(unknown)}"
        raise UnknownReference(message, field, unknown)


def require_parties(state: NegotiationState, ids: Iterable[str], field: str) -> None:
    """Raise UnappliedEvent unless every non-empty id names a party of the negotiation."""
    unknown = sorted({party for party in ids if party and party not in state.party_ids()})
    if unknown:
        message = f"{field} refers to unknown parties: {', '.join(unknown)}"
        raise UnknownReference(message, field, unknown)


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
        message = f"report refers to unknown people: {', '.join(unknown)}"
        raise UnknownReference(message, "report", unknown)
    sides = [str(actor.get("side", "")) for actor in report.get("actors", [])]
    require_parties(state, sides, "report.actors.side")
    require_parties(state, [str(p) for p in report.get("claimed_by", [])], "report.claimed_by")
