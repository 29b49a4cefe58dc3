"""CSV and NDJSON exports: every column, nothing a spreadsheet would run, one object a line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from newsledger.web.exports import (
    MEASURE_COLUMNS,
    TIMELINE_COLUMNS,
    measure_rows,
    safe_cell,
    timeline_row,
    to_csv,
    to_ndjson,
)
from newsledger.web.series import build_series, change_days
from tests.support.paths import FIXTURE_STORIES
from tests.support.story_views import entries_of, recorded_story, view_at

STEPS = recorded_story(FIXTURE_STORIES / "tariff-steps-2027.yaml")


def test_the_timeline_exports_one_row_per_entry_with_every_column() -> None:
    entries = entries_of(STEPS)
    rows = list(csv.DictReader(io.StringIO(to_csv(map(timeline_row, entries), TIMELINE_COLUMNS))))
    assert len(rows) == len(entries)
    walkout = next(r for r in rows if r["development_id"] == "walkout-report")
    assert walkout["status"] == "retracted" and walkout["corrected_by"] == "walkout-retracted"
    levy = next(r for r in rows if r["development_id"] == "westmark-levy-34")
    assert (levy["occurred_start"], levy["counts_from"], levy["sources"]) == (
        "2027-04-02",
        "2027-04-02",
        "West Gazette",
    )


def test_the_measures_export_has_a_row_per_stretch_of_one_status_and_rate() -> None:
    as_of = date(2027, 6, 1)
    view = view_at(STEPS, as_of)
    days = change_days(view, entries_of(STEPS), as_of)
    series = build_series(view, [(d, view_at(STEPS, d)) for d in days], as_of)
    rows = measure_rows(series)
    levy = [
        (r["from"], r["until"], r["rate_percent"], r["status"])
        for r in rows
        if r["measure_id"] == "westmark-levy"
    ]
    assert levy[0] == ("2027-02-04", "2027-04-01", "10", "in_force")
    assert levy[-1] == ("2027-05-14", "2027-06-01", "30", "modified")
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows, MEASURE_COLUMNS))))
    assert [dict(row) for row in parsed] == rows
    assert [json.loads(line) for line in to_ndjson(rows).splitlines()] == rows


def test_a_cell_a_spreadsheet_would_run_is_defused_and_numbers_are_not() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1 call") == "'+1 call"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-0.5") == "-0.5" and safe_cell("+3") == "+3"
    assert safe_cell("plain text") == "plain text"


@given(st.text(max_size=60))
def test_any_text_survives_csv_with_at_most_an_apostrophe_before_it(text: str) -> None:
    out = to_csv([{"summary": text}], ["summary"])
    (row,) = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row["summary"] in (text, "'" + text)
    assert not row["summary"].startswith(("=", "+", "@")) or row["summary"] == text
