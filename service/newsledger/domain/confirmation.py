"""How well confirmed an item is, and the disputed accounts, read from the registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from newsledger.domain.registry import ACTIVE, CORRECTION_TYPES, entry_by_development_id
from newsledger.domain.state import JsonDict
from newsledger.domain.valid_time import counts_from, valid_order
from newsledger.domain.view_sections import counted


def open_disputes(entry: Mapping[str, Any], as_of: date) -> list[JsonDict]:
    """Return an entry's disputes still open on the date.

    A dispute closes when its party later confirms the development, or the development is
    retracted or merged away.
    """
    if entry["status"] != ACTIVE:
        return []
    confirmations = counted(entry["confirmations"], as_of)
    return [
        dispute
        for dispute in counted(entry["disputes"], as_of)
        if not any(
            c["party_id"] == dispute["party_id"] and valid_order(c) > valid_order(dispute)
            for c in confirmations
        )
    ]


def _is_account(entry: Mapping[str, Any]) -> bool:
    """Tell whether a registry entry is a disputing party's account (AccountDisputed)."""
    return bool(entry["event_type"] == "AccountDisputed")


class RegistryIndex:
    """Each source's outlet (as its first report gives it), each development by id, and the
    day each entry's own report counts from.

    A registry only grows at its end (a correction builds a new one), so an index kept with
    a state is extended with the entries appended since, not built again: a view rendered
    after each append of a long negotiation does not walk the whole registry.

    `days[i]` is `counts_from` of entry i's report ("" for always) and `latest_day` the
    latest of them: a date on or after it is one by which every entry counts.
    """

    def __init__(self) -> None:
        self.registry: Sequence[JsonDict] | None = None
        self.length = 0
        self.outlets: dict[str, str] = {}
        self.developments: dict[str, JsonDict] = {}
        self.days: list[str] = []
        self.latest_day = ""

    def of(self, registry: Sequence[JsonDict]) -> RegistryIndex:
        """Bring the index up to date with `registry` (another one starts it afresh)."""
        if registry is not self.registry or self.length > len(registry):
            self.registry, self.length = registry, 0
            self.outlets, self.developments = {}, {}
            self.days, self.latest_day = [], ""
        for entry in registry[self.length :]:
            report = entry["payload"].get("report", {})
            day = counts_from(report or {})
            self.days.append(day)
            self.latest_day = max(self.latest_day, day)
            for source in report.get("sources", []):
                original = source.get("original_outlet") or source.get("outlet", "")
                self.outlets.setdefault(str(source["source_id"]), str(original))
            if entry["event_type"] not in CORRECTION_TYPES or _is_account(entry):
                self.developments[str(entry["development_id"])] = entry
        self.length = len(registry)
        return self


