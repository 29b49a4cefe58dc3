"""Failed events: the fold keeps the state as it was before them, cheaply and exactly."""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsledger.domain import deadlines, negotiation, positions, talks
from newsledger.domain.events import RecordedEvent
from newsledger.domain.negotiation import (
    NegotiationState,
    apply_event,
    fold,
    fold_in_place,
    negotiation_id_from_stream,
    stream_for,
)
from newsledger.domain.references import Development
from newsledger.store.records import ProposedEvent
from newsledger.stories.story_file import load_story
from tests.support.builders import SOURCE, Stream, report
from tests.support.paths import ROOT

STORIES = sorted([*ROOT.glob("data/stories/*.yaml"), *ROOT.glob("tests/fixtures/stories/*.yaml")])
UNSOURCED = {"outlet": "Unnamed", "kind": "SOURCE_KIND_WIRE"}
"""A source without its source_id: appliers fail on it only once they build provenance."""
DEADLINE = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-09-01"}

Failing = tuple[str, dict[str, Any], int]
"""An event type, a payload and a schema version that the fold cannot apply."""

PARTIAL: list[Failing] = [
    (
        "TalksHeld",
        {"talks_id": "undo-talks", "title": "T", "report": report(sources=[UNSOURCED])},
        1,
    ),
    (
        "DeadlineSet",
        {
            "deadline_id": "undo-deadline",
            "deadline": DEADLINE,
            "report": report(sources=[UNSOURCED]),
        },
        1,
    ),
    (
        "IssuePositionStated",
        {"issue_id": "undo-issue", "title": "Changed", "report": report(sources=[UNSOURCED])},
        1,
    ),
]
"""Malformed events that change records before they fail (see the test that shows it)."""

REFUSED: list[Failing] = [
    (
        "StatementMade",
        {
            "statement_id": "undo-statement",
            "speaker_id": "speaker",
            "kind": "STATEMENT_KIND_REMARK",
            "report": report(sources=[{**SOURCE, "quotes": [{"speaker_id": "speaker"}]}]),
        },
        1,
    ),
    (
        "OutcomeReached",
        {"outcome_id": "undo-outcome", "talks_id": "nowhere", "report": report()},
        1,
    ),
    ("StatementMade", {"statement_id": "undo-statement", "report": report()}, 2),
    ("SomethingNew", {"report": report()}, 1),
    (
        "FactCorrected",
        {
            "corrects": [str(uuid.uuid5(uuid.NAMESPACE_URL, "nowhere"))],
            "field": "title",
            "value": "x",
        },
        1,
    ),
    ("NegotiationOpened", {"negotiation_id": "other", "title": "Again"}, 1),
]
"""Events the fold refuses: unknown references, versions, types; a second opening."""

BEFORE_OPENING: list[Failing] = [
    ("TalksHeld", {"talks_id": "early", "title": "Early", "report": report()}, 1),
    ("NegotiationOpened", {"negotiation_id": "x", "title": "Bad", "parties": [1]}, 1),
]
"""Events that fail before the negotiation is opened, when there is no state yet."""

EXISTING_ISSUE: Failing = (
    "IssuePositionStated",
    {"issue_id": "undo-issue", "title": "Open", "report": report()},
    1,
)
"""A valid event putting the issue on the table, so a malformed restatement changes it."""


def _proposed(failing: Failing, development_id: str) -> ProposedEvent:
    """Return a failing event to append, with its own development id."""
    event_type, payload, schema_version = failing
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, development_id)
    metadata = {"development_id": development_id}
    return ProposedEvent(event_id, event_type, copy.deepcopy(payload), metadata, schema_version)


def _recorded(stream: str, proposed: list[ProposedEvent]) -> list[RecordedEvent]:
    """Return events as if appended in order to `stream`."""
    return [
        RecordedEvent(
            event_id=event.event_id,
            stream=stream,
            stream_version=number,
            position=number + 1,
            event_type=event.event_type,
            schema_version=event.schema_version,
            payload=copy.deepcopy(dict(event.payload)),
            metadata=event.metadata,
            record_time=datetime(2025, 6, 11, tzinfo=UTC),
        )
        for number, event in enumerate(proposed)
    ]


def _with_failures(path: Path) -> list[RecordedEvent]:
    """Return a story's events with failing events after every one of them."""
    story = load_story(path)
    failing = [*PARTIAL, *REFUSED]
    proposed: list[ProposedEvent] = []
    for index, event in enumerate(story.events):
        proposed.append(event)
        if index == 0:
            proposed.append(_proposed(EXISTING_ISSUE, "undo-issue"))
        proposed += [_proposed(item, f"bad-{index}-{n}") for n, item in enumerate(failing)]
    return _recorded(story.stream, proposed)


