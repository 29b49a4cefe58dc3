"""A log whose tail was rewritten and re-signed is caught, and verify names where it starts.

The verifier keeps the roots of every checkpoint it verified. Someone with the database and
the key deletes the last entries and their checkpoints, appends other events and lets the
server sign again: the next verification is a fork, and replaying the served entries
against the kept roots names the first rewritten entry (exactly, where the verifier saw a
checkpoint per entry; else the range between the two checkpoints around it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.audit.note import Signer
from newsledger.audit.verify.live import AuditClient
from newsledger.bootstrap import build_application
from newsledger.cli.exits import ExitCode
from newsledger.store.event_store import EventStore
from tests.support.audit import ORIGIN, behind_the_service, verify
from tests.support.factories import events

pytestmark = pytest.mark.usefixtures("server")


def rewrite_from(engine: Engine, signer: Signer, cut: int, count: int) -> None:
    """Delete entries from ``cut`` on with their checkpoints, then append other events."""
    with behind_the_service(engine) as sql:
        for table in ("events", "audit_leaves"):
            sql.execute(sa.text(f"DELETE FROM {table} WHERE position >= :cut"), {"cut": cut})
        sql.execute(
            sa.text("DELETE FROM audit_nodes WHERE (idx + 1) * power(2, level) - 1 >= :cut"),
            {"cut": cut},
        )
        sql.execute(sa.text("DELETE FROM audit_checkpoints WHERE size > :cut"), {"cut": cut})
    rewriter = build_application(EventStore(engine), log_origin=ORIGIN, signer=signer)
    rewriter.store.append("rewritten", events(count))


@pytest.mark.parametrize(("step", "expected"), [(1, "entry 12 on"), (5, "entries 10..14 on")])
def test_the_first_rewritten_entry_is_named_from_the_checkpoints_the_verifier_kept(
    step: int,
    expected: str,
    app: Application,
    engine: Engine,
    audit_client: AuditClient,
    signer: Signer,
    state_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert verify(audit_client, state_path, "--vkey", signer.vkey) == 0
    for batch in range(20 // step):
        app.store.append(f"s-{batch}", events(step))
        assert verify(audit_client, state_path) == 0
    kept = json.loads(state_path.read_text())["history"]
    assert len(kept) == 20 // step - 1
    trusted = state_path.read_bytes()
    rewrite_from(engine, signer, cut=12, count=15)

    capsys.readouterr()
    status = verify(audit_client, state_path)
    output = capsys.readouterr()

    assert status == ExitCode.VERIFICATION_FAILED
    assert "fork detected" in output.err
    first = 12 if step == 1 else 10
    assert f"verification FAILED at sequence {first}" in output.out
    assert f"the entries were rewritten from {'one of the ' if step > 1 else ''}{expected}" in (
        output.out
    )
    assert state_path.read_bytes() == trusted