class Confirmer:
    """Computes confirmation levels for provenances, as of one date."""

    def __init__(
        self,
        registry: Sequence[JsonDict],
        party_ids: Iterable[str],
        as_of: date,
        index: RegistryIndex | None = None,
    ) -> None:
        """Index each development and each source's outlet (or bring `index` up to date).

        A development's backers and disputers are worked out the first time a provenance
        names it, so a view showing a few items of a long registry does not pay for all.
        """
        self.party_ids = set(party_ids)
        self.as_of = as_of
        indexed = (RegistryIndex() if index is None else index).of(registry)
        self.outlets, self.developments = indexed.outlets, indexed.developments
        self.stances: dict[str, tuple[set[str], set[str], set[str]] | None] = {}

    def stance(self, development_id: str) -> tuple[set[str], set[str], set[str]] | None:
        """Return who claims, confirms and disputes a development (None if it is unknown)."""
        if development_id in self.stances:
            return self.stances[development_id]
        entry = self.developments.get(development_id)
        found: tuple[set[str], set[str], set[str]] | None = None
        if entry is not None and _is_account(entry):
            report = entry["payload"].get("report", {})
            claimants = {str(party) for party in report.get("claimed_by", [])}
            claimants.add(str(entry["payload"].get("party_id", "")))
            found = (claimants - {""}, set(), set())
        elif entry is not None:
            report = entry["payload"].get("report", {})
            found = (
                {str(party) for party in report.get("claimed_by", [])},
                {c["party_id"] for c in counted(entry["confirmations"], self.as_of)},
                {d["party_id"] for d in open_disputes(entry, self.as_of)},
            )
        self.stances[development_id] = found
        return found

    def confirmation(self, provenance: Mapping[str, Any]) -> JsonDict:
        """Return the Confirmation of an item with this provenance.

        It is confirmed by all parties only when one of its developments is claimed or
        confirmed by every party: one party's claim of one development and another's of
        another are two one-sided claims, not a confirmation by all. Outlets are counted by
        the original each source reproduces (`original_outlet`), else by its own outlet.
        """
        claimed: set[str] = set()
        confirmed: set[str] = set()
        disputed: set[str] = set()
        by_all = False
        for development_id in provenance.get("development_ids", []):
            stance = self.stance(development_id)
            if stance is not None:
                claimed |= stance[0]
                confirmed |= stance[1]
                disputed |= stance[2]
                by_all |= bool(self.party_ids) and stance[0] | stance[1] >= self.party_ids
        outlets = {self.outlets.get(s, s) for s in provenance.get("source_ids", [])}
        backers = claimed | confirmed
        if not (outlets or backers or disputed):
            return {}
        if disputed:
            level = "CONFIRMATION_LEVEL_DISPUTED"
        elif by_all:
            level = "CONFIRMATION_LEVEL_CONFIRMED_BY_ALL_PARTIES"
        elif backers:
            level = "CONFIRMATION_LEVEL_CONFIRMED_BY_SOME_PARTIES"
        elif len(outlets) >= 2:
            level = "CONFIRMATION_LEVEL_CORROBORATED"
        else:
            level = "CONFIRMATION_LEVEL_SINGLE_SOURCE"
        return {
            "level": level,
            "claimed_by": sorted(claimed),
            "confirmed_by": sorted(confirmed),
            "disputed_by": sorted(disputed),
            **({"independent_source_count": len(outlets)} if outlets else {}),
        }


def disputes(registry: Sequence[JsonDict], as_of: date) -> list[JsonDict]:
    """Return every dispute raised by the date with both accounts, open ones first."""
    disputed = [entry for entry in registry if entry["disputes"]]
    by_id = entry_by_development_id(registry) if disputed else {}
    found: list[JsonDict] = []
    for entry in disputed:
        still_open = {d["development_id"] for d in open_disputes(entry, as_of)}
        report = entry["payload"].get("report", {})
        for dispute in counted(entry["disputes"], as_of):
            raised = by_id.get(dispute["development_id"], {})
            raised_report = raised.get("payload", {}).get("report", {})
            found.append(
                {
                    "dispute_id": dispute["development_id"],
                    "subject_development_id": entry["development_id"],
                    "subject_event_type": entry["event_type"],
                    "disputed_by": dispute["party_id"],
                    "accounts": [
                        {
                            "party_ids": list(report.get("claimed_by", [])),
                            "account": report.get("summary", ""),
                            "provenance": _provenance(entry),
                        },
                        {
                            "party_ids": [dispute["party_id"]],
                            "account": dispute.get("account", ""),
                            "provenance": _provenance(raised) if raised else {},
                        },
                    ],
                    "occurred": raised_report.get("occurred", {}),
                    "open": dispute["development_id"] in still_open,
                }
            )
    return sorted(found, key=lambda d: not d["open"])


def _provenance(entry: Mapping[str, Any]) -> JsonDict:
    """Return the provenance of one registry entry's own report."""
    sources = entry["payload"].get("report", {}).get("sources", [])
    return {
        "development_ids": [entry["development_id"]],
        "source_ids": [str(source["source_id"]) for source in sources],
    }
