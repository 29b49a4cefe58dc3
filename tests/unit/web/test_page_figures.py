"""The page shows fees as figures and how much of a commitment is fulfilled."""

from __future__ import annotations

import dataclasses
from datetime import date

from newsledger.web.figures import figure_text
from newsledger.web.pages import ServerLinks
from newsledger.web.points import Point
from newsledger.web.rendering import render_page
from tests.support.paths import ROOT, SEED_NEGOTIATION, SEED_STORY
from tests.support.story_views import picture_of, recorded_story

AUTUMN = ROOT / "data" / "stories" / "continuations" / "us-china-trade-2025-autumn.yaml"
AS_OF = date(2025, 11, 20)


def test_the_page_shows_fees_per_net_ton_and_the_fulfilled_share_of_a_commitment() -> None:
    seed = recorded_story(SEED_STORY)
    events = seed + [
        dataclasses.replace(event, stream_version=len(seed) + n, position=len(seed) + n)
        for n, event in enumerate(recorded_story(AUTUMN))
    ]
    page = render_page(
        picture_of(events, AS_OF), ServerLinks(SEED_NEGOTIATION, Point(AS_OF.isoformat()))
    )

    assert "¥400 (about $56.3) per net ton" in page
    assert "$50 per net ton per voyage" in page
    assert "fulfilled 332000 tonnes" in page
    assert "during the last two months of 2025: at least 12000000 tonnes" in page


def test_figures_read_as_ranges_totals_and_equivalents() -> None:
    assert figure_text({"low_value": "10", "high_value": "15", "unit": "percent"}) == (
        "between 10% and 15%"
    )
    assert figure_text({"high_value": "3", "currency": "EUR", "approximate": True}) == (
        "about up to €3"
    )
    total = {
        "exact_value": "145",
        "unit": "percent",
        "components": [
            {"label": "reciprocal", "exact_value": "125"},
            {"label": "fentanyl", "exact_value": "20"},
        ],
    }
    assert figure_text(total) == "145% = 125% reciprocal + 20% fentanyl"
    assert figure_text({"exact_value": "5", "currency": "KRW"}) == "5 KRW"
