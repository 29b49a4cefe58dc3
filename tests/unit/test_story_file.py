"""Story files: the seed story loads cleanly; errors name file, line and field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import fold, render_view
from newsledger.stories.story_file import (
    Story,
    StoryFileError,
    event_id_for,
    load_story,
    parse_story,
)
from tests.support.paths import ROOT, SEED_STORY

FISHERIES = ROOT / "tests" / "fixtures" / "stories" / "eu-uk-fisheries.yaml"

HEADER = """\
negotiation:
  id: demo
  title: Demo
  parties: [{party_id: aa, name: A}]
developments:
"""
ENTRY = """\
  - id: {id}
    type: NextRoundStatusChanged
    payload:
      status: NEXT_ROUND_STATUS_NOT_SCHEDULED
      report:
        occurred: {{precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}}
        sources:
          - source_id: s
            kind: SOURCE_KIND_WIRE
"""


def recorded(story: Story) -> list[RecordedEvent]:
    """Return the story's events as if appended in order to its stream."""
    return [
        RecordedEvent(
            event.event_id,
            story.stream,
            version,
            version + 1,
            event.event_type,
            event.schema_version,
            event.payload,
            event.metadata,
            datetime(2025, 6, 11, tzinfo=UTC),
        )
        for version, event in enumerate(story.events)
    ]


def test_seed_story_loads_and_folds_with_no_problems() -> None:
    """Given the seed file, it loads, folds without problems, and shows the truce and framework."""
    story = load_story(SEED_STORY)
    assert story.stream == "negotiation-us-china-trade-2025"
    assert story.events[0].event_type == "NegotiationOpened"
    state = fold(recorded(story))
    assert state is not None and state.problems == []
    view = render_view(state, date(2025, 6, 11))
    assert view["truce"]["days_remaining"] == 62
    assert view["outcomes"][0]["status"] == "OUTCOME_STATUS_AGREED_IN_PRINCIPLE"
    assert view["next_round"]["status"] == "NEXT_ROUND_STATUS_NOT_SCHEDULED"
    quotes = [q for s in view["statements"] for q in s.get("quotes", [])]
    # As printed, after the seed's own corrections: Lutnick 2, Li Chenggang 1, Cutler 2 + 1,
    # Trump 1 + 2 (Lutnick's "fundamental" is in the issues).
    assert len(quotes) == 9
    assert {"We had to clear the air", "Now we can move forward."} <= {q["text"] for q in quotes}


def test_seed_story_encodes_the_article_without_invented_figures() -> None:
    """Given the seed file, the World Bank cut has no figure, and every event cites Newslooks
    or, where the article is vague or stops, another outlet with the address it was read at."""
    story = load_story(SEED_STORY)
    forecast = next(e for e in story.events if e.event_type == "EconomicIndicatorReleased")
    assert "reported_value" not in forecast.payload
    for event in story.events[1:]:
        sources = event.payload["report"]["sources"]
        outlets = [source["outlet"] for source in sources]
        addressed = [source for source in sources if source.get("url")]
        assert "Newslooks" in outlets or addressed, event.metadata["development_id"]


def test_event_ids_are_stable_across_loads_and_metadata_names_the_development() -> None:
    """Given the same file loaded twice, the event ids are equal and derived from the ids."""
    first, second = load_story(SEED_STORY), load_story(SEED_STORY)
    assert [e.event_id for e in first.events] == [e.event_id for e in second.events]
    talks = next(e for e in first.events if e.metadata["development_id"] == "london-talks")
    assert talks.event_id == event_id_for("us-china-trade-2025", "london-talks")
    assert talks.metadata["source_name"] == "us-china-trade-2025.yaml"


def test_errors_give_file_line_entry_and_field_and_all_are_reported() -> None:
    """Given an entry missing a source's outlet and a float, both are named with their lines."""
    text = (
        HEADER
        + ENTRY.format(id="ok")
        + ENTRY.format(id="bad").replace(
            "kind: SOURCE_KIND_WIRE", "kind: SOURCE_KIND_WIRE\n            extra: 1.5"
        )
    )
    with pytest.raises(StoryFileError) as caught:
        parse_story(text, "demo.yaml")
    problems = caught.value.problems
    assert (
        "demo.yaml:24: developments[1] (bad).payload.report.sources[0].extra: unknown field"
        in problems
    )
    assert (
        "demo.yaml:22: developments[1] (bad).payload.report.sources[0].outlet: required" in problems
    )
    assert len(problems) == 3  # the outlet is missing in both entries, plus the extra field
    assert str(caught.value).count("demo.yaml:") == 3


