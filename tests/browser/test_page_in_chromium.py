"""The page in a real browser: the chart's measures and deadlines, the countdown, explanations."""

from __future__ import annotations

import re

import pytest

from newsledger.web.reader import as_dict
from tests.browser.conftest import Served, Tab
from tests.support.hostile import NEGOTIATION as HOSTILE
from tests.support.hostile import SCRIPT
from tests.support.paths import SEED_NEGOTIATION as SEED

pytestmark = pytest.mark.browser


def test_the_chart_has_each_measure_and_deadline_of_the_view(served: Served, tab: Tab) -> None:
    view = as_dict(served.client.negotiation(SEED, as_of="2025-06-11").view)
    tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-06-11")
    bands = tab.page.locator("#measures-chart rect.measure")
    drawn = set(bands.evaluate_all("els => els.map(e => e.dataset.measureId)"))
    assert drawn == {m["measure_id"] for m in view["measures"]}
    deadlines = tab.page.locator("#measures-chart line.marker.deadline")
    assert deadlines.count() == 1 + len(view["truce"].get("deadline_history", []))
    rulings = tab.page.locator("#measures-chart line.marker.ruling")
    assert rulings.count() == sum(case["ruling_count"] for case in view["legal_status"]["cases"])
    assert tab.page.locator("#measures-chart").bounding_box()["width"] > 600
    tab.screenshot("seed-2025-06-11")
    tab.screenshot("seed-2025-06-11-full", full_page=True)


def test_moving_as_of_in_the_form_moves_the_countdown(served: Served, tab: Tab) -> None:
    tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-06-11")
    assert "62 days remaining as of 2025-06-11" in tab.page.inner_text("#countdown")
    tab.page.fill("#control-as_of", "2025-07-01")
    tab.page.click("#controls button")
    tab.page.wait_for_url(re.compile(r"as_of=2025-07-01"))
    assert "42 days remaining as of 2025-07-01" in tab.page.inner_text("#countdown")
    x_before = float(tab.page.get_attribute("#measures-chart line.as-of", "x1") or 0)
    tab.page.fill("#control-as_of", "2025-08-01")
    tab.page.click("#controls button")
    tab.page.wait_for_url(re.compile(r"as_of=2025-08-01"))
    assert "11 days remaining" in tab.page.inner_text("#countdown")
    assert float(tab.page.get_attribute("#measures-chart line.as-of", "x1") or 0) > x_before
    tab.screenshot("seed-2025-08-01")


def test_an_explain_link_opens_the_developments_and_their_sources(served: Served, tab: Tab) -> None:
    tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-06-11")
    tab.page.click("#countdown a")
    tab.page.wait_for_url(re.compile(r"/explain\?"))
    assert tab.page.inner_text("#field-path") == "truce.days_remaining"
    sources = tab.page.locator("#explanation li.source strong").all_inner_texts()
    assert {"Newslooks", "The White House"} <= set(sources)
    tab.screenshot("explain-truce-days-remaining")


def test_a_chart_band_explains_the_measure_on_its_own_day(served: Served, tab: Tab) -> None:
    tab.page.goto(f"{served.page_url}/n/tariff-steps-2027?as_of=2027-06-01")
    steps = tab.page.locator('#measures-chart line.rate[data-measure-id="westmark-levy"]')
    assert steps.count() == 4  # 10%, 34%, 125%, then 30% once the truce applies
    tab.screenshot("tariff-steps-2027-06-01")
    tab.page.locator('#measures-chart rect.measure[data-measure-id="westmark-levy"]').nth(1).click()
    tab.page.wait_for_url(re.compile(r"as_of=2027-04-02"))
    assert tab.page.inner_text("#field-path") == "measures[westmark-levy].status"
    assert '"MEASURE_STATUS_MODIFIED"' in tab.page.inner_text("pre.value-json")
    assert "West Gazette" in tab.page.inner_text("#explanation")


def test_a_timeline_span_opens_its_entry_with_its_sources(served: Served, tab: Tab) -> None:
    tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-06-11")
    mark = tab.page.locator('#timeline-chart rect[data-development-id="geneva-truce"]')
    assert "source: The White House, 2025-05-12" in mark.locator("title").text_content()
    talks = tab.page.locator('#timeline-chart rect[data-development-id="london-talks"]')
    two_days = float(talks.get_attribute("width") or 0)
    ruling = tab.page.locator(
        '#timeline-chart rect[data-development-id="appeals-court-tariff-collection"]'
    )
    assert two_days > 1.5 * float(ruling.get_attribute("width") or 0)  # 9 and 10 June, two days
    mark.click()
    tab.page.wait_for_url(re.compile(r"#d-geneva-truce$"))
    row = tab.page.locator("#d-geneva-truce")
    row.locator("summary").click()
    assert "The White House" in row.locator("ul.sources").inner_text()


def test_the_compare_form_shows_what_changed(served: Served, tab: Tab) -> None:
    tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-06-11")
    tab.page.fill("#diff-as_of", "2025-05-20")
    tab.page.click("#diff-form button")
    tab.page.wait_for_url(re.compile(r"/diff\?"))
    rows = tab.page.locator("#changes tr.change")
    assert rows.count() > 0
    assert tab.page.locator('#changes tr[data-path="truce.days_remaining"]').count() == 1
    tab.screenshot("diff-2025-06-11-to-2025-05-20")


def test_markup_from_the_log_stays_text_and_runs_nothing(served: Served, tab: Tab) -> None:
    for path in (
        f"/n/{HOSTILE}?as_of=2028-02-01",
        "/",
        f"/n/{HOSTILE}/explain?field=measures[red-levy]&as_of=2028-02-01",
    ):
        tab.page.goto(f"{served.page_url}{path}")
        assert tab.page.evaluate("() => window.__pwned") is None
        assert tab.page.locator("script, img, iframe, object, embed").count() == 0
    tab.page.goto(f"{served.page_url}/n/{HOSTILE}?as_of=2028-02-01")
    assert SCRIPT in tab.page.inner_text("#title")
    tab.screenshot("hostile-markup")


def test_an_unknown_negotiation_and_a_bad_date_get_a_clear_page(
    served: Served, chromium: object
) -> None:
    tab = Tab(chromium, served.backend)
    try:
        response = tab.page.goto(f"{served.page_url}/n/no-such-talks")
        assert response is not None and response.status == 404
        assert "No negotiation 'no-such-talks'" in tab.page.inner_text("#error h1")
        response = tab.page.goto(f"{served.page_url}/n/{SEED}?as_of=2025-02-30")
        assert response is not None and response.status == 400
        assert "as_of: '2025-02-30' is not a date" in tab.page.inner_text("#error")
        tab.screenshot("bad-date")
    finally:
        tab.close()
    # The browser logs each 4xx response itself; nothing else may be logged.
    assert all("status of 40" in error for error in tab.errors), tab.errors
