"""A headline per event type: the few words a timeline shows for a development.

A report may carry its own `summary`, which always wins. Otherwise each event type says
what happened from its own fields, so no line of a timeline is left blank. Every event type
the fold understands has an entry here (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Payload = Mapping[str, Any]
Headline = Callable[[Payload], str]


def _text(payload: Payload, name: str) -> str:
    value = payload.get(name)
    return value if isinstance(value, str) else ""


def _field(name: str) -> Headline:
    """Return a headline that is the payload's own `name` field."""
    return lambda payload: _text(payload, name)


def _words(value: Any, prefix: str) -> str:
    """Return an enum value as lowercase words without its prefix: `…_STATUS_MET` → `met`."""
    text = value if isinstance(value, str) else ""
    return text.removeprefix(prefix).replace("_", " ").lower()


def _ids(payload: Payload, name: str) -> str:
    value = payload.get(name)
    items = value if isinstance(value, list) else [value]
    return ", ".join(str(item) for item in items if isinstance(item, str) and item)


def _time(reported: Any) -> str:
    """Return a reported time's start as written (an instant or a date), or ''."""
    if not isinstance(reported, Mapping):
        return ""
    return _text(reported, "start_time") or _text(reported, "start_date")


def _first_quote(payload: Payload) -> str:
    report = payload.get("report")
    for source in report.get("sources", []) if isinstance(report, Mapping) else []:
        for quote in source.get("quotes", []) if isinstance(source, Mapping) else []:
            if isinstance(quote, Mapping) and _text(quote, "text"):
                return f"“{_text(quote, 'text')}”"
    return ""


def _approvers(value: Any) -> str:
    """Return approving bodies as "body (party)", joined."""
    items = value if isinstance(value, list) else []
    bodies = [
        f"{_text(item, 'approving_body')} ({_text(item, 'party_id')})"
        for item in items
        if isinstance(item, Mapping)
    ]
    return ", ".join(bodies)


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _entity_count(payload: Payload) -> str:
    """Return "23 entities added to entity-list" when an entity-list action gives a number."""
    count = _text(payload, "count_value")
    if not count:
        return ""
    removed = payload.get("action") == "ENTITY_LIST_ACTION_REMOVED"
    moved = "removed from" if removed else "added to"
    return _joined(
        count, "entity" if count == "1" else "entities", moved, _text(payload, "measure_id")
    )


HEADLINES: dict[str, Headline] = {
    "NegotiationOpened": _field("title"),
    "TalksScheduled": _field("title"),
    "TalksHeld": _field("title"),
    "OutcomeReached": _field("name"),
    "AgreementSigned": lambda p: _joined(
        _text(p, "outcome_id"), "signed by", _ids(p, "signatory_ids")
    ),
    "AgreementApproved": lambda p: _joined(
        _text(p, "outcome_id"),
        "approved by",
        _text(p, "party_id"),
        f"({_text(p, 'approving_body')})" if _text(p, "approving_body") else "",
    ),
    "NextRoundStatusChanged": lambda p: _joined(
        "next round:", _words(p.get("status"), "NEXT_ROUND_STATUS_"), _time(p.get("planned"))
    ),
    "TruceAgreed": _field("name"),
    "DeadlineSet": _field("subject"),
    "DeadlineExtended": lambda p: _joined(
        _text(p, "deadline_id") or _text(p, "truce_id"), "extended to", _time(p.get("deadline"))
    ),
    "TariffMeasureChanged": _field("description"),
    "ExportControlChanged": _field("description"),
    "LicenceDecisionReported": lambda p: _joined(
        "licences",
        _words(p.get("decision"), "LICENCE_DECISION_"),
        f"for {_text(p, 'company')}" if _text(p, "company") else "",
        "under",
        _text(p, "measure_id"),
    ),
    "EntityListChanged": lambda p: _text(p, "description") or _entity_count(p),
    "CourtRulingIssued": _field("holding"),
    "CourtCaseDocketed": lambda p: _joined(
        _text(p, "case_name"), "docketed at", _text(p, "court"), _text(p, "docket_number")
    ),
    "CourtStepTaken": lambda p: (
        _text(p, "description")
        or _joined(
            _text(p, "case_id") + ":",
            _words(p.get("kind"), "COURT_STEP_KIND_"),
            _time(p.get("scheduled")),
        )
    ),
    "InvestigationChanged": _field("subject"),
    "EconomicIndicatorReleased": _field("name"),
    "MarketMoved": _field("attribution"),
    "PurchaseReported": lambda p: _joined(
        _text(p, "party_id"), "purchases of", _text(p, "goods") or "goods"
    ),
    "PersonRoleAssigned": _field("name"),
    "StatementMade": lambda p: _joined(_text(p, "speaker_id") + ":", _first_quote(p)),
    "IssuePositionStated": _field("title"),
    "CommitmentMade": _field("description"),
    "CommitmentStatusChanged": lambda p: _joined(
        _text(p, "commitment_id") + ":", _words(p.get("status"), "COMMITMENT_STATUS_")
    ),
    "SourceAttached": lambda p: "another source",
    "FactCorrected": lambda p: _joined(_text(p, "field"), "corrected"),
    "DatePrecisionRefined": lambda p: _joined(_text(p, "time_field") or "date", "refined"),
    "DuplicatesMerged": lambda p: "reports of one development merged",
    "ReportRetracted": lambda p: _joined("retracted:", _text(p, "reason")),
    "AccountDisputed": _field("account"),
    "AccountConfirmed": lambda p: _joined("confirmed by", _text(p, "party_id")),
    "NegotiationRetitled": lambda p: _joined("retitled", f"“{_text(p, 'title')}”"),
    "ApprovalRequired": lambda p: _joined(
        _text(p, "outcome_id"), "awaits approval by", _approvers(p.get("approvers"))
    ),
    "TalksReadoutIssued": lambda p: _joined(
        _text(p, "party_id"), "readout of", _text(p, "talks_id") + ":", _text(p, "account")
    ),
    "TalksPostponed": lambda p: _joined(
        _text(p, "talks_id"),
        "postponed",
        "to" if _time(p.get("new_planned")) else "",
        _time(p.get("new_planned")),
    ),
    "TruceSuspensionsAdded": lambda p: _joined(
        _text(p, "truce_id"), "also suspends", _ids(p, "measure_ids")
    ),
}
"""For each event type, the headline of a development of that type."""


def headline(event_type: str, payload: Payload) -> str:
    """Return the report's summary, else the event type's headline of the payload."""
    report = payload.get("report")
    summary = _text(report, "summary") if isinstance(report, Mapping) else ""
    if summary:
        return summary
    make = HEADLINES.get(event_type)
    return make(payload).strip() if make is not None else ""
