"""Timeline entries carry the day each development counts from and its sources, as corrected."""

from __future__ import annotations

from google.protobuf import json_format

from newsledger.domain.negotiation import fold
from newsledger.domain.timeline import TimelineFilter, timeline
from newsledger.v1.negotiations_pb2 import TimelineEntry
from tests.support.builders import SOURCE, Stream, report


def _tariff(stream: Stream, occurred: dict[str, str], published: str) -> None:
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t1",
            "status": "MEASURE_STATUS_IN_FORCE",
            "imposed_by": ["us"],
            "rate_percent": "10",
            "report": report(occurred=occurred, sources=[{**SOURCE, "published_date": published}]),
        },
        "tariff",
    )


def test_an_entry_counts_from_the_end_of_its_span_or_its_first_source() -> None:
    """Given a month-long span reported mid-month, the entry counts from the report's day."""
    stream = Stream().opened()
    month = {"precision": "DATE_PRECISION_MONTH", "start_date": "2025-05-01"}
    _tariff(stream, month, published="2025-05-12")
    state = fold(stream.events)
    assert state is not None
    (entry,) = [e for e in timeline(state, TimelineFilter()) if e["development_id"] == "tariff"]
    assert entry["counts_from"] == "2025-05-12"
    assert [source["outlet"] for source in entry["sources"]] == ["Example Wire"]


def test_an_undated_entry_counts_always_and_parses_as_a_timeline_entry() -> None:
    """Given no span and an undated source, counts_from is empty and the entry is valid proto."""
    stream = Stream().opened()
    undated_source = {key: value for key, value in SOURCE.items() if key != "published_date"}
    stream.add(
        "TariffMeasureChanged",
        {
            "measure_id": "t1",
            "status": "MEASURE_STATUS_THREATENED",
            "report": {
                "occurred": {"precision": "DATE_PRECISION_UNKNOWN", "phrase": "soon"},
                "sources": [undated_source],
            },
        },
        "threat",
    )
    state = fold(stream.events)
    assert state is not None
    (entry,) = [e for e in timeline(state, TimelineFilter()) if e["development_id"] == "threat"]
    assert entry["counts_from"] == ""
    message = json_format.ParseDict(entry, TimelineEntry())
    assert message.sources[0].source_id == "wire-1"


def test_attached_sources_are_listed_with_the_entry() -> None:
    """Given a corroborating source attached later, the entry lists both sources."""
    stream = Stream().opened()
    day = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}
    tariff = stream.events
    _tariff(stream, day, published="2025-06-11")
    other = {**SOURCE, "source_id": "paper-2", "outlet": "Daily Paper"}
    stream.add(
        "SourceAttached",
        {"corrects": [str(tariff[-1].event_id)], "report": report(sources=[other])},
        "corroboration",
    )
    state = fold(stream.events)
    assert state is not None
    (entry,) = [e for e in timeline(state, TimelineFilter()) if e["development_id"] == "tariff"]
    assert [source["source_id"] for source in entry["sources"]] == ["wire-1", "paper-2"]
