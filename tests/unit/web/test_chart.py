"""The chart's geometry: days to x within the plot, readable ticks, one row per measure."""

from __future__ import annotations

from datetime import date
from importlib import resources

from newsledger.v1 import developments_pb2 as dev
from newsledger.web.chart import LABEL_WIDTH, WIDTH, Scale, lay_out, sides_of
from newsledger.web.words import slug
from tests.support.paths import FIXTURE_STORIES
from tests.support.story_views import picture_of, recorded_story


def test_days_map_into_the_plot_and_outside_days_are_clamped() -> None:
    scale = Scale(date(2025, 1, 1), date(2025, 12, 31))
    assert scale.x(date(2025, 1, 1)) == LABEL_WIDTH
    assert scale.x(date(2024, 1, 1)) == LABEL_WIDTH
    assert scale.x(date(2030, 1, 1)) == scale.right < WIDTH
    assert scale.x(date(2025, 3, 1)) < scale.x(date(2025, 3, 2))


def test_ticks_are_months_for_a_year_weeks_for_a_month_years_for_a_decade() -> None:
    assert [label for _, label in Scale(date(2025, 1, 15), date(2025, 6, 15)).ticks()][:2] == [
        "Feb 2025",
        "Mar 2025",
    ]
    weeks = Scale(date(2025, 6, 1), date(2025, 6, 30)).ticks()
    assert [label for _, label in weeks][:2] == ["02 Jun", "09 Jun"]
    years = Scale(date(2015, 6, 1), date(2025, 6, 1)).ticks()
    assert [label for _, label in years][:2] == ["2016", "2017"]


def test_each_side_has_its_measures_and_a_measure_of_two_sides_is_in_both() -> None:
    picture = picture_of(
        recorded_story(FIXTURE_STORIES / "tariff-steps-2027.yaml"), date(2027, 6, 1)
    )
    chart = lay_out(
        picture.series, picture.view["parties"], Scale(picture.series.start, picture.series.end)
    )
    assert sorted(chart.measure_ids) == sorted(m["measure_id"] for m in picture.view["measures"])
    assert sides_of(picture.series.tracks, picture.view["parties"]) == ["westmark", "eastland", ""]
    bands = [s for s in chart.shapes if s.css.startswith("measure ")]
    assert all(LABEL_WIDTH <= s.x <= s.x2 <= WIDTH for s in bands)
    assert {s.path for s in bands} == {f"measures[{m}].status" for m in chart.measure_ids}


def test_every_measure_status_has_a_colour_and_a_legend_entry() -> None:
    web = resources.files("newsledger.web")
    css = web.joinpath("static/page.css").read_text("utf-8")
    legend = web.joinpath("templates/_chart.html").read_text("utf-8")
    for status in [value.name for value in dev.MeasureStatus.DESCRIPTOR.values]:
        word = slug(status, "measure_status")
        assert f".status-{word} " in css, status
        if status != "MEASURE_STATUS_UNSPECIFIED":
            assert f'<i class="{word}">' in legend, status
