"""A timeline lists and filters developments of every record-setting type."""

from __future__ import annotations

from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.domain.negotiation import fold
from newsledger.domain.timeline import TimelineFilter, timeline
from newsledger.v1.negotiations_pb2 import TimelineEntry
from tests.support.every_type_strategies import PEOPLE, developments_of_every_type
from tests.support.negotiation_strategies import PARTIES, Development, opening, recorded


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    developments_of_every_type(),
    st.sampled_from([*PARTIES, "nobody"]),
    st.sampled_from([*PEOPLE, "nobody"]),
)
def test_every_type_is_listed_and_filtered_by_party_and_person(
    developments: list[Development], party: str, person: str
) -> None:
    state = fold(recorded("generated", [opening("generated"), *developments]))
    assert state is not None

    everything = timeline(state, TimelineFilter())
    for entry in everything:
        json_format.ParseDict(entry, TimelineEntry())
    listed = {entry["development_id"] for entry in everything}
    by_party = timeline(state, TimelineFilter(party_id=party))
    by_person = timeline(state, TimelineFilter(actor_id=person))
    assert {entry["development_id"] for entry in by_party} <= listed
    assert {entry["development_id"] for entry in by_person} <= listed
    if party == "nobody":
        assert by_party == []


def test_a_court_cases_litigants_are_not_taken_for_negotiating_parties() -> None:
    """A docketed case names its parties without a party_id: it lists, and no party claims it."""
    case = Development(
        "CourtCaseDocketed",
        {
            "case_id": "case",
            "case_name": "V.O.S. Selections, Inc. v. Trump",
            "court": "U.S. Court of International Trade",
            "parties": [{"name": "V.O.S. Selections, Inc.", "role": "CASE_ROLE_PLAINTIFF"}],
            "report": {
                "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-04-14"},
                "sources": [{"source_id": "w", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE"}],
            },
        },
        "case-docketed",
    )
    state = fold(recorded("generated", [opening("generated"), case]))
    assert state is not None
    assert "case-docketed" in {e["development_id"] for e in timeline(state, TimelineFilter())}
    for party in PARTIES:
        by_party = timeline(state, TimelineFilter(party_id=party))
        assert "case-docketed" not in {e["development_id"] for e in by_party}
