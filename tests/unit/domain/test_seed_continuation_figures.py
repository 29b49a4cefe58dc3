"""The US-China story continued past the seed article: its figures as of several dates."""

from __future__ import annotations

import dataclasses
import functools
import json
from datetime import date
from typing import Any

from newsledger.domain.negotiation import fold
from newsledger.domain.state import NegotiationState
from newsledger.domain.view import render_view
from newsledger.stories.plan import RecordedStream, plan_story
from newsledger.stories.story_file import load_story
from tests.support.negotiation_strategies import valid_time_fields
from tests.support.paths import ROOT, SEED_STORY
from tests.support.story_views import recorded_story

AUTUMN = ROOT / "data" / "stories" / "continuations" / "us-china-trade-2025-autumn.yaml"
SEED = recorded_story(SEED_STORY)
CONTINUED = SEED + [
    dataclasses.replace(event, stream_version=len(SEED) + n, position=len(SEED) + n)
    for n, event in enumerate(recorded_story(AUTUMN))
]


@functools.cache
def state_of(continued: bool) -> NegotiationState:
    state = fold(CONTINUED if continued else SEED)
    assert isinstance(state, NegotiationState)
    assert state.problems == []
    return state


def view_on(day: date, continued: bool = True) -> dict[str, Any]:
    return render_view(state_of(continued), day)


def measure(day: date, measure_id: str) -> dict[str, Any]:
    return next(m for m in view_on(day)["measures"] if m["measure_id"] == measure_id)


def test_the_continuation_plans_against_the_recorded_seed_story() -> None:
    recorded = RecordedStream(SEED[0].stream)
    for event in SEED:
        recorded.add(
            str(event.event_id),
            event.stream_version,
            event.event_type,
            event.schema_version,
            json.dumps(event.payload),
            json.dumps(event.metadata),
        )
    plan = plan_story(load_story(AUTUMN), recorded)
    assert len(plan.new) == len(load_story(AUTUMN).events)


def test_the_seed_views_before_the_continuation_are_unchanged() -> None:
    for day in (date(2025, 6, 11), date(2025, 8, 7)):
        assert valid_time_fields(view_on(day)) == valid_time_fields(view_on(day, continued=False))


def test_chip_licences_carry_the_company_and_the_revenue_share_from_august() -> None:
    assert (
        measure(date(2025, 8, 7), "us-chip-ai-export-restrictions").get("licence_decisions") is None
    )
    decisions = measure(date(2025, 8, 12), "us-chip-ai-export-restrictions")["licence_decisions"]
    assert [(d["company"], d["terms"][0]["figure"]["exact_value"]) for d in decisions] == [
        ("Nvidia", "15"),
        ("AMD", "15"),
    ]
    assert {d["terms"][0]["beneficiary_party_id"] for d in decisions} == {"us"}


def test_port_fees_per_net_ton_in_two_currencies_then_suspended() -> None:
    cn_fees = measure(date(2025, 10, 20), "cn-special-port-fees")
    assert cn_fees["in_force"] is True
    assert (cn_fees["rate"]["exact_value"], cn_fees["rate"]["currency"]) == ("400", "CNY")
    assert cn_fees["rate"]["equivalents"] == [
        {"exact_value": "56.3", "currency": "USD", "approximate": True}
    ]
    us_fees = measure(date(2025, 10, 20), "us-section-301-port-fees")
    assert (us_fees["rate"]["exact_value"], us_fees["rate"]["per"]) == ("50", "net ton per voyage")
    for measure_id in ("cn-special-port-fees", "us-section-301-port-fees"):
        assert measure(date(2025, 11, 20), measure_id)["status"] == "MEASURE_STATUS_SUSPENDED"
    assert measure(date(2025, 11, 20), "us-section-301-port-fees")["resumes"]["start_date"] == (
        "2026-11-10"
    )


def test_the_affiliates_rule_is_pending_suspension_then_suspended_until_it_resumes() -> None:
    before = measure(date(2025, 11, 5), "us-affiliates-rule")
    assert (before["status"], before["in_force"]) == ("MEASURE_STATUS_IN_FORCE", True)
    assert before["extends_measure_id"] == "us-entity-list"
    [pending] = before["pending_changes"]
    assert pending["resumes"]["start_date"] == "2026-11-10"
    during = measure(date(2025, 11, 20), "us-affiliates-rule")
    assert during["status"] == "MEASURE_STATUS_SUSPENDED"
    assert during["resumes"]["start_date"] == "2026-11-10"
    assert measure(date(2026, 11, 10), "us-affiliates-rule")["in_force"] is True


def test_the_entity_list_counts_the_unnamed_additions() -> None:
    entity_list = measure(date(2025, 9, 20), "us-entity-list")
    assert entity_list["listed_count_value"] == "23"
    assert entity_list["listed_entities"] == ["Shanghai Fudan Microelectronics Group Co., Ltd."]


def test_the_soybean_commitment_is_partly_fulfilled_by_the_purchases_reported() -> None:
    def soybeans(day: date) -> dict[str, Any]:
        commitments = view_on(day)["commitments"]
        return next(c for c in commitments if c["commitment_id"] == "cn-soybean-purchases")

    before = soybeans(date(2025, 11, 5))
    assert before["status"] == "COMMITMENT_STATUS_MADE"
    assert [p["quantity"]["low_value"] for p in before["schedule"]] == [
        "12000000",
        "25000000",
        "25000000",
        "25000000",
    ]
    after = soybeans(date(2025, 11, 20))
    assert after["status"] == "COMMITMENT_STATUS_PARTIALLY_FULFILLED"
    assert after["fulfilment"]["fulfilled"] == {"unit": "tonnes", "exact_value": "332000"}
    assert after["schedule"][0]["fulfilled_percent"] == "2.8"
