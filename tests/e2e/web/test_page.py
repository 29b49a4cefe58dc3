"""The web page end to end: a real server on each backend, the page read over HTTP."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from newsledger.client.ledger_client import LedgerClient
from newsledger.web.app import create_app
from newsledger.web.reader import PageReader, as_dict
from tests.e2e.web.conftest import TestClient
from tests.support.hostile import NEGOTIATION as HOSTILE
from tests.support.hostile import SCRIPT
from tests.support.paths import SEED_NEGOTIATION as SEED

STEPS = "tariff-steps-2027"


class Links(HTMLParser):
    """Collects every element's attributes, by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {key: value or "" for key, value in attrs}))


def elements(html: str, tag: str, **wanted: str) -> list[dict[str, str]]:
    """Return the attributes of the elements with that tag whose attributes contain wanted."""
    parser = Links()
    parser.feed(html)
    return [
        attrs
        for name, attrs in parser.found
        if name == tag and all(value in attrs.get(key, "") for key, value in wanted.items())
    ]


def countdown(html: str) -> str:
    (found,) = elements(html, "div", id="countdown")
    return found["data-days-remaining"]


def test_the_landing_page_lists_every_negotiation(browser_free_page: TestClient) -> None:
    page = browser_free_page.get("/")
    assert page.status_code == 200
    hrefs = [a["href"] for a in elements(page.text, "a", **{"class": "negotiation"})]
    assert sorted(hrefs) == sorted(f"/n/{n}" for n in (SEED, STEPS, HOSTILE))


def test_the_chart_draws_every_measure_and_deadline_of_the_view(
    browser_free_page: TestClient, ledger: LedgerClient
) -> None:
    """Given the seed as of 11 June 2025, the chart has each measure, the deadline, the ruling."""
    view = as_dict(ledger.negotiation(SEED, as_of="2025-06-11").view)
    page = browser_free_page.get(f"/n/{SEED}", params={"as_of": "2025-06-11"})
    assert page.status_code == 200
    (chart,) = elements(page.text, "svg", id="measures-chart")
    assert int(chart["data-measures"]) == len(view["measures"])
    drawn = {a["data-measure-id"] for a in elements(page.text, "rect", **{"class": "measure"})}
    assert drawn == {m["measure_id"] for m in view["measures"]}
    deadlines = elements(page.text, "line", **{"class": "marker deadline"})
    assert len(deadlines) == 1 + len(view["truce"].get("deadline_history", []))
    rulings = elements(page.text, "line", **{"class": "marker ruling"})
    assert len(rulings) == sum(c["ruling_count"] for c in view["legal_status"]["cases"])
    assert countdown(page.text) == str(view["truce"]["days_remaining"]) == "62"


def test_moving_as_of_moves_the_countdown(browser_free_page: TestClient) -> None:
    june = browser_free_page.get(f"/n/{SEED}?as_of=2025-06-11")
    july = browser_free_page.get(f"/n/{SEED}?as_of=2025-07-01")
    assert (countdown(june.text), countdown(july.text)) == ("62", "42")


def test_reported_by_shows_only_what_the_press_had_published(
    browser_free_page: TestClient, ledger: LedgerClient
) -> None:
    """Given the seed read as the press had reported it by 1 June 2025, the page shows Geneva
    and not London, as the API's own view at that point does, and says which point it is."""
    point = {"as_of": "2025-06-11", "reported_by": "2025-06-01"}
    page = browser_free_page.get(f"/n/{SEED}", params=point)
    assert page.status_code == 200
    (shown,) = elements(page.text, "div", id="point")
    assert shown["data-reported-by"] == "2025-06-01"
    assert "as reported by <strong>2025-06-01</strong>" in page.text
    assert elements(page.text, "input", id="control-reported_by", value="2025-06-01")
    assert not elements(page.text, "input", id="diff-reported_by")  # the diff has two axes
    reported = as_dict(ledger.negotiation(SEED, as_of="2025-06-11", reported_by=_june_first()).view)
    everything = as_dict(ledger.negotiation(SEED, as_of="2025-06-11").view)
    outcomes = {o["outcome_id"] for o in everything.get("outcomes", [])}
    kept = {o["outcome_id"] for o in reported.get("outcomes", [])}
    assert kept < outcomes  # the London framework was reported after 1 June
    for outcome_id in outcomes - kept:
        assert outcome_id not in page.text
    drawn = {a["data-measure-id"] for a in elements(page.text, "rect", **{"class": "measure"})}
    assert drawn == {m["measure_id"] for m in reported["measures"]}


