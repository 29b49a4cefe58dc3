"""What a story file adds to its negotiation, checked whole against what is recorded already.

The loader reads the negotiation's stream first. A development recorded before with the same
content is skipped (so a file, renamed or copied, loads again as a no-op); one recorded with
other content is an error naming the field that differs. `corrects:` and `merge_into:` may
name developments of the file or any recorded before, from whichever file or client. Every
problem is found before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsledger.application.validation.corrections import Target, violations_against
from newsledger.domain.appliers import NEGOTIATION_OPENED
from newsledger.domain.events import RecordedEvent
from newsledger.domain.json_text import normalise_json
from newsledger.store.limits import StoreLimits
from newsledger.store.records import ProposedEvent
from newsledger.stories import dry_fold
from newsledger.stories.story_file import (
    OPENING_DEVELOPMENT_ID,
    REFERENCE_KEYS,
    Development,
    Story,
    StoryFileError,
)

IGNORED_METADATA = frozenset({"source_name"})
"""Metadata that may differ between two loads of one development: the file's name."""

ENTRY_KEY_OF = {field: key for key, field in REFERENCE_KEYS.items()}


class NegotiationNotRecorded(StoryFileError):
    """A continuation names a negotiation that has no recorded opening."""


@dataclass(frozen=True, slots=True)
class RecordedDevelopment:
    """An event of the negotiation's stream, as the loader compares and names it."""

    event_id: str
    event_type: str
    schema_version: int
    payload: dict[str, Any]
    metadata: dict[str, Any]


@dataclass(slots=True)
class RecordedStream:
    """What a negotiation's stream holds: its version and its developments by id."""

    stream: str
    version: int | None = None
    first_type: str | None = None
    opening: RecordedDevelopment | None = None
    """The first event when it is NegotiationOpened, whatever development id it carries."""
    developments: dict[str, RecordedDevelopment] = field(default_factory=dict)
    events: list[RecordedEvent] = field(default_factory=list)
    """Every event of the stream in order, as the fold takes them."""

    def add(
        self,
        event_id: str,
        stream_version: int,
        event_type: str,
        schema_version: int,
        payload_json: str,
        metadata_json: str,
    ) -> None:
        """Take in one recorded event, read in stream order."""
        metadata = json.loads(metadata_json)
        development_id = metadata.get("development_id")
        key = development_id if isinstance(development_id, str) else event_id
        development = RecordedDevelopment(
            event_id, event_type, schema_version, json.loads(payload_json), metadata
        )
        if self.version is None:
            self.first_type = event_type
            if event_type == NEGOTIATION_OPENED:
                self.opening = development
        self.version = stream_version
        self.developments.setdefault(key, development)
        self.events.append(
            dry_fold.recorded_event(
                self.stream,
                stream_version,
                event_id,
                event_type,
                schema_version,
                development.payload,
                metadata,
            )
        )

    @property
    def opened(self) -> bool:
        """Tell whether the stream begins with NegotiationOpened."""
        return self.first_type == NEGOTIATION_OPENED


@dataclass(frozen=True, slots=True)
class Plan:
    """The events a story adds, in order, and how many of its events are recorded already."""

    story: Story
    stream: str
    new: tuple[ProposedEvent, ...]
    new_development_ids: tuple[str, ...]
    already_recorded: int
    expected_version: int | None
    """The stream's last version when it was read: the appends expect it unchanged."""

    @property
    def total(self) -> int:
        """Return the number of events the file holds."""
        return len(self.new) + self.already_recorded


def plan_story(story: Story, recorded: RecordedStream) -> Plan:
    """Return what the story adds to the recorded stream; raise StoryFileError if it cannot."""
    planner = _Planner(story, recorded)
    planner.check_opening()
    if story.continues and recorded.version is None:
        raise NegotiationNotRecorded(planner.problems)
    for development in story.developments:
        planner.take(development)
    planner.check_corrections()
    planner.check_references()
    if planner.problems:
        raise StoryFileError(planner.problems)
    return Plan(
        story=story,
        stream=story.stream,
        new=tuple(event for _, event in planner.new),
        new_development_ids=tuple(d for d, _ in planner.new),
        already_recorded=planner.already_recorded,
        expected_version=recorded.version,
    )


