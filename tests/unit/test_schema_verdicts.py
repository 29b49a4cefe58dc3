"""The compiled yes/no payload check agrees with the describing validator on every payload."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from newsledger.application.errors import Violation
from newsledger.application.validation import payloads as schemas
from newsledger.domain.upcasting import upcast
from newsledger.stories.story_file import load_story
from tests.support.paths import ROOT

pytestmark = pytest.mark.equivalence

STORIES = [ROOT / "data" / "stories", ROOT / "tests" / "fixtures" / "stories"]
REPLACEMENTS: list[Any] = [
    None, True, 0, 7, -3, 2**40, 1.5, "", "x", "Mixed Case", "2025-06-10", "2025-13-01",
    "2.5", "-0.75", "America/New_York", "Not/AZone", "round-1",
    "01234567-89ab-4cde-8f01-23456789abcd", "SOURCE_KIND_WIRE", "DATE_PRECISION_DAY",
    "2025-08-12T04:01:00Z", [], ["x"], [{}], {}, {"unknown": 1},
]  # fmt: skip


def story_payloads() -> list[tuple[str, dict[str, Any]]]:
    """Return (event type, current-version payload) of every event of every story file."""
    found = []
    for folder in STORIES:
        for path in sorted(folder.glob("*.yaml")):
            for event in load_story(path).events:
                payload = upcast(event.event_type, event.schema_version, dict(event.payload))
                found.append((event.event_type, payload))
    return found


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every member and element inside a JSON value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*prefix, key)
        if isinstance(item, dict | list):
            yield from paths(item, (*prefix, key))


def replaced(payload: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    """Return a copy of payload with the value at path replaced (or removed if new is ...)."""
    copied = copy.deepcopy(payload)
    parent: Any = copied
    for key in path[:-1]:
        parent = parent[key]
    if new is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copied


def verdict_and_description_agree(event_type: str, payload: dict[str, Any]) -> None:
    message = schemas.EVENT_MESSAGES[event_type].full_name
    described: list[Violation] = []
    schemas._check_message(schemas.RULES[message], payload, "", described)
    assert schemas.VERDICTS[message](payload) == (not described), (payload, described)


PAYLOADS = story_payloads()


def test_the_stories_cover_many_event_types() -> None:
    assert len({event_type for event_type, _ in PAYLOADS}) >= 10


@pytest.mark.parametrize(("event_type", "payload"), PAYLOADS, ids=lambda v: str(v)[:30])
def test_every_story_payload_and_every_mutation_of_it_gets_the_same_answer(
    event_type: str, payload: dict[str, Any]
) -> None:
    verdict_and_description_agree(event_type, payload)
    for path in paths(payload):
        if isinstance(path[-1], str):
            verdict_and_description_agree(event_type, replaced(payload, path, ...))
        for new in REPLACEMENTS:
            verdict_and_description_agree(event_type, replaced(payload, path, new))
    verdict_and_description_agree(event_type, {**payload, "not_a_field": "x"})


def test_validate_payload_still_describes_what_the_verdict_refuses() -> None:
    event_type, payload = next((t, p) for t, p in PAYLOADS if "report" in p)
    broken = replaced(payload, ("report",), "not an object")
    assert [v.field for v in schemas.validate_payload(event_type, 1, broken)] == ["report"]
