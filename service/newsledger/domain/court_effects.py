"""Where a court's effect on a measure stands on a date: in effect, pending, or stayed.

A disposition that ends or blocks measures takes effect on its `effective` day (on the
ruling's date when it gives none). A court may withhold its own effect until a day
(`stayed_until`: the effect begins the day after; a time with no day withholds it until a later
ruling), and a later ruling may stay it (a STAY disposition naming its `ruling_id`), from that
stay's own effective day. A stay counts only from its own date, like everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from newsledger.domain.state import JsonDict
from newsledger.domain.valid_time import counts_on, span_end, takes_effect, valid_order

IN_EFFECT = "COURT_EFFECT_STATE_IN_EFFECT"
PENDING = "COURT_EFFECT_STATE_PENDING"
STAYED = "COURT_EFFECT_STATE_STAYED"
STATUS_OF_EFFECT = {
    "COURT_EFFECT_ENDS": "MEASURE_STATUS_ENDED",
    "COURT_EFFECT_BLOCKS": "MEASURE_STATUS_BLOCKED",
}
"""The status a measure takes from a court's effect on it."""


def _counted(entries: Iterable[Mapping[str, Any]], as_of: date) -> list[Mapping[str, Any]]:
    return [entry for entry in entries if counts_on(str(entry.get("_from", "")), as_of)]


def stayed_by(ruling_id: str, stays: Iterable[Mapping[str, Any]], as_of: date) -> str | None:
    """Return the id of the ruling staying `ruling_id` on the date ("" when it has none), or
    None when no stay that counts by then is in effect."""
    if not ruling_id:
        return None
    for stay in sorted(_counted(stays, as_of), key=valid_order):
        day = takes_effect(stay)
        if stay.get("ruling_id") == ruling_id and (day is None or day <= as_of):
            return str(stay.get("by_ruling_id", ""))
    return None


def effect_start(entry: Mapping[str, Any]) -> tuple[date | None, bool]:
    """Return the day an effect begins (None: once the ruling counts) and whether the court
    withholds it with no day given."""
    start = takes_effect(entry)
    withheld = entry.get("stayed_until")
    if not isinstance(withheld, Mapping) or not withheld:
        return start, False
    last = span_end(withheld)
    if last is None:
        return start, True
    after = last + timedelta(days=1)
    return (after if start is None or start < after else start), False


def effect_state(
    entry: Mapping[str, Any], stays: Iterable[Mapping[str, Any]], as_of: date
) -> JsonDict:
    """Return where an effect stands on the date: its state, the ruling staying it, and
    (`_effective`) when it begins, when not once its ruling counts."""
    by = stayed_by(str(entry.get("ruling_id", "")), stays, as_of)
    start, withheld = effect_start(entry)
    result: JsonDict = {}
    if by is not None:
        result["state"] = STAYED
        if by:
            result["stayed_by_ruling_id"] = by
    elif withheld:
        result["state"] = STAYED
    else:
        result["state"] = PENDING if start is not None and start > as_of else IN_EFFECT
    if start is not None and start == takes_effect(entry):
        result["_effective"] = entry["effective"]
    elif start is not None:
        result["_effective"] = {"precision": "DATE_PRECISION_DAY", "start_date": start.isoformat()}
    return result


def court_effects(record: Mapping[str, Any], as_of: date) -> list[JsonDict]:
    """Return a measure's court effects counted by the date, oldest first, each with its state."""
    stays = record.get("court_stays", [])
    rendered: list[JsonDict] = []
    for entry in sorted(_counted(record.get("court_effects", []), as_of), key=valid_order):
        state = effect_state(entry, stays, as_of)
        public = {key: value for key, value in entry.items() if not key.startswith("_")}
        rendered.append({**public, **{k: v for k, v in state.items() if not k.startswith("_")}})
    return rendered


def status_entries(record: Mapping[str, Any], as_of: date) -> list[JsonDict]:
    """Return the status entries a measure takes from the court effects not stayed on the
    date: ENDED or BLOCKED, effective the day the effect begins (pending before it)."""
    stays = record.get("court_stays", [])
    entries: list[JsonDict] = []
    for entry in _counted(record.get("court_effects", []), as_of):
        state = effect_state(entry, stays, as_of)
        if state["state"] == STAYED:
            continue
        status: JsonDict = {
            "status": STATUS_OF_EFFECT[str(entry["effect"])],
            "occurred": entry["occurred"],
            "provenance": entry["provenance"],
            **{key: entry[key] for key in ("_from", "_day", "_seq") if key in entry},
        }
        if "_effective" in state:
            status["effective"] = state["_effective"]
        entries.append(status)
    return entries
