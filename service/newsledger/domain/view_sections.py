"""Rendering each kind of record as of a date, from the dated entries the fold keeps.

Every function takes a stored record and the query date and returns the record as the view
shows it, or None when nothing about it counts by that date. Internal keys (`_from`, `_seq`)
and the raw histories they are computed from stay out of the result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from newsledger.domain import court_effects
from newsledger.domain.dates import countdown
from newsledger.domain.figures import bounds, decimal_text, share_percent, total
from newsledger.domain.state import JsonDict
from newsledger.domain.talks import awaited
from newsledger.domain.valid_time import (
    counts_on,
    span_end,
    span_start,
    takes_effect,
    valid_order,
)

IN_FORCE_STATUSES = frozenset({"MEASURE_STATUS_IN_FORCE", "MEASURE_STATUS_MODIFIED"})
"""Statuses under which a measure applies; threatened and announced never do."""

SUSPENDED = "MEASURE_STATUS_SUSPENDED"
SUSPENSION_KEYS = ("suspended_until", "suspended_part")
"""A suspension's last day and the part it suspends, when it gives them."""

WITHDRAWN = "MEASURE_STATUS_WITHDRAWN"
"""A threat or announcement withdrawn: the measure was never in force."""

MEASURE_HISTORIES = (
    "status_history",
    "licence_decisions",
    "entity_list_actions",
    "court_effects",
    "court_stays",
)
"""A measure's dated lists, rendered from as of the date rather than shown as kept."""

ANNOUNCED = "MEASURE_STATUS_ANNOUNCED"
ANNOUNCING_STATUSES = frozenset({"MEASURE_STATUS_THREATENED", ANNOUNCED})
"""Statuses that hold once reported: their `effective` date is the measure's, not theirs."""


def counted(entries: Iterable[Mapping[str, Any]], as_of: date) -> list[JsonDict]:
    """Return the entries that count by `as_of`, in their stored (stream) order."""
    return [dict(entry) for entry in entries if counts_on(str(entry.get("_from", "")), as_of)]


def ordered(entries: Iterable[Mapping[str, Any]], as_of: date) -> list[JsonDict]:
    """Return the entries that count by `as_of` in valid-time order: by day, then stream.

    The last is the latest by when it happened: one recorded later about an earlier day
    (a back-filled development) never pushes a newer one aside.
    """
    return sorted(counted(entries, as_of), key=valid_order)


def split_by_effect(entries: list[JsonDict], as_of: date) -> tuple[list[JsonDict], list[JsonDict]]:
    """Split counted entries into those in effect on `as_of` and those pending, by `effective`.

    A change announced ahead (recorded now, effective later) is pending until its effective
    day: before it, the earlier entries stay in force. Pending ones come soonest first.
    """
    current: list[JsonDict] = []
    pending: list[JsonDict] = []
    for entry in entries:
        day = _effect_day(entry)
        (current if day is None or day <= as_of else pending).append(entry)
    return sorted(current, key=_effect_order), sorted(pending, key=_effect_order)


def _effect_order(entry: Mapping[str, Any]) -> tuple[str, str, int]:
    """Order entries by the day they take effect (their own day when none), then as ordered."""
    day = _effect_day(entry)
    key = valid_order(entry)
    return (day.isoformat() if day is not None else key[0], *key)


def _effect_day(entry: Mapping[str, Any]) -> date | None:
    """Return the day an entry takes effect, or None when it holds once it counts."""
    if entry.get("status") in ANNOUNCING_STATUSES:
        return None
    return takes_effect(entry)


def public(record: Mapping[str, Any], *hidden: str) -> JsonDict:
    """Return a copy without internal keys (leading underscore) and the `hidden` ones."""
    return {
        key: value for key, value in record.items() if not key.startswith("_") and key not in hidden
    }


