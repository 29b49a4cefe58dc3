"""Story files: a hand-written YAML list of a negotiation's developments, loaded as events.

A file either opens a negotiation (a `negotiation:` header) or continues one recorded
before (`continues: <id>`). Parsing checks the file on its own; `stories.plan` then checks
it against what the negotiation already holds before anything is written.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsledger.application.validation.payloads import validate_payload
from newsledger.domain.negotiation import NEGOTIATION_ID_PATTERN, InvalidNegotiationId, stream_for
from newsledger.domain.upcasting import current_version
from newsledger.store.records import ProposedEvent
from newsledger.stories.yaml_document import MAX_FILE_BYTES, Document, DocumentError

STORY_NAMESPACE = uuid.UUID("3695feda-a2b1-49d9-b13c-dd4e2f0f6f86")
"""The UUIDv5 namespace of story events; never change it, or event ids change."""

OPENING_DEVELOPMENT_ID = "negotiation-opened"
"""The development id of the NegotiationOpened event emitted from the header."""

TOP_KEYS = frozenset({"negotiation", "continues", "developments"})
HEADER_KEYS = frozenset({"id", "title", "parties", "report"})
ENTRY_KEYS = frozenset(
    {"id", "type", "schema_version", "payload", "metadata", "corrects", "merge_into"}
)
REFERENCE_KEYS = {"corrects": "corrects", "merge_into": "into_event_id"}
"""Entry keys naming developments by id, and the payload field that gets their event ids."""
ENTRY_FIELDS = {
    "event_type": "type",
    "schema_version": "schema_version",
    "corrects": "corrects",
    "into_event_id": "merge_into",
}
"""Violations of these payload-level names are reported at the entry's own keys."""
RESERVED_METADATA = frozenset({"development_id", "source_name"})
DEVELOPMENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_PROBLEMS_SHOWN = 50
"""The most problems an error's message lists; `problems` keeps them all."""


@dataclass(frozen=True, slots=True)
class Development:
    """One development of a file: its id, where it is, what it names, and its event."""

    development_id: str
    index: int
    references: dict[str, list[str]]
    """Payload field (`corrects`, `into_event_id`) -> the development ids the entry names."""
    event: ProposedEvent

    @property
    def path(self) -> str:
        """Return the entry's path in the file, e.g. `developments[3]`."""
        return f"developments[{self.index}]"

    @property
    def label(self) -> str:
        """Return the entry's id as problems show it after the path."""
        return f" ({self.development_id})"


@dataclass(frozen=True, slots=True)
class Story:
    """A loaded story: the negotiation, its stream and its events, opening event first.

    `continues` is true for a file that continues a negotiation (no header, no opening).
    """

    negotiation_id: str
    stream: str
    events: tuple[ProposedEvent, ...]
    continues: bool = False
    developments: tuple[Development, ...] = ()
    document: Document | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def opening(self) -> ProposedEvent | None:
        """Return the NegotiationOpened event of the header, or None for a continuation."""
        return None if self.continues or not self.events else self.events[0]

    def where(self, path: str, description: str, label: str = "") -> str:
        """Format a problem at a path of the file: `file:line: path: description`."""
        if self.document is None:
            return f"{path}: {description}"
        return self.document.where(path, description, label)


class StoryFileError(ValueError):
    """A story file is invalid; `problems` lists every problem as `file:line: where: what`."""

    def __init__(self, problems: list[str]) -> None:
        """Keep every problem; the message lists them one per line (the first 50 and a count)."""
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown = [*shown, f"... {len(problems)} problems in all; the first {len(shown)} shown"]
        super().__init__("\n".join(shown))
        self.problems = problems


def event_id_for(negotiation_id: str, development_id: str) -> uuid.UUID:
    """Return the stable event id of a development of a negotiation."""
    return uuid.uuid5(STORY_NAMESPACE, f"{negotiation_id}/{development_id}")