class _Planner:
    """Walks a story's events against the recorded stream, collecting problems."""

    def __init__(self, story: Story, recorded: RecordedStream) -> None:
        self.story = story
        self.recorded = recorded
        self.problems: list[str] = []
        self.new: list[tuple[str, ProposedEvent]] = []
        self.new_entries: list[Development | None] = []
        self.already_recorded = 0
        self.event_ids: dict[str, str] = {d: r.event_id for d, r in recorded.developments.items()}
        self.later = {d.development_id for d in story.developments}

    def check_opening(self) -> None:
        """Check the header against a recorded opening, or that the continued one exists."""
        story, recorded = self.story, self.recorded
        negotiation = story.negotiation_id
        if recorded.version is not None and not recorded.opened:
            self.problems.append(
                story.where(
                    "continues" if story.continues else "negotiation",
                    f"stream {recorded.stream} holds events but no {NEGOTIATION_OPENED}, "
                    "so it is no negotiation to continue",
                )
            )
            return
        if story.continues:
            if not recorded.opened:
                self.problems.append(
                    story.where(
                        "continues",
                        f"no negotiation {negotiation!r} is recorded: load the file that opens it "
                        "(with a `negotiation:` header) first, or check the id",
                    )
                )
            return
        opening = story.opening
        assert opening is not None
        previous = recorded.opening
        if previous is None:
            self.new.append((OPENING_DEVELOPMENT_ID, opening))
            self.new_entries.append(None)
            return
        difference = _first_difference(previous.payload, _plain(opening.payload))
        if difference is None:
            self.already_recorded += 1
            return
        path, was, now = difference
        field_path = "id" if path == "negotiation_id" else path
        where = f"negotiation.{field_path}" if field_path else "negotiation"
        self.problems.append(
            story.where(
                where,
                f"differs from negotiation {negotiation}'s recorded opening (recorded {was}, "
                f"here {now}); an opening never changes: to add developments, replace the "
                f"header with `continues: {negotiation}`",
            )
        )

    def take(self, development: Development) -> None:
        """Resolve what the development names, then keep it as new, or skip it as recorded."""
        self.later.discard(development.development_id)
        event = self._resolved(development)
        previous = self.recorded.developments.get(development.development_id)
        if event is None:
            return
        if previous is None:
            self._check_size(development, event)
            self.event_ids[development.development_id] = str(event.event_id)
            self.new.append((development.development_id, event))
            self.new_entries.append(development)
            return
        difference = _difference(previous, event)
        if difference is None:
            self.already_recorded += 1
            return
        path, was, now = difference
        self.problems.append(
            self.story.where(
                f"{development.path}.{path}",
                f"differs from development {development.development_id} as recorded "
                f"(recorded {was}, here {now}); a recorded development never changes: to "
                "change it add a correction (FactCorrected, SourceAttached...) with a new id, "
                "or give this entry a new id if it reports another development",
                development.label,
            )
        )

    def _check_size(self, development: Development, event: ProposedEvent) -> None:
        """Note a development too large for the store, as the store would refuse it."""
        size = len(normalise_json(event.payload).encode()) + len(
            normalise_json(event.metadata).encode()
        )
        limit = StoreLimits().max_event_bytes
        if size > limit:
            self.problems.append(
                self.story.where(
                    development.path,
                    f"its event takes {size} bytes of JSON; the limit is {limit}",
                    development.label,
                )
            )

    def _resolved(self, development: Development) -> ProposedEvent | None:
        """Return the event with the event ids of what it names, or None (problems noted)."""
        payload = dict(development.event.payload)
        problems_before = len(self.problems)
        for field_name, named in development.references.items():
            key = ENTRY_KEY_OF[field_name]
            resolved: list[str] = []
            for index, development_id in enumerate(named):
                where = f"{development.path}.{key}" + (
                    f"[{index}]" if field_name == "corrects" else ""
                )
                event_id = self.event_ids.get(development_id)
                if event_id is not None:
                    resolved.append(event_id)
                    continue
                if development_id in self.later:
                    why = "which comes later in this file: move this entry after it"
                else:
                    why = (
                        f"which negotiation {self.story.negotiation_id} does not hold: none is "
                        "recorded and none comes earlier in this file"
                    )
                self.problems.append(
                    self.story.where(where, f"names {development_id!r}, {why}", development.label)
                )
            payload[field_name] = resolved if field_name == "corrects" else "".join(resolved[:1])
        if len(self.problems) > problems_before:
            return None
        event = development.event
        return ProposedEvent(
            event_id=event.event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            payload=payload,
            metadata=event.metadata,
        )

    def check_corrections(self) -> None:
        """Check the new corrections as the ledger will: targets, and the facts they set."""
        if self.problems:
            return
        targets: dict[str, Target] = {
            r.event_id: (r.event_type, r.schema_version, r.payload)
            for r in self.recorded.developments.values()
        }
        events = [event for _, event in self.new]
        for violation in violations_against(targets, events):
            match = re.fullmatch(r"events\[(\d+)\]\.payload_json\.?(.*)", violation.field)
            entry = self.new_entries[int(match.group(1))] if match else None
            if entry is None or match is None:
                self.problems.append(
                    self.story.where("negotiation", f"{violation.field}: {violation.description}")
                )
                continue
            path = match.group(2)
            head = path.split("[")[0].split(".")[0]
            shown = (
                path.replace(head, ENTRY_KEY_OF[head], 1)
                if head in ENTRY_KEY_OF
                else (f"payload.{path}")
            )
            self.problems.append(
                self.story.where(f"{entry.path}.{shown}", violation.description, entry.label)
            )

    def check_references(self) -> None:
        """Check that the ledger's fold would apply every new development: that each one
        refers only to people, measures and other records the negotiation has by then."""
        if self.problems or not self.new:
            return
        events = [event for _, event in self.new]
        for index, why, lacks_reference in dry_fold.refused(
            self.story.stream, self.recorded.events, events
        ):
            entry = self.new_entries[index]
            if entry is None:
                self.problems.append(self.story.where("negotiation", f"not applied: {why}"))
                continue
            hint = MISSING_HINT if lacks_reference else ""
            self.problems.append(
                self.story.where(
                    entry.path,
                    f"the negotiation's view would not apply it: {why}{hint}",
                    entry.label,
                )
            )


