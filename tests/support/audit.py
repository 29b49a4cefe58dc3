"""Shared steps of the audit tests: seed a log, tamper behind the service, run the verifier."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.application.app import Application
from newsledger.audit.envelope import LeafEnvelope, format_record_time
from newsledger.audit.jcs import canonical_json
from newsledger.audit.verify.live import AuditClient
from newsledger.cli.verify import add_arguments, run_verify
from newsledger.stories.ingest import ingest_story_in_process
from tests.support.factories import events
from tests.support.paths import SEED_STORY

NEGOTIATION = "us-china-trade-2025"
ORIGIN = "audit.test/log"
AS_OF = "2025-06-11"
AUDIT_TABLES = ("events", "audit_leaves", "audit_nodes", "audit_checkpoints")


def seed(app: Application, extra_batches: int = 3) -> int:
    """Record the seed story and a few batches of generic events; return the log size."""
    ingest_story_in_process(app.ledger, SEED_STORY)
    for batch in range(extra_batches):
        app.store.append(f"notes-{batch}", events(7))
    head = app.store.head_position()
    assert head is not None
    return head + 1


@contextmanager
def behind_the_service(engine: Engine) -> Iterator[Connection]:
    """Yield a connection with the immutability triggers off, as a superuser could."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            yield connection
            return
        for table in AUDIT_TABLES:
            for action in ("update", "delete"):
                connection.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_reject_{action}"))
        yield connection
        for table in AUDIT_TABLES:
            for action in ("UPDATE", "DELETE"):
                connection.execute(
                    sa.text(
                        f"CREATE TRIGGER {table}_reject_{action.lower()} BEFORE {action} "
                        f"ON {table} BEGIN SELECT RAISE(ABORT, 'immutable'); END"
                    )
                )


def envelope_for(
    *,
    record_time: datetime,
    corrects: Sequence[str],
    valid_time: Mapping[str, str | None],
    payload: Mapping[str, Any],
    metadata: Mapping[str, Any],
    **fields: Any,
) -> LeafEnvelope:
    """Return the envelope of an event given as objects: its digests and record time made here."""
    return LeafEnvelope(
        record_time=format_record_time(record_time),
        corrects=tuple(corrects),
        valid_time=dict(valid_time),
        payload_sha256=hashlib.sha256(canonical_json(payload, "$")).hexdigest(),
        metadata_sha256=hashlib.sha256(canonical_json(metadata, "$")).hexdigest(),
        **fields,
    )


def verify_args(state: Path, *extra: str, server: str = "unused:0") -> argparse.Namespace:
    """Return the parsed options of `newsledger verify --server … --state …`."""
    parser = argparse.ArgumentParser()
    add_arguments(parser, export=False)
    return parser.parse_args(["--server", server, "--state", str(state), "--as-of", AS_OF, *extra])


def verify(client: AuditClient, state: Path, *extra: str) -> int:
    """Run `newsledger verify` against the client's server; return its exit status."""
    return run_verify(verify_args(state, *extra), client)


def failing_sequences(output: str) -> Sequence[str]:
    """Return the FAIL lines the verifier printed."""
    return [line for line in output.splitlines() if line.startswith("FAIL")]
