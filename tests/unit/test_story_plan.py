"""What a story adds to a recorded stream, decided before anything is written."""

from __future__ import annotations

import json
import uuid

import pytest

from newsledger.stories.plan import RecordedStream, plan_story
from newsledger.stories.story_file import StoryFileError, parse_story

OPENING = {"negotiation_id": "demo", "title": "Demo", "parties": [{"party_id": "aa", "name": "A"}]}
HEADER = "negotiation: {id: demo, title: Demo, parties: [{party_id: aa, name: A}]}\n"
REPORT = {"occurred": {"precision": "DATE_PRECISION_DAY", "start_date": "2025-06-10"}}
NEXT_ROUND = {"status": "NEXT_ROUND_STATUS_NOT_SCHEDULED", "report": REPORT}


def stream_with(*events: tuple[str, dict[str, object], dict[str, object]]) -> RecordedStream:
    """Return a recorded stream of (type, payload, metadata) events."""
    recorded = RecordedStream("negotiation-demo")
    for version, (event_type, payload, metadata) in enumerate(events):
        recorded.add(
            str(uuid.uuid4()), version, event_type, 1, json.dumps(payload), json.dumps(metadata)
        )
    return recorded


def test_a_header_equal_to_an_opening_written_by_another_client_is_skipped() -> None:
    """Given an opening recorded without a development id, the same header is no conflict."""
    story = parse_story(HEADER + "developments: []\n", "demo.yaml")
    plan = plan_story(story, stream_with(("NegotiationOpened", OPENING, {})))
    assert (plan.new, plan.already_recorded, plan.expected_version) == ((), 1, 0)


def test_a_header_for_a_stream_without_an_opening_is_refused() -> None:
    story = parse_story(HEADER + "developments: []\n", "demo.yaml")
    with pytest.raises(StoryFileError, match="holds events but no NegotiationOpened"):
        plan_story(story, stream_with(("StatementMade", {"statement_id": "s"}, {})))


def test_corrects_names_a_development_another_client_recorded() -> None:
    """Given a development recorded by a client with its own event id, a correction names it."""
    recorded = stream_with(
        ("NegotiationOpened", OPENING, {}),
        ("NextRoundStatusChanged", NEXT_ROUND, {"development_id": "said"}),
    )
    said_event_id = recorded.developments["said"].event_id
    text = (
        "continues: demo\n"
        "developments:\n"
        "  - id: retracted\n"
        "    type: ReportRetracted\n"
        "    corrects: [said]\n"
        "    payload: {reason: wrong, report: {occurred: {precision: DATE_PRECISION_DAY, "
        'start_date: "2025-06-11"}, sources: [{source_id: s, outlet: W, '
        "kind: SOURCE_KIND_WIRE}]}}\n"
    )
    plan = plan_story(parse_story(text, "later.yaml"), recorded)
    (event,) = plan.new
    assert event.payload["corrects"] == [said_event_id]
    assert plan.expected_version == 1


def test_a_development_too_large_for_the_store_is_named_before_anything_is_written() -> None:
    text = HEADER + (
        "developments:\n"
        "  - id: long-summary\n"
        "    type: NextRoundStatusChanged\n"
        "    payload: {status: NEXT_ROUND_STATUS_NOT_SCHEDULED, report: {summary: "
        + "x"
        * 300_000
        + ", "
        'occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}, '
        "sources: [{source_id: s, outlet: W, kind: SOURCE_KIND_WIRE}]}}\n"
    )
    story = parse_story(text, "big.yaml")
    with pytest.raises(
        StoryFileError,
        match=r"big\.yaml:3: developments\[0\] \(long-summary\): "
        r"its event takes \d+ bytes of JSON; the limit is 262144",
    ):
        plan_story(story, RecordedStream(story.stream))


def test_a_development_referring_to_what_the_negotiation_lacks_is_refused_before_writing() -> None:
    """Given a statement by a speaker never introduced, the plan names it and writes nothing:
    the ledger would record it, and its fold would report it as a problem for good."""
    text = (
        "continues: demo\n"
        "developments:\n"
        "  - id: said-by-nobody\n"
        "    type: StatementMade\n"
        "    payload: {statement_id: s1, speaker_id: nobody, kind: STATEMENT_KIND_REMARK, "
        "report: {occurred: "
        '{precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}, sources: '
        "[{source_id: s, outlet: W, kind: SOURCE_KIND_WIRE, quotes: [{speaker_id: nobody, "
        "text: hi, verbatim: true}]}]}}\n"
    )
    recorded = stream_with(("NegotiationOpened", OPENING, {}))
    with pytest.raises(StoryFileError) as refused:
        plan_story(parse_story(text, "add.yaml"), recorded)
    message = str(refused.value)
    assert "add.yaml:3: developments[0] (said-by-nobody)" in message
    assert "would not apply it" in message and "nobody" in message
    assert "introduce what it refers to first" in message


def test_a_development_refused_for_another_reason_gets_no_hint_to_introduce_it() -> None:
    """Given a truce extension that names nothing to extend, the plan says why, and does not
    tell the writer to introduce a reference: nothing is missing."""
    text = (
        "continues: demo\n"
        "developments:\n"
        "  - id: extended-nothing\n"
        "    type: DeadlineExtended\n"
        '    payload: {deadline: {precision: DATE_PRECISION_DAY, start_date: "2025-09-01"}, '
        "report: {occurred: "
        '{precision: DATE_PRECISION_DAY, start_date: "2025-06-11"}, sources: '
        "[{source_id: s, outlet: W, kind: SOURCE_KIND_WIRE}]}}\n"
    )
    recorded = stream_with(("NegotiationOpened", OPENING, {}))
    with pytest.raises(StoryFileError) as refused:
        plan_story(parse_story(text, "add.yaml"), recorded)
    message = str(refused.value)
    assert "a deadline needs a deadline_id or a truce_id" in message
    assert "introduce what it refers to first" not in message