def plain(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a record with no history: shown once it counts."""
    return public(record) if counts_on(str(record.get("_from", "")), as_of) else None


def talks(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render talks as the latest counted development left them (scheduled, postponed, held),
    with how many days they lasted and each party's readout counted by the date."""
    versions = ordered(record["versions"], as_of)
    if not versions:
        return None
    rendered = public(versions[-1])
    days = duration_days(rendered.get("occurred") or {})
    if rendered.get("status") == "TALKS_STATUS_HELD" and days:
        rendered["duration_days"] = days
    readouts = ordered(record.get("readouts", []), as_of)
    readouts.sort(key=lambda readout: str(readout["party_id"]))
    rendered["readouts"] = [public(readout) for readout in readouts]
    return rendered


def duration_days(occurred: Mapping[str, Any]) -> int:
    """Return the whole days a span of day precision or finer covers, first and last day
    included, when it covers more than one; 0 otherwise."""
    if occurred.get("precision") not in ("DATE_PRECISION_DAY", "DATE_PRECISION_INSTANT"):
        return 0
    start, end = span_start(occurred), span_end(occurred)
    if start is None or end is None or end <= start:
        return 0
    return (end - start).days + 1


def phases(
    history: list[JsonDict], as_of: date, backed_by_all: Callable[[Mapping[str, Any]], bool]
) -> tuple[list[JsonDict], list[JsonDict]]:
    """Return the phase changes that count by `as_of`, repeats of one phase collapsed, and
    the phases only some parties claim (those `backed_by_all` does not accept), each with
    its claimants."""
    changes: list[JsonDict] = []
    claims: list[JsonDict] = []
    for entry in ordered(history, as_of):
        if entry.get("_claimed_by") and not backed_by_all(entry):
            claims.append({**public(entry), "claimed_by": entry["_claimed_by"]})
        elif not changes or changes[-1]["phase"] != entry["phase"]:
            changes.append(public(entry))
    return changes, claims


def outcome(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render an outcome with its status and the parties' marks as of the date."""
    statuses = ordered(record["status_history"], as_of)
    if not statuses:
        return None
    rendered = public(record, "status_history", "party_marks", "approvals_required")
    rendered["status"] = statuses[-1]["status"]
    marks = counted(record["party_marks"], as_of)
    for field in ("confirmed_by", "denied_by", "signed_by", "approved_by"):
        rendered[field] = sorted({m["party_id"] for m in marks if m["field"] == field})
    required = counted(record.get("approvals_required", []), as_of)
    rendered["pending_approvals"] = [public(r) for r in awaited(marks, required)]
    return rendered


def with_countdown(record: Mapping[str, Any], history_key: str, as_of: date) -> JsonDict | None:
    """Render a truce or deadline: its current deadline, earlier ones, and days remaining.

    A deadline set ahead (effective later) is pending until then, listed in `pending`.
    """
    counted_entries, pending = split_by_effect(
        ordered(record.get("deadline_entries", []), as_of), as_of
    )
    entries = [public(entry) for entry in counted_entries]
    if not counts_on(str(record.get("_from", "")), as_of) and not entries and not pending:
        return None
    rendered = public(record, "deadline_entries")
    rendered["pending_deadlines"] = [public(entry) for entry in pending]
    if not entries:
        return rendered
    rendered["deadline"] = entries[-1]["deadline"]
    rendered[history_key] = entries[:-1]
    remaining = countdown(rendered["deadline"], as_of)
    if remaining is not None:
        rendered["days_remaining"] = remaining.days_remaining
        rendered["expired"] = remaining.expired
    return rendered


def truce(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a truce with its countdown; it is in effect once effective and until expired.

    Measures added to its suspensions join `suspended_measure_ids` from their effective day;
    until then they are listed in `pending_suspensions`.
    """
    rendered = with_countdown(record, "deadline_history", as_of)
    if rendered is None:
        return None
    started = span_start(record.get("effective") or {})
    rendered["in_effect"] = (started is None or started <= as_of) and not rendered.get("expired")
    additions = ordered(record.get("suspension_additions", []), as_of)
    current, pending = split_by_effect(additions, as_of)
    suspended = list(rendered["suspended_measure_ids"])
    suspended += [m for addition in current for m in addition["measure_ids"]]
    rendered["suspended_measure_ids"] = suspended
    rendered["pending_suspensions"] = [public(addition) for addition in pending]
    rendered.pop("suspension_additions", None)
    return rendered


def lapsed(truce: Mapping[str, Any]) -> bool:
    """Tell whether a rendered truce's deadline has passed: it suspends nothing any more."""
    return bool(truce.get("expired"))


def issue(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render an issue with its status and each party's latest position as of the date."""
    if not counts_on(str(record.get("_from", "")), as_of):
        return None
    rendered = public(record, "status_history", "position_entries")
    statuses = ordered(record["status_history"], as_of)
    rendered["status"] = statuses[-1]["status"] if statuses else "ISSUE_STATUS_OPEN"
    latest = {
        entry["party_id"]: public(entry) for entry in ordered(record["position_entries"], as_of)
    }
    rendered["positions"] = [latest[party] for party in sorted(latest)]
    return rendered


def with_status(record: Mapping[str, Any], as_of: date, *hidden: str) -> JsonDict | None:
    """Render a record whose status comes from its dated status history (latest counted)."""
    statuses = ordered(record["status_history"], as_of)
    if not statuses:
        return None
    rendered = public(record, *hidden)
    rendered["status"] = statuses[-1]["status"]
    if "status_history" not in hidden:
        rendered["status_history"] = [public(entry) for entry in statuses]
    return rendered


def investigation(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render an investigation with its status and latest finding as of the date."""
    rendered = with_status(record, as_of, "status_history")
    if rendered is not None:
        findings = [
            e["finding"] for e in ordered(record["status_history"], as_of) if e.get("finding")
        ]
        rendered["finding"] = findings[-1] if findings else ""
    return rendered


def _carried(entries: list[JsonDict], name: str) -> Any:
    """Return the latest non-empty value of a field along a measure's status entries."""
    values = [entry[name] for entry in entries if entry.get(name)]
    return values[-1] if values else ""


def _has_passed(expires: Mapping[str, Any], as_of: date) -> bool:
    """Tell whether an expiry time has passed on the query date."""
    remaining = countdown(expires, as_of)
    if remaining is not None:
        return remaining.expired
    start = span_start(expires)
    return start is not None and start < as_of


def _status_entry(entry: Mapping[str, Any]) -> JsonDict:
    """Return a measure's status entry as the view shows it, with the day a suspension that
    has a last day ends (`resumes`)."""
    keys = ("status", "occurred", "effective", "rate_percent", "rate", "provenance")
    shown = {key: entry[key] for key in (*keys, *SUSPENSION_KEYS) if key in entry}
    resumes = _resumes(entry.get("suspended_until"))
    if resumes:
        shown["resumes"] = resumes
    return shown


def _resumes(until: Any) -> JsonDict:
    """Return when a measure suspended until a time is back: the instant a suspension ending
    at an instant ends, else the day after its last day; {} when it gives no end."""
    if not isinstance(until, Mapping) or not until:
        return {}
    if until.get("start_time"):
        return {key: until[key] for key in ("precision", "start_time", "time_zone") if key in until}
    last = span_end(until)
    if last is None:
        return {}
    return {"precision": "DATE_PRECISION_DAY", "start_date": (last + timedelta(days=1)).isoformat()}


def _listed_count(actions: list[JsonDict], named: int) -> str:
    """Return how many entities are on a list when an action gave a number, else "".

    An action's `count_value` counts every entity it adds or removes, the named ones among
    them; the unnamed rest add to (or leave) the names the list shows.
    """
    if not any(action.get("count_value") for action in actions):
        return ""
    unnamed = Decimal(0)
    for action in actions:
        beyond = Decimal(str(action.get("count_value") or 0)) - len(action["entities"])
        sign = -1 if action.get("action") == "ENTITY_LIST_ACTION_REMOVED" else 1
        unnamed += sign * max(beyond, Decimal(0))
    return decimal_text(max(unnamed, Decimal(0)) + named)


def _standing(
    current: list[JsonDict], as_of: date, lapsed_truces: AbstractSet[str] = frozenset()
) -> tuple[str, str, JsonDict | None]:
    """Return a measure's status on `as_of` from the changes in effect, the status its
    unsuspended part has, and the suspension in effect (None when none is).

    A suspension whose `suspended_until` has passed, or whose truce has expired with no
    extension (`lapsed_truces`), leaves the measure as it was before it ("snaps back"); a
    suspension of a part (`suspended_part`) leaves the rest as it was.
    """
    status = rest = ""
    suspension: JsonDict | None = None
    for entry in current:
        if entry["status"] != SUSPENDED:
            status = rest = entry["status"]
            suspension = None
            continue
        until = entry.get("suspended_until")
        if (until and _has_passed(until, as_of)) or entry.get("_truce_id") in lapsed_truces:
            continue
        status, suspension = SUSPENDED, entry
        rest = rest if entry.get("suspended_part") else SUSPENDED
    return status, rest, suspension


def measure(
    record: Mapping[str, Any], as_of: date, lapsed_truces: AbstractSet[str] = frozenset()
) -> JsonDict | None:
    """Render a measure as of the date: status, dates, entities, and whether it is in force.

    Its status and figures come from the changes in effect on the date; a change announced
    ahead is listed in `pending_changes` with its effective date until then. A measure with
    only pending changes is announced. A court ruling that ends or blocks it is such a change
    from the day it takes effect, unless it is stayed on the date (`court_effects`). A
    suspension under a truce in `lapsed_truces` (its deadline passed with no extension) no
    longer holds: the measure is back as it was.
    """
    from_courts = court_effects.status_entries(record, as_of)
    counted_entries = ordered([*record["status_history"], *from_courts], as_of)
    if not counted_entries:
        return None
    current, pending = split_by_effect(counted_entries, as_of)
    entries = current or pending
    rendered = public(record, *MEASURE_HISTORIES)
    status, rest, suspension = _standing(current, as_of, lapsed_truces)
    # Only lapsed suspensions, nothing before them: the last status known stands.
    rendered["status"] = status or (current[-1]["status"] if current else ANNOUNCED)
    for key in SUSPENSION_KEYS:
        if suspension is not None and suspension.get(key):
            rendered[key] = suspension[key]
    if suspension is not None:
        rendered["resumes"] = _resumes(suspension.get("suspended_until"))
    if suspension is not None and suspension.get("_truce_id"):
        rendered["suspended_by_truce_id"] = suspension["_truce_id"]
    for name in ("rate_percent", "rate_phrase", "announced", "effective", "expires"):
        rendered[name] = _carried(entries, name)
    rated = [entry for entry in entries if entry.get("rate") or entry.get("rate_percent")]
    rendered["rate"] = rated[-1].get("rate", "") if rated else ""
    rendered["legal_basis"] = _carried(entries, "legal_basis") or record.get("legal_basis", "")
    rendered["status_history"] = [_status_entry(entry) for entry in current]
    rendered["pending_changes"] = [_status_entry(entry) for entry in pending]
    rendered["licence_decisions"] = [public(d) for d in counted(record["licence_decisions"], as_of)]
    actions = [public(a) for a in counted(record["entity_list_actions"], as_of)]
    rendered["entity_list_actions"] = actions
    rendered["court_effects"] = court_effects.court_effects(record, as_of)
    listed: list[str] = []
    for action in actions:
        removing = action.get("action") == "ENTITY_LIST_ACTION_REMOVED"
        listed = [e for e in listed if e not in action["entities"]] if removing else listed
        listed += [] if removing else [e for e in action["entities"] if e not in listed]
    rendered["listed_entities"] = listed
    rendered["listed_count_value"] = _listed_count(actions, len(listed))
    if status == WITHDRAWN:
        rendered["withdrawn"] = current[-1].get("effective") or current[-1]["occurred"]
    started = span_start(rendered["effective"] or {})
    rendered["in_force"] = (
        rest in IN_FORCE_STATUSES
        and (started is None or started <= as_of)
        and not (rendered["expires"] and _has_passed(rendered["expires"], as_of))
    )
    return rendered


def ruling(record: Mapping[str, Any], stays: list[JsonDict], as_of: date) -> JsonDict:
    """Render a ruling with each disposition's effect on its measures as of the date."""
    rendered = public(record)
    dispositions = []
    for disposition in record.get("dispositions", []):
        shown = dict(disposition)
        if disposition.get("effect") in court_effects.STATUS_OF_EFFECT:
            entry = {**disposition, "ruling_id": record.get("ruling_id", "")}
            state = court_effects.effect_state(entry, stays, as_of)
            shown |= public(state)
        dispositions.append(shown)
    if dispositions:
        rendered["dispositions"] = dispositions
    return rendered


CASE_LISTS = ("rulings", "steps", "consolidations", "stays")
"""A case's dated lists, rendered as of the date rather than shown as kept."""


def court_case(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a case as its docket stands on the date: its steps and consolidations so far,
    the oral argument still to come, its rulings and the latest one (by when it was issued)."""
    if not counts_on(str(record.get("_from", "")), as_of):
        return None
    stays = counted(record.get("stays", []), as_of)
    rulings = [ruling(entry, stays, as_of) for entry in ordered(record["rulings"], as_of)]
    rendered = public(record, *CASE_LISTS)
    rendered["rulings"] = rulings
    if rulings:
        rendered["latest_ruling"] = rulings[-1]
    rendered["ruling_count"] = len(rulings)
    steps = ordered(record.get("steps", []), as_of)
    rendered["steps"] = [public(step) for step in steps]
    joined = [i for c in ordered(record.get("consolidations", []), as_of) for i in c["case_ids"]]
    rendered["consolidated_case_ids"] = sorted(set(joined) - {record["case_id"]})
    arguments = [
        step["scheduled"]
        for step in steps
        if step.get("scheduled") and step["kind"] == "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED"
    ]
    upcoming = span_start(arguments[-1]) if arguments else None
    if upcoming is not None and upcoming >= as_of:
        rendered["oral_argument_scheduled"] = arguments[-1]
    return rendered


def person(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a person with the roles reported by the date."""
    roles = [public(role) for role in ordered(record["roles"], as_of)]
    return {**public(record, "roles"), "roles": roles} if roles else None


PARTIAL = "COMMITMENT_STATUS_PARTIALLY_FULFILLED"
MADE = "COMMITMENT_STATUS_MADE"


def purchase_figures(purchase: Mapping[str, Any]) -> list[JsonDict]:
    """Return what a purchase counts as: its quantity and its amount, as figures.

    The figures (`quantity`, `amount`) win; the older decimal fields stand in for them.
    """
    figures: list[JsonDict] = []
    for figure, value, unit_key, unit_name in (
        ("quantity", "quantity_value", "quantity_unit", "unit"),
        ("amount", "amount_value", "currency", "currency"),
    ):
        if purchase.get(figure):
            figures.append(dict(purchase[figure]))
        elif purchase.get(value):
            figures.append({"exact_value": purchase[value], unit_name: purchase.get(unit_key, "")})
    return figures


def _fulfilled(purchases: list[JsonDict], like: Mapping[str, Any]) -> JsonDict | None:
    """Return the sum of the purchases' figures in the unit or currency of `like`."""
    return total([figure for p in purchases for figure in purchase_figures(p)], like)


def _within(purchase: Mapping[str, Any], period: Mapping[str, Any]) -> bool:
    """Tell whether a purchase was made within a commitment's period: by the last day of its
    reported span, the day by which it was certainly made ("purchases since 30 October,
    reported on 13 November" count in a period from 1 November)."""
    day = span_end(purchase.get("occurred") or {})
    if day is None:
        return False
    return str(period.get("start_date")) <= day.isoformat() <= str(period.get("end_date"))


def commitment(
    record: Mapping[str, Any], as_of: date, purchases: Mapping[str, JsonDict]
) -> JsonDict | None:
    """Render a commitment with its status and how much of it is fulfilled on the date.

    Fulfilment sums the purchases linked to it that count by the date, in the unit or
    currency of its total (or of its first period), and per period those made within it.
    A commitment MADE that purchases have begun to fulfil is PARTIALLY_FULFILLED; that it is
    fulfilled only a report says (purchases reported may not be all there are).
    """
    rendered = with_status(record, as_of)
    if rendered is None:
        return None
    schedule = list(record.get("schedule", []))
    like = record.get("quantity") or (schedule[0]["quantity"] if schedule else {})
    if not like:
        return rendered
    linked = [
        p
        for p in sorted(purchases.values(), key=valid_order)
        if p.get("commitment_id") == record["commitment_id"]
        and counts_on(str(p.get("_from", "")), as_of)
    ]
    periods = []
    for period in schedule:
        shown = dict(period)
        within = [p for p in linked if _within(p, period)]
        shown["fulfilled"] = _fulfilled(within, period["quantity"]) or {}
        shown["fulfilled_percent"] = share_percent(shown["fulfilled"], period["quantity"])
        periods.append(shown)
    rendered["schedule"] = periods
    fulfilled = _fulfilled(linked, like)
    if fulfilled is None:
        return rendered
    counted_ids = [str(p["purchase_id"]) for p in linked if _fulfilled([p], like) is not None]
    target = record.get("quantity") or _scheduled_total(schedule, like)
    rendered["fulfilment"] = {
        "fulfilled": fulfilled,
        "fulfilled_percent": share_percent(fulfilled, target) if target else "",
        "purchase_ids": counted_ids,
    }
    if rendered["status"] == MADE and (bounds(fulfilled)[0] or 0) > 0:
        rendered["status"] = PARTIAL
    return rendered


def _scheduled_total(schedule: list[JsonDict], like: Mapping[str, Any]) -> JsonDict | None:
    """Return the sum of a schedule's periods in the unit of `like` (a sum of minimums when
    they say "at least"), or None when a period gives no lower bound."""
    quantities = [period["quantity"] for period in schedule]
    summed = total(quantities, like)
    if any(bounds(quantity)[0] is None for quantity in quantities):
        return None
    return summed


def former_titles(history: list[JsonDict], as_of: date) -> list[JsonDict]:
    """Return the titles a negotiation had before its title on `as_of`, oldest first, each
    with when, why and by what it was replaced. The opening title is always first."""
    if not history:
        return []
    titles = [history[0], *ordered(history[1:], as_of)]
    return [
        {"title": earlier["title"], **public(later, "title")}
        for earlier, later in itertools.pairwise(titles)
    ]
