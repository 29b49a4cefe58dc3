"""Generated story files, valid and mangled: each loads, or fails in one line and writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.application.validation import payload_violations
from newsledger.store.records import ProposedEvent
from newsledger.stories.ingest import write_plan
from newsledger.stories.plan import RecordedStream, plan_story
from newsledger.stories.story_file import StoryFileError, parse_story

SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    str.strip
)
"""Names a source may give: any text but control characters and lone surrogates."""
DAYS = st.dates().map(lambda day: day.isoformat())
ONE_LINE = re.compile(r"fuzz\.yaml:\d+: [^\n]+")
SETTINGS = settings(
    max_examples=150,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def report(day: str, outlet: str) -> dict[str, Any]:
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": day},
        "sources": [{"source_id": "src", "outlet": outlet, "kind": "SOURCE_KIND_WIRE"}],
    }


@st.composite
def developments(draw: st.DrawFn, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Return entries: statements, talks and people, and corrections of earlier ones."""
    entries: list[dict[str, Any]] = []
    for development_id in ids:
        day, outlet = draw(DAYS), draw(NAMES)
        kind = draw(st.sampled_from(["talks", "person", "statement", "correction"]))
        targets = [e["id"] for e in entries if "corrects" not in e]  # corrections aren't
        if kind == "correction" and targets:  # corrected themselves: the fold refuses that
            target = draw(st.sampled_from(targets))
            entries.append(
                {
                    "id": development_id,
                    "type": "SourceAttached",
                    "corrects": [target],
                    "payload": {"report": report(day, outlet)},
                }
            )
        elif kind == "person":
            payload = {"person_id": development_id, "name": outlet, "party_id": "aa"}
            entries.append(
                {
                    "id": development_id,
                    "type": "PersonRoleAssigned",
                    "payload": {**payload, "report": report(day, outlet)},
                }
            )
        else:
            payload = {
                "talks_id": development_id,
                "title": outlet,
                "format": "TALKS_FORMAT_IN_PERSON_ROUND",
            }
            entries.append(
                {
                    "id": development_id,
                    "type": "TalksHeld",
                    "payload": {**payload, "report": report(day, outlet)},
                }
            )
    return entries


@st.composite
def valid_stories(draw: st.DrawFn) -> str:
    """Return the text of a valid story file, written as YAML (block or flow style)."""
    ids = draw(
        st.lists(SLUGS, max_size=8, unique=True).filter(lambda i: "negotiation-opened" not in i)
    )
    story = {
        "negotiation": {
            "id": draw(SLUGS),
            "title": draw(NAMES),
            "parties": [{"party_id": "aa", "name": "A"}, {"party_id": "bb", "name": "B"}],
        },
        "developments": draw(developments(ids)),
    }
    return yaml.safe_dump(story, allow_unicode=True, default_flow_style=draw(st.booleans()))


@st.composite
def mangled_stories(draw: st.DrawFn) -> str:
    """Return a valid story with lines dropped, swapped, cut or spliced with garbage."""
    lines = draw(valid_stories()).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "cut", "garbage", "duplicate", "indent"]))
        if action == "drop":
            del lines[at]
        elif action == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif action == "garbage":
            lines[at] = draw(st.text(max_size=30))
        elif action == "duplicate":
            lines.insert(at, lines[at])
        else:
            lines[at] = " " * draw(st.integers(1, 5)) + lines[at]
    return "\n".join(lines)


GARBAGE = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ).map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
)


def load_or_fail_cleanly(text: str) -> list[ProposedEvent]:
    """Load text as an empty ledger would; return what it writes, or [] when it fails cleanly."""
    written: list[ProposedEvent] = []

    def append(batch: Sequence[ProposedEvent], _version: int | None) -> None:
        written.extend(batch)

    try:
        story = parse_story(text, "fuzz.yaml")
        plan = plan_story(story, RecordedStream(story.stream))
    except StoryFileError as error:
        assert error.problems
        for problem in error.problems:
            assert ONE_LINE.fullmatch(problem), problem
        return []
    write_plan(plan, append)
    for index, event in enumerate(written):
        assert payload_violations(index, event) == []
        json.dumps(event.payload, allow_nan=False)
    assert len(written) == plan.total
    return written


@SETTINGS
@given(valid_stories())
def test_a_valid_generated_story_loads_every_development(text: str) -> None:
    """Given a valid story, every development becomes one event, the opening first."""
    written = load_or_fail_cleanly(text)
    assert written and written[0].event_type == "NegotiationOpened"
    assert len(written) == 1 + len(yaml.safe_load(text)["developments"])


@SETTINGS
@given(st.one_of(mangled_stories(), GARBAGE))
def test_a_mangled_or_garbage_file_loads_or_fails_in_one_line_writing_nothing(text: str) -> None:
    """Given any text, loading ends in time: events for all of it, or one-line problems and none."""
    load_or_fail_cleanly(text)