MISSING_HINT = "; introduce what it refers to first (in this file or recorded before)"


def _plain(value: Mapping[str, Any]) -> Any:
    """Return a payload or metadata as the store keeps it (normalised JSON, read back)."""
    return json.loads(normalise_json(value))


def _difference(previous: RecordedDevelopment, event: ProposedEvent) -> tuple[str, str, str] | None:
    """Return (path, recorded, here) of the first difference of two developments, or None."""
    if previous.event_type != event.event_type:
        return "type", previous.event_type, event.event_type
    if previous.schema_version != event.schema_version:
        return "schema_version", str(previous.schema_version), str(event.schema_version)
    payload = _first_difference(previous.payload, _plain(event.payload))
    if payload is not None:
        path, was, now = payload
        head = path.split("[")[0].split(".")[0]
        if head in ENTRY_KEY_OF:
            return path.replace(head, ENTRY_KEY_OF[head], 1), was, now
        return f"payload.{path}" if path else "payload", was, now
    metadata = _first_difference(
        _without(previous.metadata, IGNORED_METADATA),
        _without(_plain(event.metadata), IGNORED_METADATA),
    )
    if metadata is not None:
        path, was, now = metadata
        return f"metadata.{path}" if path else "metadata", was, now
    return None


def _without(value: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if key not in keys}


def _shown(value: Any) -> str:
    text = "nothing" if value is _ABSENT else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


_ABSENT = object()


def _first_difference(was: Any, now: Any, path: str = "") -> tuple[str, str, str] | None:
    """Return (path, was, now) where two JSON values first differ, or None when equal."""
    if isinstance(was, dict) and isinstance(now, dict):
        for key in sorted(set(was) | set(now)):
            inner = _first_difference(
                was.get(key, _ABSENT), now.get(key, _ABSENT), f"{path}.{key}" if path else key
            )
            if inner is not None:
                return inner
        return None
    if isinstance(was, list) and isinstance(now, list) and len(was) == len(now):
        for index, (a, b) in enumerate(zip(was, now, strict=True)):
            inner = _first_difference(a, b, f"{path}[{index}]")
            if inner is not None:
                return inner
        return None
    if was == now and type(was) is type(now):
        return None
    return path, _shown(was), _shown(now)
