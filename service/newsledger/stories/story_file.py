"""Story files: a hand-written YAML list of a negotiation's developments, loaded as events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from newsledger.application.validation.payloads import validate_payload
from newsledger.domain.negotiation import InvalidNegotiationId, stream_for
from newsledger.domain.upcasting import current_version
from newsledger.store.records import ProposedEvent

STORY_NAMESPACE = uuid.UUID("3695feda-a2b1-49d9-b13c-dd4e2f0f6f86")
"""The UUIDv5 namespace of story events; never change it, or event ids change."""

OPENING_DEVELOPMENT_ID = "negotiation-opened"
"""The development id of the NegotiationOpened event emitted from the header."""

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
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class Story:
    """A loaded story: the negotiation, its stream and its events, opening event first."""

    negotiation_id: str
    stream: str
    events: tuple[ProposedEvent, ...]


class StoryFileError(ValueError):
    """A story file is invalid; `problems` lists every problem as `file:line: where: what`."""

    def __init__(self, problems: list[str]) -> None:
        """Keep every problem; the message lists them one per line."""
        super().__init__("\n".join(problems))
        self.problems = problems


def event_id_for(negotiation_id: str, development_id: str) -> uuid.UUID:
    """Return the stable event id of a development of a negotiation."""
    return uuid.uuid5(STORY_NAMESPACE, f"{negotiation_id}/{development_id}")


class _Document:
    """A YAML document as plain Python values, remembering each path's line number."""

    def __init__(self, text: str, source_name: str) -> None:
        """Compose the text and convert it, collecting duplicate-key problems."""
        self.source_name = source_name
        self.lines: dict[str, int] = {}
        self.problems: list[str] = []
        self._constructor = yaml.SafeLoader("")
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            line = mark.line + 1 if mark is not None else 1
            raise StoryFileError([f"{source_name}:{line}: {error.problem}"]) from None
        self.value = self._convert(root, "") if root is not None else None

    def _convert(self, node: yaml.Node, path: str) -> Any:
        """Convert a node to Python, recording its line; dates stay the strings written."""
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            own_keys = [str(key.value) for key, _ in node.value if key.tag != MERGE_TAG]
            for key in {key for key in own_keys if own_keys.count(key) > 1}:
                self.problems.append(self.where(f"{path}.{key}" if path else key, "duplicate key"))
            self._constructor.flatten_mapping(node)  # applies `<<: *anchor`; later keys win
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                result[key] = self._convert(value_node, f"{path}.{key}" if path else key)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if node.tag == TIMESTAMP_TAG:
            return node.value
        return self._constructor.construct_object(node, deep=True)

    def where(self, path: str, description: str, label: str = "") -> str:
        """Format a problem at `path`, using the line of its nearest ancestor that exists."""
        probe = path
        while probe and probe not in self.lines:
            probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
        line = self.lines.get(probe, 1)
        shown = re.sub(r"^(developments\[\d+\])", rf"\1{label}", path) if label else path
        return f"{self.source_name}:{line}: {shown}: {description}"


def _floats_in(value: Any, path: str) -> list[str]:
    """Return the paths of float values inside `value`."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, Mapping):
        return [p for key, item in value.items() for p in _floats_in(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _floats_in(item, f"{path}[{i}]")]
    return []


def _opening_event(doc: _Document, header: Any) -> ProposedEvent | None:
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
    doc: _Document, negotiation_id: str, index: int, entry: Any, seen: set[str]
) -> ProposedEvent | None:
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
    if isinstance(payload, Mapping):
        payload = {**payload, **_references(entry, negotiation_id, problem)}
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
    return ProposedEvent(
        event_id=event_id_for(negotiation_id, development_id),
        event_type=event_type,
        schema_version=schema_version,
        payload=dict(payload),
        metadata={**metadata, "development_id": development_id, "source_name": doc.source_name},
    )


def _references(
    entry: Mapping[str, Any],
    negotiation_id: str,
    problem: Callable[[str, str], None],
) -> dict[str, Any]:
    """Return the payload fields that `corrects` and `merge_into` give: their event ids."""
    fields: dict[str, Any] = {}
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
        event_ids = [str(event_id_for(negotiation_id, str(d))) for d in ids]
        fields[field] = event_ids if key == "corrects" else event_ids[0]
    return fields


def parse_story(text: str, source_name: str) -> Story:
    """Parse a story file's text; raises StoryFileError listing every problem found."""
    doc = _Document(text, source_name)
    root = doc.value
    if not isinstance(root, Mapping):
        raise StoryFileError([f"{source_name}:1: the file must hold negotiation and developments"])
    for key in sorted(set(root) - {"negotiation", "developments"}):
        doc.problems.append(doc.where(key, "unknown field"))
    opening = _opening_event(doc, root.get("negotiation"))
    negotiation_id = opening.payload["negotiation_id"] if opening else ""
    entries = root.get("developments")
    if not isinstance(entries, list):
        doc.problems.append(doc.where("developments", "required: a list of developments"))
        entries = []
    seen = {OPENING_DEVELOPMENT_ID}
    events = [opening] + [
        _development_event(doc, negotiation_id, index, entry, seen)
        for index, entry in enumerate(entries)
    ]
    try:
        stream = stream_for(negotiation_id)
    except InvalidNegotiationId:
        stream = ""
    if doc.problems:
        raise StoryFileError(doc.problems)
    return Story(negotiation_id, stream, tuple(event for event in events if event is not None))


def load_story(path: str | Path) -> Story:
    """Load a story file; problems name the file by its base name and the line."""
    story_path = Path(path)
    return parse_story(story_path.read_text(encoding="utf-8"), story_path.name)
