"""Referential integrity: the developments a fold refused for ids the negotiation lacks.

The fold records such a development as a problem, for the log may already hold it. An append
asks the fold to collect them instead, so it can refuse the batch before it commits: each
refusal names the event, where its payload holds the missing ids, and the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsledger.domain.references import UnknownReference


@dataclass(frozen=True, slots=True)
class RefusedReference:
    """A development that refers to ids its negotiation does not have at its place."""

    event_id: str
    development_id: str
    event_type: str
    field: str
    paths: tuple[str, ...]
    missing: tuple[str, ...]
    description: str


class ReferencesRefused(Exception):
    """An append holds developments referring to ids their negotiation does not have."""

    def __init__(self, refused: Sequence[RefusedReference]) -> None:
        self.refused = list(refused)
        super().__init__("; ".join(f"{r.development_id}: {r.description}" for r in self.refused))


def paths_of(value: Any, wanted: set[str], prefix: str = "") -> Iterator[str]:
    """Yield the paths (`report.sources[0].quotes[1].speaker_id`) of strings in `wanted`."""
    if isinstance(value, str):
        if value in wanted:
            yield prefix
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from paths_of(item, wanted, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, wanted, f"{prefix}[{index}]")


def _root(path: str) -> str:
    """Return the first field name of a path (`report` of `report.sources[0]`)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def ordered_paths(paths: Iterable[str], field: str) -> list[str]:
    """Return the paths under the field the fold named first, then the others, each sorted.

    `field` is the fold's label, such as `report`, `speaker_id` or `imposed_by/targets`; a
    label that no path is under (a correction's consequence) still orders the rest.
    """
    labels = {_root(label) for label in field.split("/")}
    found = sorted(set(paths), key=lambda path: (_root(path) not in labels, path))
    return found or [field]


def refusal(
    event_id: str,
    development_id: str,
    event_type: str,
    payload: Mapping[str, Any],
    error: UnknownReference,
) -> RefusedReference:
    """Return the refusal of a development whose fold raised `error`."""
    found = list(paths_of(payload, set(error.missing)))
    if not found and "corrects" in payload:
        # A correction whose consequence refers to what is missing (a merge leaving another
        # development's reference dangling): the reference is in what it corrects.
        found = ["corrects"]
    paths = tuple(ordered_paths(found, error.field))
    return RefusedReference(
        event_id=event_id,
        development_id=development_id,
        event_type=event_type,
        field=error.field,
        paths=paths,
        missing=error.missing,
        description=str(error),
    )
