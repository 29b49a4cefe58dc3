"""Past checkpoints are kept and listed; an inconsistent tree is refused before anything commits."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.application.audit import AuditLog
from newsledger.application.errors import CheckpointNotFound
from newsledger.audit.merkle import verify_consistency
from newsledger.audit.storage.checkpoints import CheckpointRefused
from tests.support.audit import behind_the_service
from tests.support.factories import events
from tests.support.payloads import statement_event


def grow(app: Application, audit: AuditLog, batches: int) -> list[int]:
    """Append one batch at a time, signing after each; return the signed sizes."""
    sizes = []
    for batch in range(batches):
        app.store.append(f"s-{batch}", events(batch + 1))
        sizes.append(audit.checkpoint().size)
    return sizes


def test_every_checkpoint_is_listed_by_size_or_signing_time(
    app: Application, audit: AuditLog
) -> None:
    sizes = grow(app, audit, 6)
    everything = audit.history()

    assert [item.checkpoint.size for item in everything] == sizes
    assert [item.checkpoint.size for item in audit.history(from_size=3, to_size=10)] == [3, 6, 10]
    assert [item.checkpoint.size for item in audit.history(limit=2)] == sizes[:2]
    middle = everything[3].signed_at_us
    later = [item.checkpoint.size for item in audit.history(signed_after_us=middle)]
    assert later == sizes[3:]
    earlier = audit.history(signed_before_us=middle - 1)
    assert all(item.signed_at_us < middle for item in earlier) and len(earlier) < len(sizes)
    assert audit.checkpoint_at(6).root == everything[2].checkpoint.root
    with pytest.raises(CheckpointNotFound):
        audit.checkpoint_at(7)


def test_an_inconsistent_tree_is_noticed_refused_from_then_on_and_reported_once(
    app: Application, audit: AuditLog, engine: Engine
) -> None:
    grow(app, audit, 3)
    heard: list[str] = []
    audit.checkpoints.on_inconsistency(heard.append)
    with behind_the_service(engine) as sql:
        sql.execute(sa.text("UPDATE audit_nodes SET hash = :h WHERE level = 2 AND idx = 0"),
                    {"h": bytes(32)})  # fmt: skip

    for _ in range(3):
        with pytest.raises(CheckpointRefused, match="differs from the signed checkpoint"):
            audit.checkpoint()
    with pytest.raises(CheckpointRefused):
        audit.history()
    assert len(heard) == 1
    head = app.store.head_position()
    with pytest.raises(CheckpointRefused):
        audit.append_and_prove("refused", [statement_event(1), statement_event(2)])
    assert app.store.head_position() == head  # refused before anything was written


def test_a_tree_that_lost_leaves_is_refused(
    app: Application, audit: AuditLog, engine: Engine
) -> None:
    grow(app, audit, 3)
    with behind_the_service(engine) as sql:
        sql.execute(sa.text("DELETE FROM audit_leaves WHERE position >= 4"))

    with pytest.raises(CheckpointRefused, match="fewer than the 6 of the latest signed"):
        audit.checkpoints.check()


def test_an_append_that_committed_is_reported_as_appended_even_if_its_proof_fails(
    app: Application, audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    grow(app, audit, 1)

    def broken() -> object:
        raise CheckpointRefused("found inconsistent just after the append")

    monkeypatch.setattr(audit.checkpoints, "latest", broken)
    proven = audit.append_and_prove("committed", [statement_event(n) for n in range(3)])

    assert proven.checkpoint is None
    assert "found inconsistent just after the append" in proven.proof_unavailable
    assert [e.position for e in proven.result.events] == [1, 2, 3]
    assert app.store.head_position() == 3


def test_concurrent_signers_keep_one_consistent_history(app: Application, audit: AuditLog) -> None:
    import threading

    for _ in range(3):
        threads = [
            threading.Thread(target=lambda: (app.store.append("c", events(2)), audit.checkpoint()))
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    history = audit.history(limit=1000)
    sizes = [item.checkpoint.size for item in history]
    assert sizes == sorted(set(sizes)) and sizes[-1] == 36
    for older, newer in itertools.pairwise(history):
        proof = audit.consistency_proof(older.checkpoint.size, newer.checkpoint.size)
        verify_consistency(
            older.checkpoint.size,
            newer.checkpoint.size,
            older.checkpoint.root,
            newer.checkpoint.root,
            proof,
        )
