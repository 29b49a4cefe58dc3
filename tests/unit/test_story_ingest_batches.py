"""Writing a story's new events: batches within the caps, and a stop saying what it wrote."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from newsledger.cli.exits import CommandError, ExitCode
from newsledger.cli.stories import _partial_load_explained
from newsledger.domain.json_text import normalise_json
from newsledger.store.records import ProposedEvent
from newsledger.stories import ingest
from newsledger.stories.ingest import IngestInterrupted, batches, write_plan
from newsledger.stories.plan import RecordedStream, plan_story
from newsledger.stories.story_file import parse_story

HEADER = "negotiation: {id: demo, title: Demo, parties: [{party_id: aa, name: A}]}\n"
ENTRY = (
    "  - {{id: said-{n}, type: NextRoundStatusChanged, payload: {{status: "
    "NEXT_ROUND_STATUS_NOT_SCHEDULED, summary_note: x, report: {{occurred: {{precision: "
    'DATE_PRECISION_DAY, start_date: "2025-06-11"}}, summary: {summary}, sources: '
    "[{{source_id: s, outlet: W, kind: SOURCE_KIND_WIRE}}]}}}}}}\n"
)


def story_text(count: int, summary: str = "none") -> str:
    entries = "".join(ENTRY.format(n=n, summary=summary) for n in range(count))
    return (HEADER + "developments:\n" + entries).replace("summary_note: x, ", "")


def events_of(count: int, summary: str = "none") -> Sequence[ProposedEvent]:
    story = parse_story(story_text(count, summary), "demo.yaml")
    return plan_story(story, RecordedStream(story.stream)).new


def test_a_story_that_fits_one_batch_is_one_atomic_append() -> None:
    assert [len(b) for b in batches(events_of(499))] == [500]


def test_batches_hold_at_most_500_events_and_2_mib() -> None:
    assert [len(b) for b in batches(events_of(1200))] == [500, 500, 201]
    wide = events_of(40, summary="x" * 100_000)
    split = batches(wide)
    assert [len(b) for b in split] == [21, 20]
    for batch in split:
        assert sum(len(normalise_json(e.payload)) for e in batch) <= ingest.CHUNK_BYTES


def test_a_failure_after_the_first_batch_names_what_was_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given the second batch refused, the error names the 500 written and how to resume."""
    story = parse_story(story_text(700), "demo.yaml")
    plan = plan_story(story, RecordedStream(story.stream))
    versions: list[int | None] = []

    def append(batch: Sequence[ProposedEvent], version: int | None) -> None:
        versions.append(version)
        if len(versions) == 2:
            raise ConnectionError("server gone")

    with pytest.raises(IngestInterrupted) as raised:
        write_plan(plan, append)
    assert versions == [None, 499]
    assert str(raised.value) == (
        "demo.yaml: wrote 500 of 701 new events (developments negotiation-opened to said-498) "
        "to negotiation-demo, then failed: server gone; nothing after that was written: load "
        "the same file again to write the rest"
    )
    assert isinstance(raised.value.__cause__, ConnectionError)


def test_a_failure_of_the_first_batch_is_the_failure_itself() -> None:
    story = parse_story(story_text(3), "demo.yaml")
    plan = plan_story(story, RecordedStream(story.stream))

    def append(batch: Sequence[ProposedEvent], version: int | None) -> None:
        raise ConnectionError("server gone")

    with pytest.raises(ConnectionError):
        write_plan(plan, append)


def test_nothing_new_writes_nothing() -> None:
    assert batches([]) == []
    assert ingest.CHUNK_EVENTS < 1000  # the store's cap on one batch


def test_a_command_stopped_part_way_exits_with_the_code_of_the_cause() -> None:
    """Given a load cut off as the server went away, the command exits 5 saying what it wrote."""
    try:
        try:
            raise CommandError("no server", ExitCode.UNAVAILABLE)
        except CommandError as cause:
            raise IngestInterrupted("demo.yaml: wrote 500 of 701") from cause
    except IngestInterrupted as stopped:
        with pytest.raises(CommandError) as raised, _partial_load_explained("ingest", "h:1"):
            raise stopped
    assert raised.value.code == ExitCode.UNAVAILABLE
    assert str(raised.value) == "demo.yaml: wrote 500 of 701"
