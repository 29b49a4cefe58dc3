"""Rendering the folded state as a NegotiationView JSON object for a query date (valid time).

The state keeps dated entries; rendering keeps those that count by the date and computes the
rest from them: current phase and statuses, the truce's deadline and days remaining, measures
in force, confirmation levels. No event is read: the state holds everything needed.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from newsledger.domain import view_sections as sections
from newsledger.domain.as_of import state_as_of
from newsledger.domain.confirmation import Confirmer, RegistryIndex, disputes
from newsledger.domain.state import JsonDict, NegotiationState
from newsledger.domain.valid_time import counts_on, valid_order
from newsledger.domain.view_reuse import Confirms, FinishedItems

NOT_SCHEDULED: JsonDict = {"status": "NEXT_ROUND_STATUS_NOT_SCHEDULED"}
"""The next round when no development has set one: explicitly not scheduled."""

VIEW_LIST_LIMIT = 100
"""The most items a list of the view shows: the most recent ones. A longer list is named in
`truncated_lists` with its total, and read in full through the call given there."""

STATEMENTS_CALL = "ListStatements"
TIMELINE_CALL = "ListTimelineEntries"
LOG_CALL = "ReadStream"

NESTED_HISTORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "measures": ("measure_id", ("status_history", "licence_decisions", "entity_list_actions")),
    "commitments": ("commitment_id", ("status_history",)),
    "deadlines": ("deadline_id", ("history",)),
    "people": ("person_id", ("roles",)),
    "outcomes": ("outcome_id", ("pending_approvals",)),
    "talks": ("talks_id", ("readouts", "postponed_from")),
}
"""Histories inside records (oldest first) that grow with developments: list, id, fields."""

Item = TypeVar("Item")
"""An item of a list the view cuts: a record, or an id."""

Renderer = Callable[[Mapping[str, Any], date], JsonDict | None]


def _rendered(records: Mapping[str, JsonDict], render: Renderer, as_of: date) -> list[JsonDict]:
    """Return records rendered as of the date, ordered by id, leaving out those not counted."""
    shown = (render(records[key], as_of) for key in sorted(records))
    return [record for record in shown if record is not None]


def _seq_of(record: Mapping[str, Any]) -> int:
    """Return the stream sequence that first set a stored record."""
    return int(record.get("_seq", 0))


def _in_seq_order(records: Mapping[str, JsonDict]) -> list[str]:
    """Return the keys of records in the order they were first set (their `_seq`).

    The fold adds records in that order, so the check is all it usually costs.
    """
    keys = list(records)
    seqs = [record.get("_seq", 0) for record in records.values()]
    if not all(map(operator.le, seqs, seqs[1:])):
        keys.sort(key=lambda key: _seq_of(records[key]))
    return keys


def _newest_plain(
    records: Mapping[str, JsonDict], as_of: date, limit: int, all_count: bool = False
) -> tuple[list[tuple[str, JsonDict]], int]:
    """Return the `limit` most recent plain records counted by the date, and how many count.

    Records are kept in the order they were first set (their `_seq`), so the newest are
    found walking back from the end; a state whose order differs is sorted first. When the
    caller knows every record counts by the date (`all_count`: every development of the
    state does, and a record counts from its development's day or earlier), the newest are
    the last `limit` and none is checked.
    """
    keys = _in_seq_order(records)
    if all_count:
        newest = reversed(keys[-limit:]) if limit > 0 else ()
        return [(key, sections.public(records[key])) for key in newest], len(keys)
    shown: list[tuple[str, JsonDict]] = []
    total = 0
    for key in reversed(keys):
        if not counts_on(str(records[key].get("_from", "")), as_of):
            continue
        total += 1
        if len(shown) < limit:
            shown.append((key, sections.public(records[key])))
    return shown, total


class Truncation:
    """Cuts the view's lists to their most recent items and notes each list it cut."""

    def __init__(self, limit: int | None, all_count: bool = False) -> None:
        self.limit = limit
        self.all_count = all_count  # every record of the state counts by the date
        self.notes: list[JsonDict] = []

    def note(self, path: str, shown: int, total: int, call: str) -> None:
        """Record that the list at `path` shows `shown` of `total` items."""
        self.notes.append({"path": path, "shown": shown, "total": total, "paged_by": call})

    def records(
        self,
        name: str,
        records: Mapping[str, JsonDict],
        render: Renderer,
        as_of: date,
        call: str = TIMELINE_CALL,
    ) -> list[JsonDict]:
        """Render a keyed section, keeping its most recent records, ordered by id."""
        if self.limit is None or len(records) <= self.limit:
            return _rendered(records, render, as_of)
        if render is sections.plain:
            shown, total = _newest_plain(records, as_of, self.limit, self.all_count)
        else:
            every = [(key, render(records[key], as_of)) for key in records]
            counted = [(key, rendered) for key, rendered in every if rendered is not None]
            counted.sort(key=lambda pair: _seq_of(records[pair[0]]), reverse=True)
            shown, total = counted[: self.limit], len(counted)
        if total > self.limit:
            self.note(name, self.limit, total, call)
        return [rendered for _, rendered in sorted(shown, key=lambda pair: pair[0])]

    def rendered(self, name: str, items: list[Item], call: str = TIMELINE_CALL) -> list[Item]:
        """Keep the most recent items of a rendered list in stream order (the last ones)."""
        if self.limit is None or len(items) <= self.limit:
            return items
        self.note(name, self.limit, len(items), call)
        return items[-self.limit :]

    def histories(self, name: str, items: list[JsonDict]) -> None:
        """Cut the histories inside each rendered record of a section to their newest."""
        id_key, fields = NESTED_HISTORIES[name]
        for item in items:
            for field in fields:
                if isinstance(item.get(field), list):
                    path = f"{name}[{item[id_key]}].{field}"
                    item[field] = self.rendered(path, item[field])


def _latest(records: list[JsonDict], state_records: Mapping[str, JsonDict], key: str) -> JsonDict:
    """Return the rendered record that happened last (valid time), or {} when there is none."""
    if not records:
        return {}
    return max(records, key=lambda record: valid_order(state_records[record[key]]))


def _backed_by_all(
    state: NegotiationState, confirmer: Confirmer, outcomes: list[JsonDict]
) -> Callable[[Mapping[str, Any]], bool]:
    """Return whether a claimed phase change has every party behind it on the date.

    A party stands behind it when it claims or confirmed the development that set it, or
    confirmed the outcome it is about; an open dispute leaves it a claim.
    """
    confirmed = {o["outcome_id"]: set(o.get("confirmed_by", [])) for o in outcomes}
    nobody: tuple[set[str], set[str], set[str]] = (set(), set(), set())

    def backed(entry: Mapping[str, Any]) -> bool:
        development_id = entry["provenance"]["development_ids"][0]
        claimed, confirming, disputing = confirmer.stance(development_id) or nobody
        backers = claimed | confirming | confirmed.get(str(entry.get("_outcome_id", "")), set())
        return not disputing and backers >= state.party_ids()

    return backed


def _in_force_by_party(state: NegotiationState, measures: list[JsonDict]) -> list[JsonDict]:
    """Group the measures in force by imposing party, parties in their listed order."""
    order = [str(party["party_id"]) for party in state.parties]
    order += sorted({p for m in measures for p in m.get("imposed_by", []) if p not in order})
    grouped = []
    for party in order:
        mine = [m for m in measures if m["in_force"] and party in m.get("imposed_by", [])]
        tariffs = [m["measure_id"] for m in mine if m["measure_type"] == "TariffMeasureChanged"]
        controls = [m["measure_id"] for m in mine if m["measure_type"] != "TariffMeasureChanged"]
        if tariffs or controls:
            grouped.append(
                {"party_id": party, "tariff_measure_ids": tariffs, "export_control_ids": controls}
            )
    return grouped


_OMITTED_DEFAULTS: tuple[Any, ...] = ("", [], {})
"""Empty values protobuf JSON omits (besides false, compared by identity)."""

_SCALARS = (str, int, float, type(None))
"""Types of JSON leaves, told apart from containers without the slower Mapping check."""

_LEAVES = frozenset({str, int, float, bool, type(None)})
"""The exact types of JSON leaves: a lookup by type settles most values of a view at once."""


def _finished(value: Any, confirmer: Confirms) -> Any:
    """Return a fresh copy with a confirmation in every provenance and empty values dropped.

    Empty strings, lists, objects and false are dropped, as protobuf JSON omits those
    defaults; an object emptied that way is dropped in turn. One walk builds the copy, so
    the result shares no list or object with the state it was rendered from.
    """
    kind = type(value)
    if kind is dict:
        return _finished_object(value, confirmer)
    if kind is list or isinstance(value, list):
        return [item if type(item) in _LEAVES else _finished(item, confirmer) for item in value]
    if isinstance(value, _SCALARS) or not isinstance(value, Mapping):
        return value
    return _finished_object(value, confirmer)


def _finished_object(value: Mapping[str, Any], confirmer: Confirms) -> JsonDict:
    """Return `_finished` of an object: the plain dicts, lists and leaves of a view are told
    apart by their exact type; anything else takes the general checks."""
    finished = {}
    for key, item in value.items():
        kind = type(item)
        if kind is str or kind is bool:
            if item:
                finished[key] = item
            continue
        if kind is int or kind is float or item is None:
            finished[key] = item
            continue
        if kind is list:
            item = [x if type(x) in _LEAVES else _finished(x, confirmer) for x in item]
            if item:
                finished[key] = item
            continue
        if kind is dict:
            if key == "provenance" and item:
                item = {**item, "confirmation": confirmer.confirmation(item)}
            item = _finished_object(item, confirmer)
            if item:
                finished[key] = item
            continue
        if key == "provenance" and isinstance(item, Mapping) and item:
            item = {**item, "confirmation": confirmer.confirmation(item)}
        if not isinstance(item, _SCALARS):
            item = _finished(item, confirmer)
        if item is not False and item not in _OMITTED_DEFAULTS:
            finished[key] = item
    return finished


def _first(cut: Truncation, name: str, items: list[JsonDict]) -> list[JsonDict]:
    """Keep the first items of a list whose order puts what matters first (open disputes)."""
    if cut.limit is None or len(items) <= cut.limit:
        return items
    cut.note(name, cut.limit, len(items), TIMELINE_CALL)
    return items[: cut.limit]


def render_view(
    state: NegotiationState,
    as_of: date,
    limit: int | None = VIEW_LIST_LIMIT,
    index: RegistryIndex | None = None,
    reuse: FinishedItems | None = None,
) -> JsonDict:
    """Return the NegotiationView JSON object (proto field names) as of a query date.

    Days remaining are computed from `as_of` and the deadline, never taken from quotes. Every
    field follows from the developments that count by `as_of` alone (`state_as_of`).
    Every list shows at most `limit` items, the most recent (None: every item); the lists
    cut short are named in `truncated_lists`, with their totals and the call that reads them
    whole. What is computed from a list (current phase, measures in force, the latest ruling)
    is computed from all of it. An `index` kept with the state spares indexing its registry
    again; `reuse`, kept with it too, gives back the list items finished by the previous
    render that are unchanged (shared with it: the view must not be changed).
    """
    whole = state
    index = RegistryIndex() if index is None else index  # one walk serves both uses below
    state = state_as_of(state, as_of, index)
    # The index follows the whole registry; a state derived for an earlier date has its own.
    confirmer = Confirmer(
        state.developments, state.party_ids(), as_of, index if state is whole else None
    )
    cut = Truncation(limit, all_count=state is whole)  # whole: everything counts by as_of
    outcomes = _rendered(state.outcomes, sections.outcome, as_of)
    phase_history, claimed_phases = sections.phases(
        state.phase_history, as_of, _backed_by_all(state, confirmer, outcomes)
    )
    truces = _rendered(state.truces, sections.truce, as_of)
    lapsed = {str(truce["truce_id"]) for truce in truces if sections.lapsed(truce)}
    measures = _rendered(state.measures, lambda r, d: sections.measure(r, d, lapsed), as_of)
    in_force = _in_force_by_party(state, measures)
    if limit is not None and len(measures) > limit:
        newest = sorted(measures, key=lambda m: _seq_of(state.measures[m["measure_id"]]))
        cut.note("measures", limit, len(measures), TIMELINE_CALL)
        measures = sorted(newest[-limit:], key=lambda m: str(m["measure_id"]))
    cut.histories("measures", measures)
    cases = cut.records("legal_status.cases", state.court_cases, sections.court_case, as_of)
    for case in cases:
        case["rulings"] = cut.rendered(
            f"legal_status.cases[{case['case_id']}].rulings", case["rulings"]
        )
    rounds = sections.ordered(state.next_round_history, as_of)
    rulings = [
        (r, case)
        for case in state.court_cases.values()
        for r in sections.counted(case["rulings"], as_of)
    ]
    latest, latest_case = max(rulings, key=lambda pair: valid_order(pair[0]), default=({}, {}))
    latest_ruling = sections.ruling(
        latest, sections.counted(latest_case.get("stays", []), as_of), as_of
    )
    truce = _latest(truces, state.truces, "truce_id")
    for history in ("deadline_history", "pending_suspensions"):
        if truce.get(history):
            truce[history] = cut.rendered(f"truce.{history}", truce[history])
    deadlines = cut.records(
        "deadlines",
        state.deadlines,
        lambda r, d: sections.with_countdown(r, "history", d),
        as_of,
    )
    cut.histories("deadlines", deadlines)
    commitments = cut.records(
        "commitments",
        state.commitments,
        lambda r, d: sections.commitment(r, d, state.purchases),
        as_of,
    )
    cut.histories("commitments", commitments)
    for commitment in commitments:
        fulfilment = commitment.get("fulfilment") or {}
        if fulfilment.get("purchase_ids"):
            path = f"commitments[{commitment['commitment_id']}].fulfilment.purchase_ids"
            fulfilment["purchase_ids"] = cut.rendered(path, fulfilment["purchase_ids"])
    people = cut.records("people", state.people, sections.person, as_of)
    cut.histories("people", people)
    outcomes = cut.records("outcomes", state.outcomes, sections.outcome, as_of)
    cut.histories("outcomes", outcomes)
    talks = cut.records("talks", state.talks, sections.talks, as_of)
    cut.histories("talks", talks)
    former_titles = sections.former_titles(state.title_history, as_of)
    open_first = disputes(state.developments, as_of)
    view: JsonDict = {
        "negotiation_id": state.negotiation_id,
        "title": state.title,
        "former_titles": cut.rendered("former_titles", former_titles),
        "parties": state.parties,
        "as_of_date": as_of.isoformat(),
        "phase": phase_history[-1]["phase"] if phase_history else "NEGOTIATION_PHASE_UNSPECIFIED",
        "phase_history": cut.rendered("phase_history", phase_history),
        "claimed_phases": claimed_phases,
        "talks": talks,
        "outcomes": outcomes,
        "truce": truce,
        "deadlines": deadlines,
        "issues": cut.records("issues", state.issues, sections.issue, as_of),
        "commitments": commitments,
        "measures": measures,
        "measures_in_force": in_force,
        "legal_status": {"cases": cases, "latest_ruling": latest_ruling},
        "economic_context": {
            "indicators": cut.records(
                "economic_context.indicators",
                state.indicators,
                sections.plain,
                as_of,
            )
        },
        "market_reactions": cut.records(
            "market_reactions", state.market_reactions, sections.plain, as_of
        ),
        "people": people,
        "statements": cut.records(
            "statements", state.statements, sections.plain, as_of, STATEMENTS_CALL
        ),
        "investigations": cut.records(
            "investigations",
            state.investigations,
            sections.investigation,
            as_of,
        ),
        "purchases": cut.records("purchases", state.purchases, sections.plain, as_of),
        "disputes": _first(cut, "disputes", open_first),
        "next_round": sections.public(rounds[-1]) if rounds else NOT_SCHEDULED,
        "last_position": state.last_position,
        "problems": cut.rendered("problems", state.problems, LOG_CALL),
        "stale": bool(state.problems),
        "truncated_lists": cut.notes,
    }
    if reuse is not None:
        return reuse.finish(view, confirmer, _finished)
    finished: JsonDict = _finished(view, confirmer)
    return finished


def statements_page(
    state: NegotiationState,
    as_of: date,
    offset: int,
    limit: int,
    speaker_id: str = "",
    index: RegistryIndex | None = None,
) -> tuple[list[JsonDict], int]:
    """Return a page of the statements counted by the date, newest first, and their total.

    Newest means first recorded last, the order in which the view keeps the most recent.
    """
    records = state.statements
    keys = _in_seq_order(records)
    page: list[JsonDict] = []
    total = 0
    for key in reversed(keys):
        record = records[key]
        if speaker_id and record.get("speaker_id") != speaker_id:
            continue
        if not counts_on(str(record.get("_from", "")), as_of):
            continue
        if offset <= total < offset + limit:
            page.append(sections.public(record))
        total += 1
    finished: list[JsonDict] = _finished(
        page, Confirmer(state.developments, state.party_ids(), as_of, index)
    )
    return finished, total