def _floats_in(value: Any, path: str) -> list[str]:
    """Return the paths of float values inside `value`."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, Mapping):
        return [p for key, item in value.items() for p in _floats_in(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _floats_in(item, f"{path}[{i}]")]
    return []


def _opening_event(doc: Document, header: Any) -> ProposedEvent | None:
    """Build the NegotiationOpened event from the header, recording problems in `doc`."""
    if not isinstance(header, Mapping):
        doc.problems.append(doc.where("negotiation", "required: an object with id, title, parties"))
        return None
    for key in sorted(set(header) - HEADER_KEYS):
        doc.problems.append(doc.where(f"negotiation.{key}", "unknown field"))
    negotiation_id = str(header.get("id", ""))
    fields = {key: value for key, value in header.items() if key in HEADER_KEYS - {"id"}}
    payload = {"negotiation_id": negotiation_id, **fields}
    for violation in validate_payload("NegotiationOpened", 1, payload):
        path = "negotiation." + violation.field.replace("negotiation_id", "id", 1)
        doc.problems.append(doc.where(path, violation.description))
    metadata = {"development_id": OPENING_DEVELOPMENT_ID, "source_name": doc.source_name}
    return ProposedEvent(
        event_id=event_id_for(negotiation_id, OPENING_DEVELOPMENT_ID),
        event_type="NegotiationOpened",
        payload=payload,
        metadata=metadata,
    )


def _development_event(
    doc: Document, negotiation_id: str, index: int, entry: Any, seen: set[str]
) -> Development | None:
    """Build one development's event, recording every problem with it in `doc`."""
    path = f"developments[{index}]"
    if not isinstance(entry, Mapping):
        doc.problems.append(doc.where(path, "must be an object with id, type and payload"))
        return None
    development_id = str(entry.get("id", ""))
    label = f" ({development_id})" if development_id else ""
    problems_before = len(doc.problems)

    def problem(field: str, description: str) -> None:
        doc.problems.append(doc.where(f"{path}.{field}" if field else path, description, label))

    for key in sorted(set(entry) - ENTRY_KEYS):
        problem(key, "unknown field")
    if not DEVELOPMENT_ID.fullmatch(development_id):
        problem("id", "required: a lowercase slug such as london-talks")
    elif development_id in seen:
        problem("id", f"duplicate development id {development_id!r}")
    seen.add(development_id)
    event_type, payload = str(entry.get("type", "")), entry.get("payload")
    schema_version = entry.get("schema_version", current_version(event_type))
    if isinstance(schema_version, bool) or not isinstance(schema_version, int):
        problem("schema_version", "must be an integer")
        schema_version = 1
    metadata = entry.get("metadata", {})
    if not isinstance(metadata, Mapping):
        problem("metadata", "must be an object")
        metadata = {}
    for key in sorted(RESERVED_METADATA & set(metadata)):
        problem(f"metadata.{key}", "reserved: set by the loader")
    for float_path in _floats_in(metadata, "metadata"):
        problem(float_path, "floats are not allowed: write figures as decimal strings")
    references = _named_developments(entry, problem)
    if isinstance(payload, Mapping):
        payload = {**payload, **_event_ids(negotiation_id, references)}
    if not event_type:
        problem("type", "required")
    elif not isinstance(payload, Mapping):
        problem("payload", "required: an object")
    else:
        for violation in validate_payload(event_type, schema_version, payload):
            field = ENTRY_FIELDS.get(violation.field, violation.field)
            prefix = "" if field in ENTRY_FIELDS.values() else "payload."
            problem(prefix + field, violation.description)
    if len(doc.problems) > problems_before or not isinstance(payload, Mapping):
        return None
    event = ProposedEvent(
        event_id=event_id_for(negotiation_id, development_id),
        event_type=event_type,
        schema_version=schema_version,
        payload=dict(payload),
        metadata={**metadata, "development_id": development_id, "source_name": doc.source_name},
    )
    return Development(development_id, index, references, event)


def _event_ids(negotiation_id: str, references: Mapping[str, list[str]]) -> dict[str, Any]:
    """Return the payload fields for the named developments, as if they were in this file.

    `stories.plan` replaces them with the recorded event ids of developments recorded before.
    """
    fields: dict[str, Any] = {}
    for field_name, development_ids in references.items():
        event_ids = [str(event_id_for(negotiation_id, d)) for d in development_ids]
        fields[field_name] = event_ids if field_name == "corrects" else event_ids[0]
    return fields


def _named_developments(
    entry: Mapping[str, Any], problem: Callable[[str, str], None]
) -> dict[str, list[str]]:
    """Return, per payload field, the development ids `corrects` and `merge_into` name."""
    fields: dict[str, list[str]] = {}
    payload = entry.get("payload")
    for key, field in REFERENCE_KEYS.items():
        if isinstance(payload, Mapping) and field in payload:
            problem(f"payload.{field}", f"write `{key}:` on the entry, with development ids")
        if key not in entry:
            continue
        named = entry[key]
        ids = named if isinstance(named, list) else [named]
        if key == "merge_into" and isinstance(named, list):
            problem(key, "must be one development id")
        for index, development_id in enumerate(ids):
            where = f"{key}[{index}]" if isinstance(named, list) else key
            if not isinstance(development_id, str) or not DEVELOPMENT_ID.fullmatch(development_id):
                problem(where, "must be a development id such as london-talks")
            elif development_id == entry.get("id"):
                problem(where, "a development cannot correct itself")
        if not ids:
            problem(key, "must name at least one development id")
            continue
        fields[field] = [str(d) for d in ids]
    return fields