def test_duplicate_development_ids_are_rejected() -> None:
    """Given two developments with one id, the second is named as a duplicate."""
    text = HEADER + ENTRY.format(id="same") + ENTRY.format(id="same")
    with pytest.raises(
        StoryFileError,
        match=r"demo.yaml:\d+: developments\[1\] \(same\).id: "
        r"duplicate development id",
    ):
        parse_story(
            text.replace(
                "kind: SOURCE_KIND_WIRE", "kind: SOURCE_KIND_WIRE\n            outlet: Wire"
            ),
            "demo.yaml",
        )


def test_bad_header_and_syntax_errors_name_the_line() -> None:
    """Given a header with an upper-case id, or broken YAML, the error gives the line."""
    with pytest.raises(StoryFileError, match=r"demo.yaml:2: negotiation.id: must be a lowercase"):
        parse_story(HEADER.replace("id: demo", "id: Demo"), "demo.yaml")
    with pytest.raises(StoryFileError, match=r"demo.yaml:3:"):
        parse_story("negotiation:\n  id: x\n  - broken", "demo.yaml")


def test_unquoted_dates_stay_strings() -> None:
    """Given an unquoted YAML date, the payload holds the string as written."""
    text = HEADER + ENTRY.format(id="d").replace('"2025-06-11"', "2025-06-11").replace(
        "kind: SOURCE_KIND_WIRE", "kind: SOURCE_KIND_WIRE\n            outlet: Wire"
    )
    event = parse_story(text, "demo.yaml").events[1]
    assert event.payload["report"]["occurred"]["start_date"] == "2025-06-11"


def test_a_second_negotiation_with_other_parties_works_unchanged() -> None:
    """Given the EU-UK fisheries fixture, it loads and folds with its own parties and deadline."""
    story = load_story(FISHERIES)
    state = fold(recorded(story))
    assert state is not None and state.problems == []
    view = render_view(state, date(2026, 3, 20))
    assert [party["party_id"] for party in view["parties"]] == ["eu", "uk"]
    assert view["truce"]["days_remaining"] == 12
    assert view["issues"][0]["status"] == "ISSUE_STATUS_STALLED"
    assert view["talks"][0]["lead_ids"] == ["anna-berg"]


VALID_ENTRY = ENTRY.replace(
    "kind: SOURCE_KIND_WIRE", "outlet: W\n            kind: SOURCE_KIND_WIRE"
)


def test_corrects_and_merge_into_name_developments_and_become_event_ids() -> None:
    """Given a merge naming two developments by id, the payload holds their event ids."""
    text = (
        HEADER
        + VALID_ENTRY.format(id="first")
        + VALID_ENTRY.format(id="second")
        + """\
  - id: merged
    type: DuplicatesMerged
    corrects: [second]
    merge_into: first
    payload:
      report:
        occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-12"}
        sources: [{source_id: desk, outlet: Desk, kind: SOURCE_KIND_OTHER}]
"""
    )
    merge = parse_story(text, "demo.yaml").events[-1]
    assert merge.payload["corrects"] == [str(event_id_for("demo", "second"))]
    assert merge.payload["into_event_id"] == str(event_id_for("demo", "first"))


def test_a_correction_without_corrects_or_with_event_ids_in_its_payload_is_named() -> None:
    """Given corrections written wrongly, each problem points at the entry's own key."""
    text = (
        HEADER
        + """\
  - id: retraction
    type: ReportRetracted
    payload:
      reason: wrong
      corrects: ["00000000-0000-0000-0000-000000000000"]
      report:
        occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-12"}
        sources: [{source_id: desk, outlet: Desk, kind: SOURCE_KIND_OTHER}]
  - id: self-merge
    type: DuplicatesMerged
    corrects: [self-merge, Not_A_Slug]
    merge_into: [a, b]
    payload:
      report:
        occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-12"}
        sources: [{source_id: desk, outlet: Desk, kind: SOURCE_KIND_OTHER}]
"""
    )
    with pytest.raises(StoryFileError) as raised:
        parse_story(text, "demo.yaml")
    problems = raised.value.problems
    assert any(
        "(retraction).payload.corrects: write `corrects:` on the entry" in p for p in problems
    )
    assert any(
        "(self-merge).corrects[0]: a development cannot correct itself" in p for p in problems
    )
    assert any("(self-merge).corrects[1]: must be a development id" in p for p in problems)
    assert any("(self-merge).merge_into: must be one development id" in p for p in problems)


def test_the_fictional_three_party_story_folds_with_its_corrections_applied() -> None:
    """Given the tri-basin fixture, every development and correction applies, none is stale."""
    story = load_story(ROOT / "tests" / "fixtures" / "stories" / "tri-basin-water-2026.yaml")
    state = fold(recorded(story))
    assert state is not None and state.problems == []
    view = render_view(state, date(2026, 9, 1))
    assert [p["party_id"] for p in view["parties"]] == ["riverland", "lakeland", "hillmark"]
    assert view["commitments"][0]["status"] == "COMMITMENT_STATUS_FULFILLED"
    assert "statements" not in view  # the only statement was retracted
