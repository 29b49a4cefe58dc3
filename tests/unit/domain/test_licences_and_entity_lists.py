"""Licence decisions with the company and terms; entity lists by count; a listing rule suspended."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.basics import Names
from newsledger.cli.text.records import measures_block
from newsledger.domain.headlines import headline
from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from tests.support.builders import Stream, report

NAMES = Names({"parties": []})
REVENUE_SHARE = {
    "description": "share of revenue from the chips' sales in China paid to the U.S. government",
    "figure": {"exact_value": "15", "unit": "percent"},
    "beneficiary_party_id": "us",
}


def on(day: str, **extra: Any) -> dict[str, Any]:
    return report(
        occurred={"precision": "DATE_PRECISION_DAY", "start_date": day},
        sources=[{"source_id": f"w-{day}", "outlet": "W", "kind": "SOURCE_KIND_WIRE"}],
        **extra,
    )


def control(measure_id: str, kind: str, status: str, day: str, **fields: Any) -> dict[str, Any]:
    extra = {name: fields.pop(name) for name in ("effective",) if name in fields}
    return {
        "measure_id": measure_id,
        "description": measure_id.replace("-", " ").title(),
        "status": status,
        "kind": kind,
        "imposed_by": ["us"],
        "targets": ["cn"],
        **fields,
        "report": on(day, **extra),
    }


def folded(stream: Stream) -> NegotiationState:
    state = fold(stream.events)
    assert isinstance(state, NegotiationState)
    return state


def measures_on(stream: Stream, day: date) -> dict[str, dict[str, Any]]:
    return {m["measure_id"]: m for m in render_view(folded(stream), day)["measures"]}


def chips_licensing() -> Stream:
    stream = Stream().opened()
    stream.add(
        "ExportControlChanged",
        control(
            "h20",
            "EXPORT_CONTROL_KIND_LICENSING_REQUIREMENT",
            "MEASURE_STATUS_IN_FORCE",
            "2025-04-15",
        ),
    )
    return stream


def test_a_licence_decision_keeps_the_company_and_its_terms() -> None:
    stream = chips_licensing()
    decision = {
        "measure_id": "h20",
        "decision": "LICENCE_DECISION_APPROVED",
        "company": "Nvidia",
        "items": ["H20 chips"],
        "terms": [REVENUE_SHARE],
        "report": on("2025-08-11"),
    }
    stream.add("LicenceDecisionReported", decision, "licences")

    [shown] = measures_on(stream, date(2025, 8, 12))["h20"]["licence_decisions"]
    assert shown["company"] == "Nvidia"
    assert shown["terms"] == [REVENUE_SHARE]
    assert measures_on(stream, date(2025, 8, 10))["h20"].get("licence_decisions") is None
    text = "\n".join(measures_block(list(measures_on(stream, date(2025, 8, 12)).values()), NAMES))
    assert "licences approved for Nvidia: share of revenue" in text
    assert "U.S. government 15%" in text
    assert headline("LicenceDecisionReported", decision) == (
        "licences approved for Nvidia under h20"
    )


def test_a_term_benefiting_an_unknown_party_is_refused() -> None:
    stream = chips_licensing()
    term = {**REVENUE_SHARE, "beneficiary_party_id": "eu"}
    stream.add(
        "LicenceDecisionReported",
        {
            "measure_id": "h20",
            "decision": "LICENCE_DECISION_APPROVED",
            "terms": [term],
            "report": on("2025-08-11"),
        },
    )

    [problem] = folded(stream).problems
    assert "terms.beneficiary_party_id refers to unknown parties: eu" in problem["description"]


def listing(action: str, day: str, **fields: Any) -> dict[str, Any]:
    return {
        "measure_id": "entity-list",
        "action": action,
        "description": "U.S. Entity List",
        "imposed_by": ["us"],
        **fields,
        "report": on(day),
    }


def test_entities_added_by_count_are_counted_on_the_list_with_the_named_ones() -> None:
    stream = Stream().opened()
    added = listing("ENTITY_LIST_ACTION_ADDED", "2025-09-12", count_value="23")
    stream.add("EntityListChanged", added)
    stream.add(
        "EntityListChanged",
        listing("ENTITY_LIST_ACTION_ADDED", "2025-10-01", entities=["Acme"], count_value="3"),
    )
    stream.add(
        "EntityListChanged",
        listing("ENTITY_LIST_ACTION_REMOVED", "2025-11-01", entities=["Acme"]),
    )

    september = measures_on(stream, date(2025, 9, 20))["entity-list"]
    assert september["listed_count_value"] == "23"
    assert september.get("listed_entities", []) == []
    assert september["entity_list_actions"][0]["count_value"] == "23"
    october = measures_on(stream, date(2025, 10, 2))["entity-list"]
    assert (october["listed_count_value"], october["listed_entities"]) == ("26", ["Acme"])
    assert measures_on(stream, date(2025, 11, 2))["entity-list"]["listed_count_value"] == "25"
    text = "\n".join(measures_block([october], NAMES))
    assert "26 entities listed (1 named)" in text
    assert headline("EntityListChanged", {**added, "description": ""}) == (
        "23 entities added to entity-list"
    )


def test_an_action_naming_no_entity_and_no_count_or_more_names_than_its_count_is_refused() -> None:
    stream = Stream().opened()
    stream.add("EntityListChanged", listing("ENTITY_LIST_ACTION_ADDED", "2025-09-12"))
    stream.add(
        "EntityListChanged",
        listing("ENTITY_LIST_ACTION_ADDED", "2025-09-12", entities=["A", "B"], count_value="1"),
    )
    stream.add(
        "EntityListChanged",
        listing("ENTITY_LIST_ACTION_ADDED", "2025-09-12", count_value="2.5"),
    )
    state = folded(stream)

    first, second, third = (problem["description"] for problem in state.problems)
    assert "names its entities or gives count_value" in first
    assert "count_value 1 is fewer than the 2 entities named" in second
    assert "count_value 2.5 is not a whole number" in third
    assert state.measures == {}


NOV_10 = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-11-10"}
NOV_9_2026 = {"precision": "DATE_PRECISION_DAY", "start_date": "2026-11-09"}


def affiliates_rule_suspended_ahead() -> Stream:
    stream = Stream().opened()
    stream.add(
        "EntityListChanged", listing("ENTITY_LIST_ACTION_ADDED", "2025-01-15", count_value="600")
    )
    rule = "EXPORT_CONTROL_KIND_LISTING_RULE"
    stream.add(
        "ExportControlChanged",
        control(
            "affiliates-rule",
            rule,
            "MEASURE_STATUS_IN_FORCE",
            "2025-09-29",
            extends_measure_id="entity-list",
        ),
    )
    stream.add(
        "ExportControlChanged",
        control(
            "affiliates-rule",
            rule,
            "MEASURE_STATUS_SUSPENDED",
            "2025-11-01",
            suspended_until=NOV_9_2026,
            effective=NOV_10,
        ),
    )
    return stream


def test_a_listing_rule_suspended_ahead_stays_in_force_until_then_and_says_when_it_resumes() -> (
    None
):
    stream = affiliates_rule_suspended_ahead()

    before = measures_on(stream, date(2025, 11, 5))["affiliates-rule"]
    assert before["status"] == "MEASURE_STATUS_IN_FORCE"
    assert before["in_force"] is True
    assert before["extends_measure_id"] == "entity-list"
    [pending] = before["pending_changes"]
    assert pending["resumes"] == {"precision": "DATE_PRECISION_DAY", "start_date": "2026-11-10"}
    assert "resumes" not in before

    during = measures_on(stream, date(2025, 11, 10))["affiliates-rule"]
    assert during["status"] == "MEASURE_STATUS_SUSPENDED"
    assert during["resumes"] == {"precision": "DATE_PRECISION_DAY", "start_date": "2026-11-10"}
    text = "\n".join(measures_block([during], NAMES))
    assert "export control, listing rule of entity-list" in text
    assert "until 2026-11-09; back 2026-11-10" in text

    back = measures_on(stream, date(2026, 11, 10))["affiliates-rule"]
    assert back["in_force"] is True
    assert "resumes" not in back


def test_a_listing_rule_must_extend_a_known_export_control() -> None:
    stream = Stream().opened()
    stream.add(
        "ExportControlChanged",
        control(
            "affiliates-rule",
            "EXPORT_CONTROL_KIND_LISTING_RULE",
            "MEASURE_STATUS_IN_FORCE",
            "2025-09-29",
            extends_measure_id="entity-list",
        ),
    )
    stream.add(
        "ExportControlChanged",
        control(
            "other",
            "EXPORT_CONTROL_KIND_RESTRICTION",
            "MEASURE_STATUS_IN_FORCE",
            "2025-09-29",
            extends_measure_id="affiliates-rule",
        ),
    )
    first, second = (p["description"] for p in folded(stream).problems)
    assert "extends_measure_id refers to unknown measures: entity-list" in first
    assert "extends_measure_id goes with EXPORT_CONTROL_KIND_LISTING_RULE" in second
