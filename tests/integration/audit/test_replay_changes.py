"""A replay folds each negotiation once, in place, and its changes rebuild every view."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsledger.application.app import Application
from newsledger.application.audit import AuditLog
from newsledger.audit.replay import ViewReplayer
from newsledger.audit.view_changes import apply_view_changes
from newsledger.domain.state import NegotiationState
from newsledger.stories.ingest import ingest_story_in_process
from tests.support.paths import FIXTURE_STORIES, SEED_STORY

AS_OF = date(2025, 6, 11)


@pytest.mark.parametrize(
    ("story", "negotiation", "as_of"),
    [
        (SEED_STORY, "us-china-trade-2025", AS_OF),
        (FIXTURE_STORIES / "tri-basin-water-2026.yaml", "tri-basin-water-2026", date(2026, 6, 1)),
    ],
)
def test_the_changes_of_each_step_turn_the_previous_view_into_the_next(
    app: Application, audit: AuditLog, story: Path, negotiation: str, as_of: date
) -> None:
    ingest_story_in_process(app.ledger, story)
    view: dict[str, Any] = {}
    steps = list(audit.replay(negotiation, None, as_of))
    for step in steps:
        view = apply_view_changes(view, list(step.changes))
        assert view == step.view
    assert len(steps) > 10
    # Most steps change a few members, not the whole view.
    assert sum(len(step.changes) for step in steps) < sum(len(step.view) for step in steps) / 2


def test_auditing_a_log_folds_in_place_without_copying_a_state(
    app: Application, audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_story_in_process(app.ledger, SEED_STORY)
    copies: list[int] = []
    original = NegotiationState.copy

    def counted(state: NegotiationState) -> NegotiationState:
        copies.append(1)
        return original(state)

    monkeypatch.setattr(NegotiationState, "copy", counted)
    replayer = ViewReplayer()
    for event in app.store.read_all(limit=10_000):
        replayer.add(event.to_domain())
    steps = list(audit.replay("us-china-trade-2025", None, AS_OF))

    assert copies == []
    assert replayer.view("us-china-trade-2025", AS_OF) == steps[-1].view
    assert steps[-1].view == app.queries.view("us-china-trade-2025", AS_OF)
