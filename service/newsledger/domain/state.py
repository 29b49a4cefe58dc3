"""The folded state of one negotiation: JSON-shaped records keyed by their stable ids."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

JsonDict = dict[str, Any]

KEYED_SECTIONS = (
    "talks",
    "outcomes",
    "truces",
    "deadlines",
    "issues",
    "commitments",
    "measures",
    "court_cases",
    "indicators",
    "market_reactions",
    "people",
    "statements",
    "investigations",
    "purchases",
)
"""Sections holding records keyed by id; a reference to another record looks here."""


class StateFormatError(ValueError):
    """A serialised state does not have the shape NegotiationState.to_json writes."""


@dataclass(slots=True)
class NegotiationState:
    """Everything the fold knows about one negotiation, in the view's JSON shapes.

    Records are stored as the dicts the view renders (proto field names), keyed by id. Each
    record and history entry carries `_from`, the day it counts from (valid time), and `_seq`,
    the stream version that set it; rendering for a date filters on `_from` and drops both.
    `developments` is the registry of applied developments as corrected, in stream order: a
    correction edits it and the records are derived again from it. `phase` is the phase after
    every development, whatever their dates. Problems and histories keep stream order.
    `title_history` holds the opening title first, then each retitling; `title` is the latest
    by valid time.
    """

    negotiation_id: str
    title: str = ""
    title_history: list[JsonDict] = field(default_factory=list)
    parties: list[JsonDict] = field(default_factory=list)
    phase: str = "NEGOTIATION_PHASE_UNSPECIFIED"
    phase_history: list[JsonDict] = field(default_factory=list)
    talks: dict[str, JsonDict] = field(default_factory=dict)
    outcomes: dict[str, JsonDict] = field(default_factory=dict)
    truces: dict[str, JsonDict] = field(default_factory=dict)
    deadlines: dict[str, JsonDict] = field(default_factory=dict)
    issues: dict[str, JsonDict] = field(default_factory=dict)
    commitments: dict[str, JsonDict] = field(default_factory=dict)
    measures: dict[str, JsonDict] = field(default_factory=dict)
    court_cases: dict[str, JsonDict] = field(default_factory=dict)
    indicators: dict[str, JsonDict] = field(default_factory=dict)
    market_reactions: dict[str, JsonDict] = field(default_factory=dict)
    people: dict[str, JsonDict] = field(default_factory=dict)
    statements: dict[str, JsonDict] = field(default_factory=dict)
    investigations: dict[str, JsonDict] = field(default_factory=dict)
    purchases: dict[str, JsonDict] = field(default_factory=dict)
    next_round_history: list[JsonDict] = field(default_factory=list)
    developments: list[JsonDict] = field(default_factory=list)
    last_position: JsonDict = field(default_factory=dict)
    problems: list[JsonDict] = field(default_factory=list)

    def party_ids(self) -> set[str]:
        """Return the ids of the negotiation's parties."""
        return {str(party["party_id"]) for party in self.parties}

    def section_of(self, record_id: str) -> str | None:
        """Return the name of the keyed section holding `record_id`, or None."""
        for name in KEYED_SECTIONS:
            if record_id in getattr(self, name):
                return name
        return None

    def copy(self) -> NegotiationState:
        """Return a deep copy that shares nothing with this state."""
        return NegotiationState.from_json(self.to_json())

    def to_json(self, *, shared: bool = False) -> JsonDict:
        """Return a key-sorted JSON object; equal states give identical JSON.

        It is a deep copy unless `shared` allows it to share the state's values, for a caller
        that only serialises it at once.
        """
        result: JsonDict = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in KEYED_SECTIONS:
                value = {key: value[key] for key in sorted(value)}
            result[item.name] = value if shared else copy.deepcopy(value)
        return result

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, owned: bool = False) -> NegotiationState:
        """Rebuild a state from `to_json` output; raises StateFormatError on another shape.

        The data is copied unless `owned` says the caller hands it over (e.g. freshly
        decoded JSON), which spares a deep copy of a large state.
        """
        expected = {item.name for item in fields(cls)}
        if set(data) != expected:
            missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
            raise StateFormatError(f"state keys differ: missing {missing}, unexpected {extra}")
        return cls(**(dict(data) if owned else copy.deepcopy(dict(data))))