def _june_first() -> datetime:
    return datetime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)


def test_the_rates_are_drawn_as_steps_and_the_moved_deadline_kept(
    browser_free_page: TestClient,
) -> None:
    """Given 10%, 34%, 125% and 30% from the day the truce takes effect, four steps."""
    page = browser_free_page.get(f"/n/{STEPS}?as_of=2027-09-01")
    steps = elements(page.text, "line", **{"class": "rate ", "data-measure-id": "westmark-levy"})
    assert len(steps) == 4
    assert len(elements(page.text, "line", **{"class": "marker deadline earlier"})) == 1
    assert countdown(page.text) == "70"


def test_an_explain_link_opens_the_developments_and_their_sources(
    browser_free_page: TestClient,
) -> None:
    page = browser_free_page.get(f"/n/{SEED}?as_of=2025-06-11")
    (link,) = elements(page.text, "a", **{"data-path": "truce.days_remaining"})
    explained = browser_free_page.get(link["href"])
    assert explained.status_code == 200
    assert "In Geneva the two sides agreed a 90-day suspension" in explained.text
    assert elements(explained.text, "li", **{"data-development-id": "geneva-truce"})
    outlets = re.findall(r"<strong>([^<]+)</strong>\s*\(", explained.text)
    assert {"Newslooks", "The White House"} <= set(outlets)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/n/no-such-talks", 404, "No negotiation &#39;no-such-talks&#39;"),
        (f"/n/{SEED}?as_of=2025-13-40", 400, "as_of: &#39;2025-13-40&#39; is not a date"),
        (f"/n/{SEED}?as_of=tomorrow", 400, "is not a date YYYY-MM-DD"),
        (f"/n/{SEED}?known_at=2999-01-01", 400, "in the future"),
        (f"/n/{SEED}?known_at=soon", 400, "neither an RFC 3339 instant nor a date"),
        (f"/n/{SEED}/explain", 400, "names a view path"),
        (f"/n/{SEED}/explain?field=measures[nothing]", 404, "no item"),
        (f"/n/{SEED}/explain?field=%5B%5B", 400, "is not a path"),
        (f"/n/{SEED}/timeline.xlsx", 404, "exports are csv, ndjson"),
        (f"/n/{SEED}/diff?as_of=2025-06-11", 400, "the two points are the same"),
        ("/nowhere", 404, "nothing at /nowhere"),
    ],
)
def test_bad_requests_get_a_clear_page(
    browser_free_page: TestClient, url: str, status: int, says: str
) -> None:
    page = browser_free_page.get(url)
    assert page.status_code == status
    (error,) = elements(page.text, "div", id="error")
    assert error["data-status"] == str(status)
    assert says in page.text
    assert "Traceback" not in page.text


def test_the_diff_page_names_what_changed_and_why(browser_free_page: TestClient) -> None:
    page = browser_free_page.get(
        f"/n/{STEPS}/diff", params=[("as_of", "2027-04-01"), ("as_of", "2027-04-12")]
    )
    assert page.status_code == 200
    assert elements(page.text, "tr", **{"data-path": "measures[westmark-levy].rate_percent"})
    row = page.text.split('data-path="measures[westmark-levy].rate_percent"', 1)[1]
    row = row.split("</tr>", 1)[0]
    causes = re.findall(r'class="cause" data-development-id="([^"]+)"', row)
    assert causes == ["westmark-levy-34", "westmark-levy-125"]


