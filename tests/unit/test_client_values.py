"""The Python client reads an instant the way the command line does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from newsledger.cli.negotiations import known_at as command_line_instant
from newsledger.client.values import timestamp

END_OF_JUNE_1 = datetime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)


def test_a_date_means_the_end_of_that_day_utc_as_on_the_command_line() -> None:
    stamp = timestamp(date(2025, 6, 1))
    assert stamp is not None
    assert stamp.ToDatetime(tzinfo=UTC) == END_OF_JUNE_1
    assert stamp == command_line_instant("2025-06-01")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-01", END_OF_JUNE_1),
        ("2025-06-01T12:30:00Z", datetime(2025, 6, 1, 12, 30, tzinfo=UTC)),
        ("2025-06-01T14:30:00+02:00", datetime(2025, 6, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_text_is_read_as_a_date_or_an_rfc_3339_instant(text: str, expected: datetime) -> None:
    stamp = timestamp(text)
    assert stamp is not None
    assert stamp.ToDatetime(tzinfo=UTC) == expected
    assert stamp == command_line_instant(text)


def test_datetimes_naive_meaning_utc_and_timestamps_pass_through() -> None:
    naive = datetime(2025, 6, 1, 8, 0)
    zoned = datetime(2025, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert timestamp(naive) == timestamp(zoned)
    given = Timestamp(seconds=1_700_000_000)
    assert timestamp(given) is given
    assert timestamp(None) is None


@pytest.mark.parametrize("text", ["", "June 1", "2025-13-01", "2025-06-01T25:00:00Z", "yesterday"])
def test_text_that_is_no_instant_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="neither an RFC 3339 instant nor a date"):
        timestamp(text)
