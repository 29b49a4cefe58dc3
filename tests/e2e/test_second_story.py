"""The second real story, the US-EU tariff negotiation of 2025-26, read as of dates along it.

Each expected value comes from the reporting the story cites (the comments name what it says),
on each backend: before the pause, during it, under the threats, after Turnberry, after the
joint statement, after the implementation notice, and on the latest date of the story.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsledger.application.app import Application
from newsledger.domain.timeline import TimelineFilter
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.stories.story_file import load_story
from tests.support.paths import ROOT

STORY = ROOT / "data" / "stories" / "us-eu-trade-2025.yaml"
NEGOTIATION = "us-eu-trade-2025"


@pytest.fixture
def loaded(app: Application) -> Application:
    ingest_story_in_process(app.ledger, STORY)
    return app


def view_as_of(app: Application, as_of: date) -> dict[str, Any]:
    return app.queries.view(NEGOTIATION, as_of)


def measures(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {measure["measure_id"]: measure for measure in view["measures"]}


def in_force(view: dict[str, Any], party: str) -> list[str]:
    groups = {group["party_id"]: group for group in view.get("measures_in_force", [])}
    return sorted(groups.get(party, {}).get("tariff_measure_ids", []))


def rate_and_status(view: dict[str, Any], measure_id: str) -> tuple[str, str, bool]:
    measure = measures(view)[measure_id]
    return measure.get("rate_percent", ""), measure["status"], measure.get("in_force", False)


def phases(view: dict[str, Any]) -> list[str]:
    return [change["phase"].removeprefix("NEGOTIATION_PHASE_") for change in view["phase_history"]]


def deadlines(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {deadline["deadline_id"]: deadline for deadline in view.get("deadlines", [])}


def test_the_story_loads_whole_once_and_its_views_have_no_problems(app: Application) -> None:
    story = load_story(STORY)
    developments = len(story.events) - 1  # the first event opens the negotiation

    first = ingest_story_in_process(app.ledger, STORY)
    again = ingest_story_in_process(app.ledger, STORY)
    latest = view_as_of(app, date(2026, 2, 23))

    assert developments >= 60
    assert (first.new, again.new) == (len(story.events), 0)
    assert "problems" not in latest and "stale" not in latest
    assert [party["party_id"] for party in latest["parties"]] == ["us", "eu"]


def test_its_timeline_lists_every_development_and_filters_by_party(loaded: Application) -> None:
    """The story's court cases name their litigants, not negotiating parties: the timeline
    lists them with the rest, and a party's timeline leaves them out."""
    developments = len(load_story(STORY).events)
    entries = loaded.queries.timeline(NEGOTIATION, TimelineFilter(), limit=1000).entries
    eu = loaded.queries.timeline(NEGOTIATION, TimelineFilter(party_id="eu"), limit=1000).entries
    dockets = {e["development_id"] for e in entries if e["event_type"] == "CourtCaseDocketed"}

    assert len(entries) == developments
    assert dockets
    assert 0 < len(eu) < developments
    assert not dockets & {entry["development_id"] for entry in eu}


def test_after_liberation_day_the_20_percent_is_announced_but_only_the_baseline_applies(
    loaded: Application,
) -> None:
    # 2 April: 20% on the EU from 9 April 00:01 EDT; the 10% baseline from 5 April; cars at 25%
    # since 3 April; steel and aluminium at 25% since March.
    view = view_as_of(loaded, date(2025, 4, 5))

    assert view["phase"] == "NEGOTIATION_PHASE_OPENED"
    assert in_force(view, "us") == ["us-autos-232", "us-baseline-10", "us-steel-aluminium-232"]
    assert rate_and_status(view, "us-reciprocal-eu") == ("20", "MEASURE_STATUS_ANNOUNCED", False)
    assert measures(view)["us-reciprocal-eu"]["effective"]["start_time"] == "2025-04-09T04:01:00Z"
    assert rate_and_status(view, "us-baseline-10") == ("10", "MEASURE_STATUS_IN_FORCE", True)
    assert rate_and_status(view, "us-autos-232")[0] == "25"
    assert "truce_id" not in view.get("truce", {})
    assert in_force(view, "eu") == []


