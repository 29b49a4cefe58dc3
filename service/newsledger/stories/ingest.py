"""Load a story file into the ledger, in-process or through the gRPC API; re-loading is a no-op."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsledger.store.records import ProposedEvent
from newsledger.stories.story_file import load_story

if TYPE_CHECKING:
    from newsledger.application.ledger import Ledger
    from newsledger.client.ledger_client import LedgerClient

CHUNK = 500


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
        return (
            f"{self.file}: {self.events} events for negotiation {self.negotiation_id} "
            f"({self.new} new, {self.already_recorded} already recorded)"
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return asdict(self)


def _chunks(events: Sequence[ProposedEvent]) -> list[Sequence[ProposedEvent]]:
    return [events[start : start + CHUNK] for start in range(0, len(events), CHUNK)]


def ingest_story_in_process(ledger: Ledger, path: Path) -> IngestReport:
    """Append the story's events through the application service (used by `serve --ingest`)."""
    story = load_story(path)
    before = ledger.store.stream_version(story.stream)
    for chunk in _chunks(story.events):
        ledger.append(story.stream, chunk)
    new = _length(ledger.store.stream_version(story.stream)) - _length(before)
    return _report(path, story.negotiation_id, story.stream, len(story.events), new)


def _length(last_version: int | None) -> int:
    return 0 if last_version is None else last_version + 1


def ingest_story_over_grpc(
    client: LedgerClient, path: Path, progress: Callable[[int, int], None] | None = None
) -> IngestReport:
    """Append the story's events through AppendEvents, as any client would.

    progress, when given, is called with (events sent, events in the story) after each chunk.
    """
    from newsledger.client.ledger_client import proposed

    story = load_story(path)
    before = _stream_length(client, story.stream)
    sent = 0
    for chunk in _chunks(story.events):
        client.append(
            story.stream,
            [
                proposed(
                    str(e.event_id),
                    e.event_type,
                    e.payload,
                    e.metadata,
                    e.schema_version,
                )
                for e in chunk
            ],
        )
        sent += len(chunk)
        if progress is not None:
            progress(sent, len(story.events))
    new = _stream_length(client, story.stream) - before
    return _report(path, story.negotiation_id, story.stream, len(story.events), new)


def _stream_length(client: LedgerClient, stream: str) -> int:
    from newsledger.v1 import event_store_pb2 as es

    page = client.read_stream(stream, direction=es.READ_DIRECTION_BACKWARD, page_size=1)
    return page.events[0].stream_version + 1 if page.events else 0


def _report(path: Path, negotiation_id: str, stream: str, total: int, new: int) -> IngestReport:
    return IngestReport(
        file=str(path),
        negotiation_id=negotiation_id,
        stream=stream,
        events=total,
        new=new,
        already_recorded=total - new,
    )