def _reference_fold(events: list[RecordedEvent]) -> NegotiationState | None:
    """Fold like the projector, but undo each failed event by restoring a deep copy."""
    state: NegotiationState | None = None
    for event in events:
        before = copy.deepcopy(state)
        problems = 0 if state is None else len(state.problems)
        state = fold_in_place([event], state)
        assert state is not None
        if len(state.problems) > problems:
            restored = before or NegotiationState(negotiation_id_from_stream(event.stream) or "")
            restored.problems.append(state.problems[-1])
            restored.last_position = state.last_position
            state = restored
    return state


def _text(state: NegotiationState | None) -> str:
    """Return a state's JSON text, keeping the order of keys within records."""
    assert state is not None
    return json.dumps(state.to_json())


def _sorted_text(state: NegotiationState | None) -> str:
    """Return a state's JSON text as snapshots and stored views encode it (sorted keys)."""
    assert state is not None
    return json.dumps(state.to_json(), sort_keys=True, separators=(",", ":"))


def _through_snapshot(state: NegotiationState | None) -> NegotiationState:
    """Return the state decoded from its snapshot text, as a past-point view starts."""
    return NegotiationState.from_json(json.loads(_sorted_text(state)), owned=True)


@pytest.mark.parametrize("path", STORIES, ids=lambda path: path.stem)
def test_failed_events_in_every_story_fold_as_a_deep_copy_restore_would(path: Path) -> None:
    """Given every story with failing events throughout, the fold matches a deep-copy undo."""
    events = _with_failures(path)
    expected = _reference_fold(events)
    assert expected is not None
    failed = (len(PARTIAL) + len(REFUSED)) * len(load_story(path).events)
    assert len(expected.problems) == failed
    assert _text(fold(events)) == _text(expected)
    middle = len(events) // 2
    resumed = fold_in_place(events[middle:], _through_snapshot(fold(events[:middle])))
    assert _sorted_text(resumed) == _sorted_text(expected)


def test_events_failing_before_the_opening_fold_as_a_deep_copy_restore_would() -> None:
    """Given failing events before any opening, each leaves a blank state with its problem."""
    proposed = [_proposed(item, f"early-{n}") for n, item in enumerate(BEFORE_OPENING)]
    events = _recorded(stream_for("test-talks"), proposed)
    expected = _reference_fold(events)
    assert expected is not None and len(expected.problems) == len(BEFORE_OPENING)
    assert _text(fold(events)) == _text(expected)


@pytest.mark.parametrize(("event_type", "payload", "schema_version"), PARTIAL + REFUSED)
def test_a_failed_event_leaves_the_state_as_it_was_before_it(
    event_type: str, payload: dict[str, Any], schema_version: int
) -> None:
    """Given a negotiation with records, a failing event adds a problem and changes nothing else."""
    stream = Stream().opened().person("ana", "us")
    stream.add(*EXISTING_ISSUE[:2], "undo-issue")
    before = fold(stream.events)
    assert before is not None
    bad = stream.add(event_type, copy.deepcopy(payload), "bad")
    after = apply_event(before, dataclasses.replace(bad, schema_version=schema_version))
    assert after.problems[:-1] == before.problems
    assert after.problems[-1]["development_id"] == "bad"
    unchanged = {**after.to_json(), "problems": before.problems, "last_position": {}}
    assert json.dumps(unchanged) == json.dumps({**before.to_json(), "last_position": {}})


def _development(payload: dict[str, Any]) -> Development:
    """Return the development of a payload, as the fold hands it to an applier."""
    return Development(development_id="bad", payload=payload, seq=9)


@pytest.mark.parametrize(
    ("applier", "payload"),
    [
        (talks.apply_talks_held, PARTIAL[0][1]),
        (deadlines.apply_deadline_set, PARTIAL[1][1]),
        (positions.apply_issue_position_stated, PARTIAL[2][1]),
    ],
)
def test_malformed_events_change_records_before_they_fail(
    applier: Callable[[NegotiationState, Development], None], payload: dict[str, Any]
) -> None:
    """Given the malformed events above, each applier changes the state and then raises."""
    stream = Stream().opened()
    stream.add(*EXISTING_ISSUE[:2], "undo-issue")
    state = fold(stream.events)
    assert state is not None
    before = state.to_json()
    with pytest.raises(KeyError):
        applier(state, _development(copy.deepcopy(payload)))
    assert state.to_json() != before


def test_refused_events_apply_no_earlier_development_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given refused statements, the fold records them without re-applying the registry."""
    stream = Stream().opened().person("ana", "us")
    state = fold(stream.events)
    applied: list[str] = []

    def counting(state: NegotiationState, development: Development) -> None:
        applied.append(development.development_id)
        positions.apply_person_role_assigned(state, development)

    monkeypatch.setitem(negotiation.APPLIERS, "PersonRoleAssigned", counting)
    refused = [stream.add("StatementMade", REFUSED[0][1], f"ghost-{n}") for n in range(3)]
    folded = fold_in_place(refused, state)
    assert applied == []
    assert folded is state
    assert folded is not None and len(folded.problems) == 3