def test_during_the_pause_the_country_rate_and_the_eu_countermeasures_are_on_hold(
    loaded: Application,
) -> None:
    # 9-10 April: the 20% halved to the baseline for 90 days, to 9 July; the EU's €21 billion
    # of countermeasures adopted and suspended on 14 April until 14 July; Šefčovič in
    # Washington on 14 April.
    view = view_as_of(loaded, date(2025, 4, 20))

    assert phases(view) == ["OPENED", "TRUCE", "TALKS"]
    truce = view["truce"]
    assert truce["truce_id"] == "april-pause"
    assert truce["in_effect"] is True
    assert truce["deadline"]["start_date"] == "2025-07-09"  # refined from "90 days"
    assert truce["days_remaining"] == 80
    assert rate_and_status(view, "us-reciprocal-eu")[1:] == ("MEASURE_STATUS_SUSPENDED", False)
    countermeasures = measures(view)["eu-countermeasures-steel"]
    assert countermeasures["status"] == "MEASURE_STATUS_SUSPENDED"
    assert countermeasures["expires"]["start_date"] == "2025-07-14"
    assert in_force(view, "us") == ["us-autos-232", "us-baseline-10", "us-steel-aluminium-232"]
    assert [talks["talks_id"] for talks in view["talks"]] == ["sefcovic-washington-2025-04-14"]


def test_the_50_percent_threat_is_moved_to_july_9_and_steel_is_doubled(
    loaded: Application,
) -> None:
    # 23 May: a straight 50% from 1 June; 25 May: moved to 9 July after the leaders' call;
    # 4 June: steel and aluminium from 25% to 50%.
    view = view_as_of(loaded, date(2025, 6, 10))

    assert rate_and_status(view, "us-threat-50") == ("50", "MEASURE_STATUS_THREATENED", False)
    threat = deadlines(view)["threat-50-start"]
    assert threat["deadline"]["start_date"] == "2025-07-09"
    assert [entry["deadline"]["start_date"] for entry in threat["history"]] == ["2025-06-01"]
    assert threat["days_remaining"] == 29
    assert rate_and_status(view, "us-steel-aluminium-232") == (
        "50",
        "MEASURE_STATUS_MODIFIED",
        True,
    )
    assert view["market_reactions"][0]["reaction_id"] == "markets-2025-05-23"


def test_before_the_framework_the_30_percent_letter_and_the_august_deadline_stand(
    loaded: Application,
) -> None:
    # 12 July: a 30% from 1 August replaces the 50%; the deadline of 9 July moved to 1 August.
    view = view_as_of(loaded, date(2025, 7, 20))

    assert view["phase"] == "NEGOTIATION_PHASE_TALKS"
    assert view.get("outcomes", []) == []
    assert rate_and_status(view, "us-threat-30") == ("30", "MEASURE_STATUS_THREATENED", False)
    # The 50% threat was withdrawn, not ended: it was never in force.
    assert rate_and_status(view, "us-threat-50")[1:] == ("MEASURE_STATUS_WITHDRAWN", False)
    assert measures(view)["us-threat-50"]["withdrawn"]["start_date"] == "2025-07-12"
    truce = view["truce"]
    assert truce["deadline"]["start_date"] == "2025-08-01"
    assert [e["deadline"]["start_date"] for e in truce["deadline_history"]] == ["2025-07-09"]
    assert truce["days_remaining"] == 12
    assert measures(view)["eu-countermeasures-second"]["status"] == "MEASURE_STATUS_THREATENED"


