"""Shared steps of the audit tests: seed a log, tamper behind the service, run the verifier."""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsledger.application.ledger import Ledger
from newsledger.audit.verify.live import AuditClient
from newsledger.cli.verify import add_arguments, run_verify
from newsledger.stories.ingest import ingest_story_in_process
from tests.factories import events

ROOT = Path(__file__).resolve().parents[3]
SEED_STORY = ROOT / "data" / "stories" / "us-china-trade-2025.yaml"
NEGOTIATION = "us-china-trade-2025"
AS_OF = "2025-06-11"
AUDIT_TABLES = ("events", "audit_leaves", "audit_nodes", "audit_checkpoints")


def seed(ledger: Ledger, extra_batches: int = 3) -> int:
    """Record the seed story and a few batches of generic events; return the log size."""
    ingest_story_in_process(ledger, SEED_STORY)
    for batch in range(extra_batches):
        ledger.store.append(f"notes-{batch}", events(7))
    head = ledger.store.head_position()
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