def _continued_negotiation(doc: Document, value: Any) -> str:
    """Return the id a continuation names, recording a problem when it is not one."""
    if not isinstance(value, str) or not NEGOTIATION_ID_PATTERN.fullmatch(value):
        doc.problems.append(
            doc.where("continues", "must be the id of a recorded negotiation, a lowercase slug")
        )
        return ""
    return value


def _document(text: str, source_name: str) -> Document:
    try:
        return Document(text, source_name)
    except DocumentError as error:
        raise StoryFileError(error.problems) from None


def parse_story(text: str, source_name: str) -> Story:
    """Parse a story file's text; raises StoryFileError listing every problem found."""
    return _parsed(_document(text, source_name))


def _parsed(doc: Document) -> Story:
    """Check a story file's document and build its events; raises StoryFileError."""
    source_name = doc.source_name
    root = doc.value
    if not isinstance(root, Mapping):
        raise StoryFileError(
            [
                f"{source_name}:1: the file must hold `negotiation:` (or `continues:`) "
                "and `developments:`"
            ]
        )
    for key in sorted(set(root) - TOP_KEYS):
        doc.problems.append(doc.where(key, "unknown field"))
    continues = "continues" in root
    opening: ProposedEvent | None = None
    if continues and "negotiation" in root:
        doc.problems.append(
            doc.where(
                "continues",
                "a file either opens a negotiation (`negotiation:`) "
                "or continues one (`continues:`), not both",
            )
        )
    if continues:
        negotiation_id = _continued_negotiation(doc, root.get("continues"))
    else:
        opening = _opening_event(doc, root.get("negotiation"))
        negotiation_id = opening.payload["negotiation_id"] if opening else ""
    entries = root.get("developments")
    if not isinstance(entries, list):
        doc.problems.append(doc.where("developments", "required: a list of developments"))
        entries = []
    seen = {OPENING_DEVELOPMENT_ID}
    developments = [
        _development_event(doc, negotiation_id, index, entry, seen)
        for index, entry in enumerate(entries)
    ]
    try:
        stream = stream_for(negotiation_id)
    except InvalidNegotiationId:
        stream = ""
    if doc.problems:
        raise StoryFileError(doc.problems)
    kept = tuple(d for d in developments if d is not None)
    events = ([] if opening is None else [opening]) + [d.event for d in kept]
    return Story(negotiation_id, stream, tuple(events), continues, kept, doc)


def parse_developments(text: str, source_name: str, negotiation_id: str) -> Story:
    """Parse one development (an entry) or a list of them, as a continuation of a negotiation.

    What `newsledger add` reads: the entries of a story file, without the file around them.
    """
    doc = _document(text, source_name)
    value = doc.value
    if isinstance(value, Mapping) and "developments" in value:
        raise StoryFileError(
            [f"{source_name}:1: this is a story file: load it with `newsledger ingest`"]
        )
    if isinstance(value, Mapping):
        doc.lines = {f"developments[0]{'.' if p else ''}{p}": n for p, n in doc.lines.items()}
        value = [value]
    elif isinstance(value, list):
        doc.lines = {f"developments{p}": n for p, n in doc.lines.items()}
    else:
        raise StoryFileError(
            [f"{source_name}:1: give a development (id, type, payload) or a list of them"]
        )
    doc.value = {"continues": negotiation_id, "developments": value}
    doc.lines.setdefault("continues", 1)
    return _parsed(doc)


def load_story(path: str | Path) -> Story:
    """Load a story file; problems name the file by its base name and the line."""
    story_path = Path(path)
    return parse_story(read_text(story_path), story_path.name)


def read_text(path: Path) -> str:
    """Return a story file's text; refuse one over the size limit before reading it."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise StoryFileError(
            [f"{path.name}:1: the file is {size} bytes; the limit is {MAX_FILE_BYTES}"]
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise StoryFileError([f"{path.name}:1: not UTF-8 text ({error.reason})"]) from None
