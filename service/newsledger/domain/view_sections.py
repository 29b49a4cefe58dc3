"""Rendering each kind of record as of a date, from the dated entries the fold keeps.

Every function takes a stored record and the query date and returns the record as the view
shows it, or None when nothing about it counts by that date. Internal keys (`_from`, `_seq`)
and the raw histories they are computed from stay out of the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from newsledger.domain.dates import countdown
from newsledger.domain.state import JsonDict
from newsledger.domain.valid_time import counts_on, span_start

IN_FORCE_STATUSES = frozenset({"MEASURE_STATUS_IN_FORCE", "MEASURE_STATUS_MODIFIED"})
"""Statuses under which a measure applies; threatened and announced never do."""


def counted(entries: Iterable[Mapping[str, Any]], as_of: date) -> list[JsonDict]:
    """Return the entries that count by `as_of`, in their stored (stream) order."""
    return [dict(entry) for entry in entries if counts_on(str(entry.get("_from", "")), as_of)]


def public(record: Mapping[str, Any], *hidden: str) -> JsonDict:
    """Return a copy without internal keys (leading underscore) and the `hidden` ones."""
    return {
        key: value for key, value in record.items() if not key.startswith("_") and key not in hidden
    }


def plain(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a record with no history: shown once it counts."""
    return public(record) if counts_on(str(record.get("_from", "")), as_of) else None


def talks(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render talks as the latest counted development left them (scheduled, then held)."""
    versions = counted(record["versions"], as_of)
    return public(versions[-1]) if versions else None


def phases(history: list[JsonDict], as_of: date) -> list[JsonDict]:
    """Return the phase changes that count by `as_of`, repeats of one phase collapsed."""
    changes: list[JsonDict] = []
    for entry in counted(history, as_of):
        if not changes or changes[-1]["phase"] != entry["phase"]:
            changes.append(public(entry))
    return changes


def outcome(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render an outcome with its status and the parties' marks as of the date."""
    statuses = counted(record["status_history"], as_of)
    if not statuses:
        return None
    rendered = public(record, "status_history", "party_marks")
    rendered["status"] = statuses[-1]["status"]
    for field in ("confirmed_by", "denied_by", "signed_by", "approved_by"):
        marks = counted(record["party_marks"], as_of)
        rendered[field] = sorted({m["party_id"] for m in marks if m["field"] == field})
    return rendered


def with_countdown(record: Mapping[str, Any], history_key: str, as_of: date) -> JsonDict | None:
    """Render a truce or deadline: its current deadline, earlier ones, and days remaining."""
    entries = [public(entry) for entry in counted(record.get("deadline_entries", []), as_of)]
    if not counts_on(str(record.get("_from", "")), as_of) and not entries:
        return None
    rendered = public(record, "deadline_entries")
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
    """Render a truce with its countdown; it is in effect once effective and until expired."""
    rendered = with_countdown(record, "deadline_history", as_of)
    if rendered is None:
        return None
    started = span_start(record.get("effective") or {})
    rendered["in_effect"] = (started is None or started <= as_of) and not rendered.get("expired")
    return rendered


def issue(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render an issue with its status and each party's latest position as of the date."""
    if not counts_on(str(record.get("_from", "")), as_of):
        return None
    rendered = public(record, "status_history", "position_entries")
    statuses = counted(record["status_history"], as_of)
    rendered["status"] = statuses[-1]["status"] if statuses else "ISSUE_STATUS_OPEN"
    latest = {
        entry["party_id"]: public(entry) for entry in counted(record["position_entries"], as_of)
    }
    rendered["positions"] = [latest[party] for party in sorted(latest)]
    return rendered


def with_status(record: Mapping[str, Any], as_of: date, *hidden: str) -> JsonDict | None:
    """Render a record whose status comes from its dated status history (last counted)."""
    statuses = counted(record["status_history"], as_of)
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
            e["finding"] for e in counted(record["status_history"], as_of) if e.get("finding")
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


def measure(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a measure as of the date: status, dates, entities, and whether it is in force."""
    entries = counted(record["status_history"], as_of)
    if not entries:
        return None
    rendered = public(record, "status_history", "licence_decisions", "entity_list_actions")
    rendered["status"] = entries[-1]["status"]
    for name in ("rate_percent", "rate_phrase", "announced", "effective", "expires"):
        rendered[name] = _carried(entries, name)
    rendered["legal_basis"] = _carried(entries, "legal_basis") or record.get("legal_basis", "")
    rendered["status_history"] = [
        {key: entry[key] for key in ("status", "occurred", "provenance") if key in entry}
        for entry in entries
    ]
    rendered["licence_decisions"] = [public(d) for d in counted(record["licence_decisions"], as_of)]
    actions = [public(a) for a in counted(record["entity_list_actions"], as_of)]
    rendered["entity_list_actions"] = actions
    listed: list[str] = []
    for action in actions:
        removing = action.get("action") == "ENTITY_LIST_ACTION_REMOVED"
        listed = [e for e in listed if e not in action["entities"]] if removing else listed
        listed += [] if removing else [e for e in action["entities"] if e not in listed]
    rendered["listed_entities"] = listed
    started = span_start(rendered["effective"] or {})
    rendered["in_force"] = (
        rendered["status"] in IN_FORCE_STATUSES
        and (started is None or started <= as_of)
        and not (rendered["expires"] and _has_passed(rendered["expires"], as_of))
    )
    return rendered


def court_case(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a case with its rulings so far and the latest one."""
    rulings = counted(record["rulings"], as_of)
    if not rulings:
        return None
    rendered = public(record, "rulings")
    rendered["rulings"] = [public(ruling) for ruling in rulings]
    rendered["latest_ruling"] = rendered["rulings"][-1]
    rendered["ruling_count"] = len(rulings)
    return rendered


def person(record: Mapping[str, Any], as_of: date) -> JsonDict | None:
    """Render a person with the roles reported by the date."""
    roles = [public(role) for role in counted(record["roles"], as_of)]
    return {**public(record, "roles"), "roles": roles} if roles else None