def test_the_diff_form_keeps_this_page_s_point_when_an_axis_is_left_empty(
    browser_free_page: TestClient,
) -> None:
    """The page's compare form sends the page's as_of first and the other one second."""
    page = browser_free_page.get(
        f"/n/{STEPS}/diff",
        params=[
            ("as_of", "2027-05-01"),
            ("known_at", ""),
            ("as_of", "2027-06-01"),
            ("known_at", ""),
        ],
    )
    assert page.status_code == 200
    assert "measures[westmark-levy].rate_percent" in page.text


def test_the_exports_list_the_timeline_and_the_measures(
    browser_free_page: TestClient, ledger: LedgerClient
) -> None:
    entries = list(ledger.timeline(STEPS))
    timeline = browser_free_page.get(f"/n/{STEPS}/timeline.csv")
    assert timeline.headers["content-type"].startswith("text/csv")
    assert "attachment" in timeline.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(timeline.text)))
    assert [r["development_id"] for r in rows] == [e.development_id for e in entries]
    lines = browser_free_page.get(f"/n/{STEPS}/timeline.ndjson").text.splitlines()
    assert [json.loads(line)["development_id"] for line in lines] == [
        r["development_id"] for r in rows
    ]
    measures = browser_free_page.get(f"/n/{STEPS}/measures.csv?as_of=2027-06-01")
    levy = [
        r for r in csv.DictReader(io.StringIO(measures.text)) if r["measure_id"] == "westmark-levy"
    ]
    assert [r["rate_percent"] for r in levy] == ["10", "34", "125", "30"]


def test_the_report_is_one_self_contained_file(browser_free_page: TestClient) -> None:
    report = browser_free_page.get(f"/n/{SEED}/report.html?as_of=2025-06-11")
    assert report.status_code == 200
    html = report.text
    assert not elements(html, "link", rel="stylesheet") and "<style>" in html
    assert not elements(html, "script") and not elements(html, "img")
    (policy,) = elements(html, "meta", **{"http-equiv": "Content-Security-Policy"})
    assert "script-src" not in policy["content"] and "default-src 'none'" in policy["content"]
    targets = {a["href"][1:] for a in elements(html, "a") if a["href"].startswith("#x-")}
    anchors = {s["id"] for s in elements(html, "section", **{"class": "explanation"})}
    assert targets and targets == anchors
    assert not [a for a in elements(html, "a") if a["href"].startswith("/")]


def test_markup_in_the_log_is_shown_as_text(browser_free_page: TestClient) -> None:
    page = browser_free_page.get(f"/n/{HOSTILE}?as_of=2028-02-01")
    assert page.status_code == 200
    assert not elements(page.text, "script") and not elements(page.text, "img")
    assert SCRIPT.replace("<", "&lt;").replace(">", "&gt;") in page.text
    headers = page.headers
    assert "script-src" not in headers["content-security-policy"]
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert headers["x-content-type-options"] == "nosniff"
    for path in (
        "/",
        f"/n/{HOSTILE}/report.html",
        f"/n/{HOSTILE}/diff?as_of=2028-01-01&as_of=2028-02-01",
    ):
        text = browser_free_page.get(path).text
        assert not elements(text, "script") and "window.__pwned = 1</script>" not in text


def test_a_reader_token_opens_the_page_and_nothing_else_does(ledger: LedgerClient) -> None:
    tokens = {"reader-token": True, "unknown-token": False}
    app = create_app(PageReader(ledger), allows=lambda token: tokens.get(token, False))
    with TestClient(app) as http:
        refused = http.get("/")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert http.get("/", headers={"authorization": "Bearer unknown-token"}).status_code == 401
        assert http.get("/", headers={"authorization": "Bearer reader-token"}).status_code == 200
        assert http.get("/", auth=("anyone", "reader-token")).status_code == 200
        assert http.get(f"/n/{SEED}/timeline.csv").status_code == 401


def test_an_unreachable_ledger_is_a_clear_page() -> None:
    with (
        LedgerClient("127.0.0.1:1", timeout_seconds=2) as nowhere,
        TestClient(create_app(PageReader(nowhere))) as http,
    ):
        page = http.get(f"/n/{SEED}")
    assert page.status_code == 503
    assert "The ledger cannot be reached" in page.text
