"""Every event type is complete: a schema, an applier or editor, a headline, and its docs.

`docs/adding-an-event-type.md` is the checklist; this test is the part of it a machine can
check. An event type is a message of `developments.proto` with a `report` field.
"""

from __future__ import annotations

import re

import pytest

from newsledger.application.validation.payloads import known_event_types
from newsledger.domain.corrections import EDITORS
from newsledger.domain.headlines import HEADLINES
from newsledger.domain.negotiation import APPLIERS, NEGOTIATION_EVENT_TYPES
from newsledger.domain.upcasting import CURRENT_SCHEMA_VERSIONS, UPCASTERS
from tests.support.paths import ROOT

STORY_FORMAT = (ROOT / "docs" / "story-format.md").read_text()
EVENT_TYPES = sorted(known_event_types())


def test_the_fold_understands_exactly_the_event_types_of_the_proto() -> None:
    assert set(NEGOTIATION_EVENT_TYPES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_event_type_is_applied_or_edits_the_registry_but_not_both(event_type: str) -> None:
    assert (event_type in APPLIERS) != (event_type in EDITORS)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_event_type_has_a_headline_for_the_timeline(event_type: str) -> None:
    assert event_type in HEADLINES


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_event_type_is_documented_in_the_story_format(event_type: str) -> None:
    assert re.search(rf"`{event_type}`", STORY_FORMAT), f"docs/story-format.md lacks {event_type}"


def test_each_schema_version_past_1_has_an_upcaster_for_every_step() -> None:
    for event_type, current in CURRENT_SCHEMA_VERSIONS.items():
        assert event_type in EVENT_TYPES
        for version in range(1, current):
            assert (event_type, version) in UPCASTERS


def test_a_development_without_a_summary_still_gets_a_headline() -> None:
    payload = {
        "commitment_id": "buy-soybeans",
        "status": "COMMITMENT_STATUS_FULFILLED",
        "report": {"occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}},
    }
    assert HEADLINES["CommitmentStatusChanged"](payload) == "buy-soybeans: fulfilled"


def test_a_report_summary_wins_over_the_headline() -> None:
    from newsledger.domain.headlines import headline

    payload = {"title": "Round 2", "report": {"summary": "Talks in Geneva"}}
    assert headline("TalksHeld", payload) == "Talks in Geneva"
    assert headline("TalksHeld", {"title": "Round 2", "report": {}}) == "Round 2"
