"""The page's controls: dates and instants read strictly, a point round-trips through its URL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.web.diff_view import DiffRequest
from newsledger.web.points import CONTROLS, BadPoint, Point, parse_day, parse_instant


def test_a_date_is_read_and_a_known_at_date_means_the_end_of_that_day_utc() -> None:
    assert parse_day("2025-06-11") == date(2025, 6, 11)
    end = parse_instant("2025-07-01")
    assert end == datetime.combine(date(2025, 7, 1), time.max, tzinfo=UTC)
    assert parse_instant("2025-07-01T09:00:00+02:00") == datetime(2025, 7, 1, 7, tzinfo=UTC)
    assert parse_instant("2025-07-01T09:00:00.5Z").microsecond == 500000


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("as_of", "2025-13-01", "is not a date"),
        ("as_of", "20250611", "is not a date YYYY-MM-DD"),
        ("as_of", "2025-W24-3", "is not a date YYYY-MM-DD"),
        ("as_of", "<script>", "is not a date YYYY-MM-DD"),
        ("as_of", "9" * 500, "…"),
        ("known_at", "2025-07-01T09:00:00", "neither an RFC 3339 instant nor a date"),
        ("known_at", "yesterday", "neither an RFC 3339 instant nor a date"),
        ("known_at", "2025-02-30", "is not a date"),
        ("reported_by", "last week", "neither an RFC 3339 instant nor a date"),
        ("reported_by", "2025-06-31", "is not a date"),
    ],
)
def test_a_bad_value_is_refused_naming_the_control(field: str, value: str, says: str) -> None:
    with pytest.raises(BadPoint) as refused:
        Point.from_query({field: value})
    assert refused.value.name == field and says in str(refused.value)
    assert len(str(refused.value)) < 200


def test_every_control_is_a_field_of_the_point() -> None:
    """Adding an axis is one control and one field: the two lists stay in step."""
    assert [control.name for control in CONTROLS] == list(Point.__dataclass_fields__)


INSTANTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0).isoformat().replace("+00:00", "Z"))


@given(
    st.one_of(st.just(""), st.dates().map(date.isoformat)),
    st.one_of(st.just(""), INSTANTS),
    st.one_of(st.just(""), INSTANTS),
)
def test_a_point_round_trips_through_its_url(as_of: str, known_at: str, reported_by: str) -> None:
    point = Point(as_of, known_at, reported_by)
    assert Point.from_query(dict(parse_qsl(point.query()))) == point


@settings(deadline=200)
@given(
    st.dictionaries(
        st.sampled_from(["as_of", "known_at", "reported_by", "other"]), st.text(max_size=80)
    )
)
def test_any_query_is_read_or_refused_with_bad_point(query: dict[str, str]) -> None:
    """Fuzz: whatever the URL says, the point is read or refused clearly, never a crash."""
    try:
        point = Point.from_query(query)
    except BadPoint as error:
        assert error.name in ("as_of", "known_at", "reported_by")
    else:
        assert point.request_fields()["as_of"] == point.as_of


@settings(deadline=200)
@given(
    st.lists(st.one_of(st.dates().map(date.isoformat), st.text(max_size=20)), max_size=4),
    st.lists(st.one_of(st.just(""), INSTANTS, st.text(max_size=20)), max_size=4),
)
def test_any_pair_of_points_is_read_or_refused_with_bad_point(
    as_of: list[str], known_at: list[str]
) -> None:
    """Fuzz the diff's two points: two distinct points, or a clear refusal."""
    try:
        wanted = DiffRequest.from_lists(as_of, known_at)
    except BadPoint as error:
        assert error.name in ("as_of", "known_at") and error.detail
    else:
        assert wanted.before != wanted.after
