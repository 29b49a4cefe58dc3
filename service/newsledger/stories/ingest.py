"""Load a story file into the ledger, in-process or through the gRPC API; re-loading is a no-op.

Each load reads the negotiation's stream, checks the whole file against it (`stories.plan`)
and only then writes the new events: in one append when they fit in one batch, so the load
is all or nothing; else in batches, each expecting the stream as the last one left it, and
a failure part-way says exactly which developments were written (loading again writes the
rest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsledger.domain.json_text import normalise_json
from newsledger.store.records import NO_STREAM, ExpectedVersion, ProposedEvent
from newsledger.stories.plan import Plan, RecordedStream, plan_story
from newsledger.stories.story_file import Story, load_story, parse_developments

if TYPE_CHECKING:
    from newsledger.application.ledger import Ledger
    from newsledger.client.ledger_client import LedgerClient

CHUNK_EVENTS = 500
CHUNK_BYTES = 2 * 1024 * 1024
"""A batch holds at most this many events and JSON bytes (the store's caps are 1,000 and 4 MiB)."""

READ_PAGE = 1000

Append = Callable[[Sequence[ProposedEvent], int | None], None]
"""Appends a batch expecting the stream's last version (None: no stream yet)."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest did: how many events were new and how many were already recorded."""

    file: str
    negotiation_id: str
    stream: str
    events: int
    new: int
    already_recorded: int

    def __str__(self) -> str:
        nothing = "; nothing new written" if self.new == 0 else ""
        return (
            f"{self.file}: {self.events} event{'' if self.events == 1 else 's'} for negotiation "
            f"{self.negotiation_id} "
            f"({self.new} new, {self.already_recorded} already recorded){nothing}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return asdict(self)


class IngestInterrupted(Exception):
    """A load stopped part-way: a batch failed, or a stop was asked; says what was written."""


def batches(events: Sequence[ProposedEvent]) -> list[Sequence[ProposedEvent]]:
    """Split events into batches within CHUNK_EVENTS and CHUNK_BYTES, in order."""
    result: list[Sequence[ProposedEvent]] = []
    start, size = 0, 0
    for index, event in enumerate(events):
        event_bytes = len(normalise_json(event.payload).encode()) + len(
            normalise_json(event.metadata).encode()
        )
        if index > start and (index - start >= CHUNK_EVENTS or size + event_bytes > CHUNK_BYTES):
            result.append(events[start:index])
            start, size = index, 0
        size += event_bytes
    if start < len(events):
        result.append(events[start:])
    return result


def write_plan(
    plan: Plan,
    append: Append,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Append the plan's new events in batches; raise IngestInterrupted naming what was written."""
    written = 0
    version = plan.expected_version
    for batch in batches(plan.new):
        if stop is not None and stop():
            raise IngestInterrupted(_partial(plan, written, "stopped on request"))
        try:
            append(batch, version)
        except Exception as error:
            if written == 0:
                raise
            raise IngestInterrupted(_partial(plan, written, f"then failed: {error}")) from error
        written += len(batch)
        version = (-1 if version is None else version) + len(batch)
        if progress is not None:
            progress(written, len(plan.new))


def _partial(plan: Plan, written: int, what: str) -> str:
    ids = plan.new_development_ids
    done = (
        "nothing"
        if written == 0
        else f"{written} of {len(ids)} new events (developments {ids[0]} to {ids[written - 1]})"
    )
    return (
        f"{plan.story.document.source_name if plan.story.document else plan.stream}: wrote "
        f"{done} to {plan.stream}, {what}; nothing after that was written: load the same "
        "file again to write the rest"
    )


def expected(version: int | None) -> ExpectedVersion:
    """Return the expectation of an append made after reading the stream at version."""
    return NO_STREAM if version is None else ExpectedVersion.exact(version)


def read_recorded_in_process(ledger: Ledger, stream: str) -> RecordedStream:
    """Read what the negotiation's stream holds, straight from the store."""
    recorded = RecordedStream(stream)
    start = 0
    while True:
        rows = ledger.store.read_stream_rows(stream, from_version=start, limit=READ_PAGE)
        for row in rows:
            recorded.add(row[1], row[3], row[4], row[5], row[6], row[7])
        if len(rows) < READ_PAGE:
            return recorded
        start = rows[-1][3] + 1


def ingest_story_in_process(
    ledger: Ledger, path: Path, stop: Callable[[], bool] | None = None
) -> IngestReport:
    """Append the story's events through the application service (used by `serve --ingest`).

    stop, when given, is asked before each batch; when it says so, the load stops there.
    """
    story = load_story(path)
    plan = plan_story(story, read_recorded_in_process(ledger, story.stream))

    def append(batch: Sequence[ProposedEvent], version: int | None) -> None:
        ledger.append(story.stream, batch, expected(version))

    write_plan(plan, append, stop=stop)
    return _report(str(path), plan)


def read_recorded_over_grpc(client: LedgerClient, stream: str) -> RecordedStream:
    """Read what the negotiation's stream holds through ReadStream, page after page."""
    recorded = RecordedStream(stream)
    token = ""
    while True:
        page = client.read_stream(stream, page_size=READ_PAGE, page_token=token)
        for e in page.events:
            recorded.add(
                e.event_id,
                e.stream_version,
                e.event_type,
                e.schema_version,
                e.payload_json,
                e.metadata_json,
            )
        token = page.next_page_token
        if not token:
            return recorded


def ingest_story_over_grpc(
    client: LedgerClient, path: Path, progress: Callable[[int, int], None] | None = None
) -> IngestReport:
    """Append the story's events through AppendEvents, as any client would.

    progress, when given, is called with (events written, new events) after each batch.
    """
    return _load_over_grpc(client, load_story(path), str(path), progress)


def add_developments_over_grpc(
    client: LedgerClient,
    negotiation_id: str,
    text: str,
    source_name: str,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Append one development, or a list of them, to a recorded negotiation."""
    story = parse_developments(text, source_name, negotiation_id)
    return _load_over_grpc(client, story, source_name, progress)


def _load_over_grpc(
    client: LedgerClient,
    story: Story,
    name: str,
    progress: Callable[[int, int], None] | None,
) -> IngestReport:
    from google.protobuf.empty_pb2 import Empty

    from newsledger.client.ledger_client import proposed
    from newsledger.v1 import event_store_pb2 as es

    plan = plan_story(story, read_recorded_over_grpc(client, story.stream))

    def append(batch: Sequence[ProposedEvent], version: int | None) -> None:
        expectation = (
            es.ExpectedVersion(exact=version)
            if version is not None
            else es.ExpectedVersion(no_stream=Empty())
        )
        client.append(
            story.stream,
            [
                proposed(str(e.event_id), e.event_type, e.payload, e.metadata, e.schema_version)
                for e in batch
            ],
            expectation,
        )

    write_plan(plan, append, progress)
    return _report(name, plan)


def _report(name: str, plan: Plan) -> IngestReport:
    return IngestReport(
        file=name,
        negotiation_id=plan.story.negotiation_id,
        stream=plan.stream,
        events=plan.total,
        new=len(plan.new),
        already_recorded=plan.already_recorded,
    )
