"""The benchmark's targets table: each figure, goal and verdict per backend."""

from __future__ import annotations

import math

import pytest

from bench.results import Results
from bench.targets import TARGETS, Target


def _target(name: str) -> Target:
    return next(t for t in TARGETS if t.name == name)


def _results(values: dict[str, float], backend: str = "sqlite") -> Results:
    results = Results()
    for key, value in values.items():
        results.add(backend, key, value)
    results.info["scale_steps"] = {"sqlite": [10, 1000], "postgres": [10, 100]}
    return results


def test_a_ratio_target_takes_the_medians_of_the_repetitions() -> None:
    results = Results()
    for ours, served in ((900.0, 1000.0), (3000.0, 1000.0), (1600.0, 1000.0)):
        results.add("sqlite", "append_b100/newsledger", ours)
        results.add("sqlite", "append_b100/served-app", served)
    value, status = _target("append-100 vs served Application").evaluate(results, "sqlite")
    assert value == pytest.approx(1.6)
    assert status == "met"


def test_the_in_process_application_goal_differs_by_backend() -> None:
    target = _target("append-100 vs Application in-process")
    values = {"append_b100/newsledger": 1200.0, "append_b100/peer-app": 1000.0}
    assert target.evaluate(_results(values, "sqlite"), "sqlite") == (pytest.approx(1.2), "met")
    assert target.evaluate(_results(values, "postgres"), "postgres")[1] == "missed"
    assert target.goal("postgres") == "≥ 1.5\u00d7"


@pytest.mark.parametrize(("cpu", "status"), [(40.0, "met"), (39.9, "met"), (40.1, "missed")])
def test_the_cpu_goal_includes_its_bound(cpu: float, status: str) -> None:
    target = _target("append path CPU in-process")
    results = _results({"cpu_b100/inprocess-server-path": cpu})
    assert target.evaluate(results, "sqlite")[1] == status
    assert target.goal("sqlite") == "≤ 40 µs"


def test_the_cpu_target_is_evaluated_on_sqlite_only() -> None:
    target = _target("append path CPU in-process")
    assert target.applies_to("sqlite")
    assert not target.applies_to("postgres")


def test_a_target_not_measured_says_so() -> None:
    value, status = _target("negotiation append p50").evaluate(Results(), "sqlite")
    assert math.isnan(value)
    assert status == "not measured"


def test_the_current_view_target_reads_the_largest_scale_step() -> None:
    results = _results({"scale/10/view_fresh_p99": 100.0, "scale/1000/view_fresh_p99": 4.0})
    assert _target("current view after an append p99").evaluate(results, "sqlite") == (
        4.0,
        "met",
    )


def test_the_past_point_target_needs_as_of_and_known_at() -> None:
    target = _target("past-point view p99")
    only_as_of = _results({"scale/1000/view_as_of_p99": 10.0})
    assert target.evaluate(only_as_of, "sqlite")[1] == "not measured"


def test_the_past_point_target_counts_reported_by_once_measured() -> None:
    target = _target("past-point view p99")
    both = {"scale/1000/view_as_of_p99": 10.0, "scale/1000/view_known_at_p99": 12.0}
    assert target.evaluate(_results(both), "sqlite") == (12.0, "met")
    with_reported_by = {**both, "scale/1000/view_reported_by_p99": 60.0}
    assert target.evaluate(_results(with_reported_by), "sqlite") == (60.0, "missed")


def test_the_server_rss_is_in_megabytes() -> None:
    results = _results({"scale/1000/rss_peak": 310e6})
    assert _target("server RSS").evaluate(results, "sqlite") == (pytest.approx(310.0), "missed")
