"""Hypothesis strategies for negotiations holding developments of every record-setting type.

Ids come from pools of two, so later developments refer to what earlier ones set (talks,
outcomes, truces, deadlines, measures, issues, commitments, people…), and a development often
depends on another one alone. Corroborations, disputes and confirmations name earlier
developments. Every payload is valid for the contract; one whose reference is unknown at its
place is a problem of the fold, which the properties leave out.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from newsledger.domain.appliers import APPLIERS, NEGOTIATION_OPENED
from tests.support.negotiation_strategies import PARTIES, STANCES, Development, days, reports

TYPES = sorted(set(APPLIERS) - {NEGOTIATION_OPENED})
"""Every event type that sets records, but the opening."""

PEOPLE = ("alice", "bo")
TALKS = ("round-1", "round-2")
OUTCOMES = ("deal", "framework")
TRUCES = ("truce-a", "truce-b")
DEADLINES = ("deadline-a", "deadline-b")
TARIFFS = ("levy", "duty")
CONTROLS = ("chips", "minerals")
ISSUES = ("fentanyl", "soybeans")
COMMITMENTS = ("buy-soy", "stop-flows")
CASES = ("case", "appeal")
RECORDS = (*TALKS, *OUTCOMES, *TRUCES, *TARIFFS, *CONTROLS, *ISSUES)


def _day(draw: st.DrawFn) -> dict[str, str]:
    """A reported time of one day of the generated year."""
    return {"precision": "DATE_PRECISION_DAY", "start_date": draw(days()).isoformat()}


def _pick(draw: st.DrawFn, pool: tuple[str, ...]) -> str:
    return draw(st.sampled_from(pool))


def _some(draw: st.DrawFn, pool: tuple[str, ...]) -> list[str]:
    return draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))


@st.composite
def payloads(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid payload of one record-setting type, with its references from the pools."""
    party = _pick(draw, PARTIES)
    if kind == "TalksScheduled":
        return {"talks_id": _pick(draw, TALKS), "title": "Round", "planned": _day(draw),
                "format": "TALKS_FORMAT_IN_PERSON_ROUND"}  # fmt: skip
    if kind == "TalksHeld":
        return {"talks_id": _pick(draw, TALKS), "title": "Round",
                "format": "TALKS_FORMAT_IN_PERSON_ROUND"}  # fmt: skip
    if kind == "OutcomeReached":
        status = _pick(draw, ("OUTCOME_STATUS_AGREED_IN_PRINCIPLE", "OUTCOME_STATUS_SIGNED"))
        found = {"outcome_id": _pick(draw, OUTCOMES), "name": "Deal", "status": status,
                 "builds_on_ids": _some(draw, TRUCES)}  # fmt: skip
        if draw(st.booleans()):
            found["talks_id"] = _pick(draw, TALKS)
        return found
    if kind == "AgreementSigned":
        return {"outcome_id": _pick(draw, OUTCOMES), "signatory_ids": list(PARTIES)}
    if kind == "AgreementApproved":
        return {"outcome_id": _pick(draw, OUTCOMES), "party_id": party}
    if kind == "NextRoundStatusChanged":
        return {
            "status": _pick(draw, ("NEXT_ROUND_STATUS_PROPOSED", "NEXT_ROUND_STATUS_SCHEDULED"))
        }
    if kind == "TruceAgreed":
        return {"truce_id": _pick(draw, TRUCES), "name": "Truce",
                "suspended_measure_ids": _some(draw, TARIFFS)}  # fmt: skip
    if kind == "DeadlineSet":
        found = {"deadline_id": _pick(draw, DEADLINES), "subject": "Due", "deadline": _day(draw)}
        if draw(st.booleans()):
            found["truce_id"] = _pick(draw, TRUCES)
        return found
    if kind == "DeadlineExtended":
        target = ("deadline_id", _pick(draw, DEADLINES))
        if draw(st.booleans()):
            target = ("truce_id", _pick(draw, TRUCES))
        return {target[0]: target[1], "deadline": _day(draw)}
    if kind == "TariffMeasureChanged":
        status = _pick(draw, ("MEASURE_STATUS_IN_FORCE", "MEASURE_STATUS_ANNOUNCED",
                              "MEASURE_STATUS_MODIFIED", "MEASURE_STATUS_ENDED"))  # fmt: skip
        return {"measure_id": _pick(draw, TARIFFS), "description": "Levy", "status": status,
                "imposed_by": [party], "rate_percent": str(draw(st.integers(1, 99)))}  # fmt: skip
    if kind == "ExportControlChanged":
        return {"measure_id": _pick(draw, CONTROLS), "description": "Control",
                "status": "MEASURE_STATUS_IN_FORCE", "imposed_by": [party],
                "kind": "EXPORT_CONTROL_KIND_LICENSING_REQUIREMENT"}  # fmt: skip
    if kind == "LicenceDecisionReported":
        return {"measure_id": _pick(draw, CONTROLS), "decision": "LICENCE_DECISION_APPROVED"}
    if kind == "EntityListChanged":
        return {"measure_id": _pick(draw, CONTROLS), "action": "ENTITY_LIST_ACTION_ADDED",
                "entities": [_pick(draw, ("Acme", "Globex"))]}  # fmt: skip
    if kind == "CourtRulingIssued":
        return {"case_id": "case", "court": "Court", "kind": "COURT_RULING_KIND_STAY",
                "holding": "Stayed", "measure_ids": _some(draw, TARIFFS)}  # fmt: skip
    if kind == "CourtCaseDocketed":
        return {"case_id": _pick(draw, CASES), "case_name": "A v. B", "court": "Court",
                "parties": [{"name": "A Corp", "role": "CASE_ROLE_PLAINTIFF"}],
                "measure_ids": _some(draw, TARIFFS)}  # fmt: skip
    if kind == "CourtStepTaken":
        if draw(st.booleans()):
            return {"case_id": "appeal", "kind": "COURT_STEP_KIND_CONSOLIDATED",
                    "consolidated_case_ids": ["case"]}  # fmt: skip
        return {"case_id": _pick(draw, CASES), "kind": "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
                "scheduled": _day(draw)}  # fmt: skip
    if kind == "ApprovalRequired":
        return {"outcome_id": _pick(draw, OUTCOMES),
                "approvers": [{"party_id": party, "approving_body": "Parliament"}]}  # fmt: skip
    if kind == "TalksReadoutIssued":
        return {"talks_id": _pick(draw, TALKS), "party_id": party, "account": "Candid talks"}
    if kind == "TalksPostponed":
        return {"talks_id": _pick(draw, TALKS), "new_planned": _day(draw)}
    if kind == "NegotiationRetitled":
        return {"title": _pick(draw, ("Trade talks", "Tariff talks"))}
    if kind == "TruceSuspensionsAdded":
        return {"truce_id": _pick(draw, TRUCES), "measure_ids": [_pick(draw, TARIFFS)]}
    if kind == "InvestigationChanged":
        return {"investigation_id": "probe", "subject": "Dumping", "party_id": party,
                "status": "INVESTIGATION_STATUS_OPENED"}  # fmt: skip
    if kind == "EconomicIndicatorReleased":
        return {"indicator_id": _pick(draw, ("gdp", "trade")), "publisher": "Bank",
                "name": "Growth", "reported_value": "2.5"}  # fmt: skip
    if kind == "MarketMoved":
        return {"reaction_id": "markets", "attributed_to_ids": _some(draw, RECORDS),
                "moves": [{"market": "Tokyo", "direction": "DIRECTION_UP"}]}  # fmt: skip
    if kind == "PurchaseReported":
        found = {"purchase_id": _pick(draw, ("p1", "p2")), "party_id": "cn", "goods": "soy"}
        if draw(st.booleans()):
            found["commitment_id"] = _pick(draw, COMMITMENTS)
        return found
    if kind == "PersonRoleAssigned":
        return {"person_id": _pick(draw, PEOPLE), "name": "Minister", "party_id": party}
    if kind == "StatementMade":
        return {"statement_id": _pick(draw, ("s1", "s2")), "speaker_id": _pick(draw, PEOPLE),
                "kind": "STATEMENT_KIND_REMARK", "about_ids": _some(draw, RECORDS)}  # fmt: skip
    if kind == "IssuePositionStated":
        return {"issue_id": _pick(draw, ISSUES), "title": "Issue", "party_id": party,
                "position": "Firm"}  # fmt: skip
    if kind == "CommitmentMade":
        commitment = _pick(draw, COMMITMENTS)
        conditions = [
            {"description": "First", "commitment_id": other}
            for other in _some(draw, COMMITMENTS)
            if other != commitment
        ]
        return {"commitment_id": commitment, "party_id": party, "description": "Buy",
                "status": "COMMITMENT_STATUS_MADE", "issue_ids": _some(draw, ISSUES),
                "conditions": conditions}  # fmt: skip
    if kind == "CommitmentStatusChanged":
        return {"commitment_id": _pick(draw, COMMITMENTS), "status": "COMMITMENT_STATUS_FULFILLED"}
    raise AssertionError(f"no payload for {kind}")


@st.composite
def developments_of_every_type(draw: st.DrawFn, size: int = 14) -> list[Development]:
    """A negotiation's developments after its opening: types of every kind, and stances."""
    found: list[Development] = []
    for number in range(draw(st.integers(1, size))):
        report = draw(reports(tag=f"n{number}-"))
        earlier = [d.development_id for d in found]
        if earlier and draw(st.integers(0, 5)) == 0:
            kind = draw(st.sampled_from(["SourceAttached", *STANCES]))
            payload: dict[str, Any] = {"corrects": [draw(st.sampled_from(earlier))]}
            if kind in STANCES:
                payload["party_id"] = _pick(draw, PARTIES)
            if kind == "AccountDisputed":
                payload["account"] = "Not so."
        else:
            kind = draw(st.sampled_from(TYPES))
            payload = draw(payloads(kind))
        found.append(Development(kind, {**payload, "report": report}, f"dev-{number}"))
    return found