def test_after_turnberry_the_deal_is_agreed_in_principle_and_the_sides_differ_on_pharma(
    loaded: Application,
) -> None:
    # 27 July: 15% on most EU goods instead of 30%; the baseline stays until the order takes
    # effect on 7 August. Trump said pharma was not included, von der Leyen said 15%.
    view = view_as_of(loaded, date(2025, 7, 28))

    assert view["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
    outcomes = {o["outcome_id"]: o["status"] for o in view["outcomes"]}
    assert outcomes == {"turnberry-deal": "OUTCOME_STATUS_AGREED_IN_PRINCIPLE"}
    assert rate_and_status(view, "us-threat-30")[1:] == ("MEASURE_STATUS_WITHDRAWN", False)
    assert rate_and_status(view, "us-baseline-10") == ("10", "MEASURE_STATUS_IN_FORCE", True)
    pharma = {i["issue_id"]: i for i in view["issues"]}["pharmaceutical-tariffs"]
    assert [position["party_id"] for position in pharma["positions"]] == ["eu", "us"]
    assert "15%" in pharma["positions"][0]["position"]
    assert "disputes" not in view  # the Commission's denial is reported on 29 July


def test_after_the_joint_statement_the_15_percent_applies_and_the_eu_suspends_for_six_months(
    loaded: Application,
) -> None:
    # 7 August: 15% all-in replaces the 10%; 4-5 August: both EU packages suspended until
    # 7 February 2026; 21 August: the joint statement. Cars wait for the EU's legislation.
    view = view_as_of(loaded, date(2025, 8, 22))

    assert view["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
    assert {o["outcome_id"] for o in view["outcomes"]} == {"turnberry-deal", "framework-agreement"}
    assert in_force(view, "us") == ["us-autos-232", "us-reciprocal-eu", "us-steel-aluminium-232"]
    assert rate_and_status(view, "us-reciprocal-eu") == ("15", "MEASURE_STATUS_IN_FORCE", True)
    assert rate_and_status(view, "us-baseline-10")[1] == "MEASURE_STATUS_ENDED"
    assert rate_and_status(view, "us-autos-232")[0] == "25"
    for package in ("eu-countermeasures-steel", "eu-countermeasures-second"):
        assert measures(view)[package]["expires"]["start_date"] == "2026-02-07"
    suspension = deadlines(view)["eu-countermeasures-suspension-end"]
    assert suspension["days_remaining"] == 169
    assert view["truce"]["expired"] is True
    commitments = {c["commitment_id"]: c for c in view["commitments"]}
    assert commitments["us-autos-to-15"]["status"] == "COMMITMENT_STATUS_MADE"
    assert "$750 billion" in commitments["eu-energy-purchases"]["description"]  # corrected
    network_fees = commitments["eu-no-network-usage-fees"]["provenance"]["confirmation"]
    assert network_fees["confirmed_by"] == ["eu"]
    (dispute,) = view["disputes"]
    assert (dispute["subject_development_id"], dispute["disputed_by"]) == (
        "eu-military-purchases-claim",
        "eu",
    )


def test_the_eu_confirms_the_network_fee_commitment_only_from_the_joint_statement(
    loaded: Application,
) -> None:
    before = view_as_of(loaded, date(2025, 7, 30))

    commitments = {c["commitment_id"]: c for c in before["commitments"]}
    confirmation = commitments["eu-no-network-usage-fees"]["provenance"]["confirmation"]
    assert confirmation["claimed_by"] == ["us"]
    assert "confirmed_by" not in confirmation


def test_after_the_implementation_notice_cars_pay_15_percent_from_august_1(
    loaded: Application,
) -> None:
    # 24-25 September: cars and parts at 15% retroactive to 1 August; exemptions from
    # 1 September; 25 September: 100% on branded drugs announced from 1 October.
    view = view_as_of(loaded, date(2025, 10, 1))

    autos = measures(view)["us-autos-232"]
    assert (autos["rate_percent"], autos["in_force"]) == ("15", True)
    assert autos["effective"]["start_date"] == "2025-08-01"
    commitments = {c["commitment_id"]: c["status"] for c in view["commitments"]}
    assert commitments["us-autos-to-15"] == "COMMITMENT_STATUS_FULFILLED"
    assert rate_and_status(view, "us-pharma-100") == ("100", "MEASURE_STATUS_ANNOUNCED", False)
    assert measures(view)["us-reciprocal-eu"]["effective"]["start_date"] == "2025-09-01"


def test_on_the_latest_date_the_ieepa_rate_is_gone_and_the_parliament_has_frozen_approval(
    loaded: Application,
) -> None:
    # 20 February 2026: the Supreme Court rules 6-3 against the IEEPA tariffs, which customs
    # stops collecting at 12:01 a.m. EST on 24 February; a Section 122 tariff of 10%, then 15%,
    # from 24 February; 6 February: the suspension extended to 6 August; 23 February: the
    # trade committee's vote postponed.
    view = view_as_of(loaded, date(2026, 2, 23))

    assert in_force(view, "us") == ["us-autos-232", "us-reciprocal-eu", "us-steel-aluminium-232"]
    reciprocal = measures(view)["us-reciprocal-eu"]
    assert [(c["status"], c["effective"]["start_date"]) for c in reciprocal["pending_changes"]] == [
        ("MEASURE_STATUS_ENDED", "2026-02-24")
    ]
    ended = view_as_of(loaded, date(2026, 2, 24))
    assert in_force(ended, "us") == ["us-autos-232", "us-steel-aluminium-232"]
    assert rate_and_status(ended, "us-reciprocal-eu")[1] == "MEASURE_STATUS_ENDED"
    section_122 = measures(view)["us-section-122-global"]
    assert (section_122["rate_percent"], section_122.get("in_force", False)) == ("15", False)
    assert section_122["effective"]["start_date"] == "2026-02-24"
    assert rate_and_status(view, "us-greenland-tariffs")[1] == "MEASURE_STATUS_WITHDRAWN"
    assert measures(view)["us-greenland-tariffs"]["withdrawn"]["start_date"] == "2026-01-21"
    suspension = deadlines(view)["eu-countermeasures-suspension-end"]
    assert suspension["deadline"]["start_date"] == "2026-08-06"
    assert [e["deadline"]["start_date"] for e in suspension["history"]] == ["2026-02-07"]
    assert suspension["days_remaining"] == 164
    issues = {i["issue_id"]: i for i in view["issues"]}
    assert issues["eu-implementing-legislation"]["status"] == "ISSUE_STATUS_STALLED"
    assert view["legal_status"]["latest_ruling"]["court"] == "U.S. Supreme Court"
    # The Brussels meeting of 24 November is talks held after the framework: the phase rule
    # moves the negotiation back to TALKS, though nothing agreed was undone.
    assert phases(view) == ["OPENED", "TRUCE", "TALKS", "AGREED_IN_PRINCIPLE", "TALKS"]
    assert len(view["talks"]) == 5
    assert len(view["outcomes"]) == 2
    # Twelve people and two organisations speaking as one: the Commission, the White House.
    assert len(view["people"]) == 14
    kinds = {p["person_id"]: p.get("kind", "") for p in view["people"]}
    organisations = sorted(p for p, kind in kinds.items() if kind == "PERSON_KIND_ORGANISATION")
    assert organisations == ["european-commission", "white-house"]


def cases(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {case["case_id"]: case for case in view.get("legal_status", {}).get("cases", [])}


def effect_states(view: dict[str, Any], measure_id: str) -> list[tuple[str, str]]:
    effects = measures(view)[measure_id].get("court_effects", [])
    return [
        (e.get("ruling_id", ""), e["state"].removeprefix("COURT_EFFECT_STATE_")) for e in effects
    ]


def test_the_trade_court_blocks_the_tariffs_by_june_7_and_the_appeals_court_stays_it_next_day(
    loaded: Application,
) -> None:
    # 28 May 2025: the Court of International Trade enjoins the IEEPA tariff orders, to be
    # implemented within ten days (by 7 June); 29 May: the Federal Circuit consolidates the
    # appeals and stays the judgment; 10 June: stay pending appeal, to be heard en banc.
    before = view_as_of(loaded, date(2025, 5, 27))
    assert "court_effects" not in measures(before)["us-baseline-10"]
    assert set(cases(before)) == {"vos-selections-cit"}

    ruled = view_as_of(loaded, date(2025, 5, 28))
    baseline = measures(ruled)["us-baseline-10"]
    assert (baseline["status"], baseline["in_force"]) == ("MEASURE_STATUS_IN_FORCE", True)
    assert [(c["status"], c["effective"]["start_date"]) for c in baseline["pending_changes"]] == [
        ("MEASURE_STATUS_BLOCKED", "2025-06-07")
    ]
    assert effect_states(ruled, "us-baseline-10") == [("cit-2025-05-28", "PENDING")]
    assert ruled["legal_status"]["latest_ruling"]["ruling_id"] == "cit-2025-05-28"

    stayed = view_as_of(loaded, date(2025, 6, 8))
    baseline = measures(stayed)["us-baseline-10"]
    assert (baseline["status"], baseline["in_force"]) == ("MEASURE_STATUS_IN_FORCE", True)
    assert baseline.get("pending_changes", []) == []
    assert effect_states(stayed, "us-baseline-10") == [("cit-2025-05-28", "STAYED")]
    appeal = cases(stayed)["vos-selections-cafc"]
    assert (appeal["docket_number"], appeal["appeal_from_case_id"]) == (
        "2025-1812",
        "vos-selections-cit",
    )
    assert appeal["consolidated_case_ids"] == ["oregon-v-trump-cafc"]
    assert cases(stayed)["oregon-v-trump-cafc"]["consolidated_case_ids"] == ["vos-selections-cafc"]
    assert appeal["latest_ruling"]["ruling_id"] == "cafc-2025-05-29-administrative-stay"
    assert "learning-resources-v-trump" not in cases(stayed)  # petitioned on 17 June


def test_the_appeals_court_rules_7_4_and_the_supreme_court_sets_argument_for_november_5(
    loaded: Application,
) -> None:
    # 29 August: en banc, 7-4 per curiam, affirmed, injunction vacated and remanded, mandate
    # withheld through 14 October; 9 September: certiorari granted, the two cases
    # consolidated; 18 September: argument set for 5 November; 5 November: argued.
    view = view_as_of(loaded, date(2025, 9, 20))
    ruling = cases(view)["vos-selections-cafc"]["latest_ruling"]
    assert (ruling["vote"]["majority"], ruling["vote"]["dissent"]) == (7, 4)
    assert [d["kind"] for d in ruling["dispositions"]] == [
        "COURT_RULING_KIND_AFFIRM",
        "COURT_RULING_KIND_VACATE",
        "COURT_RULING_KIND_REMAND",
    ]
    assert ruling["dispositions"][0]["stayed_until"]["start_date"] == "2025-10-14"
    scotus = cases(view)["learning-resources-v-trump"]
    assert [step["kind"] for step in scotus["steps"]] == [
        "COURT_STEP_KIND_CERTIORARI_GRANTED",
        "COURT_STEP_KIND_CONSOLIDATED",
        "COURT_STEP_KIND_ORAL_ARGUMENT_SCHEDULED",
    ]
    assert scotus["consolidated_case_ids"] == ["trump-v-vos-selections"]
    assert scotus["oral_argument_scheduled"]["start_date"] == "2025-11-05"
    assert cases(view)["trump-v-vos-selections"]["appeal_from_case_id"] == "vos-selections-cafc"
    assert "latest_ruling" not in scotus
    assert view["legal_status"]["latest_ruling"]["ruling_id"] == "cafc-2025-08-29-en-banc"

    argued = cases(view_as_of(loaded, date(2025, 11, 6)))["learning-resources-v-trump"]
    assert argued["steps"][-1]["kind"] == "COURT_STEP_KIND_ORAL_ARGUMENT_HELD"
    assert "oral_argument_scheduled" not in argued


def test_the_supreme_court_ends_the_reciprocal_tariff_from_february_24_by_6_3(
    loaded: Application,
) -> None:
    # 20 February 2026: 6-3, Chief Justice Roberts; V.O.S. Selections affirmed, Learning
    # Resources vacated and remanded; customs stops collecting at 12:01 a.m. EST on 24 February.
    day_before = view_as_of(loaded, date(2026, 2, 19))
    assert day_before["legal_status"]["latest_ruling"]["ruling_id"] == "cafc-2025-08-29-en-banc"
    assert effect_states(day_before, "us-reciprocal-eu") == [("cit-2025-05-28", "STAYED")]

    ruled = view_as_of(loaded, date(2026, 2, 21))
    latest = ruled["legal_status"]["latest_ruling"]
    assert latest["ruling_id"] == "scotus-2026-02-20"
    assert (latest["vote"]["majority"], latest["vote"]["dissent"]) == (6, 3)
    assert latest["vote"]["majority_by"] == "Chief Justice Roberts"
    ends = latest["dispositions"][0]
    assert (ends["effect"], ends["state"]) == ("COURT_EFFECT_ENDS", "COURT_EFFECT_STATE_PENDING")
    assert latest["dispositions"][1]["kind"] == "COURT_RULING_KIND_VACATE"
    assert measures(ruled)["us-reciprocal-eu"].get("in_force") is True
    assert effect_states(ruled, "us-reciprocal-eu")[-1] == ("scotus-2026-02-20", "PENDING")

    ended = view_as_of(loaded, date(2026, 2, 24))
    assert rate_and_status(ended, "us-reciprocal-eu")[1:] == ("MEASURE_STATUS_ENDED", False)
    assert effect_states(ended, "us-reciprocal-eu")[-1] == ("scotus-2026-02-20", "IN_EFFECT")
    assert len(cases(ended)) == 5
