"""SIGKILL in the middle of concurrent appends loses nothing acknowledged and tears nothing.

Each round starts `newsledger serve`, lets writers append batches concurrently, kills the
server with SIGKILL mid-stream, and restarts it. Then: every acknowledged batch is where
its acknowledgement said, every batch is whole or absent, positions and stream versions
have no gap, the views equal a rebuild, and `newsledger verify` accepts the audit log,
with its trusted state carried from round to round.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.domain.events import StoredEvent
from newsledger.projections.rebuild import views_differing_from_rebuild
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from tests.support.payloads import opened, speaker, statement
from tests.support.serve_process import ServeProcess, run_newsledger

ROUNDS = 3
WRITERS = 6
STREAMS = ("talks", "market-notes", "negotiation-crash-test", "negotiation-crash-other")


@dataclass
class Ledgerbook:
    """What the writers sent and what the server acknowledged, across rounds."""

    acknowledged: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    attempted: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def write_until_killed(target: str, book: Ledgerbook, stop: threading.Event) -> None:
    """Append batches of 1-4 statements to random streams until the server is gone."""
    rng = random.Random()
    with LedgerClient(target, timeout_seconds=5) as client:
        while not stop.is_set():
            stream = rng.choice(STREAMS)
            batch = [
                proposed(str(uuid.uuid4()), "StatementMade", statement(rng.randrange(10**6)))
                for _ in range(rng.randint(1, 4))
            ]
            ids = tuple(event.event_id for event in batch)
            with book.lock:
                book.attempted.append((stream, ids))
            try:
                response = client.append(stream, batch)
            except Exception:
                return  # the server died under us; this batch may or may not be recorded
            with book.lock:
                book.acknowledged[ids] = [p.position for p in response.positions]


def open_negotiations(target: str) -> None:
    """Open the negotiation streams the writers append to, with the statements' speaker."""
    with LedgerClient(target) as client:
        for stream in STREAMS:
            if stream.startswith("negotiation-"):
                payload = opened(stream.removeprefix("negotiation-"))
                opening = proposed(str(uuid.uuid4()), "NegotiationOpened", payload)
                person = proposed(str(uuid.uuid4()), "PersonRoleAssigned", speaker())
                client.append(stream, [opening, person])


def crash_mid_stream(server: ServeProcess, book: Ledgerbook, rng: random.Random) -> None:
    """Run the writers, SIGKILL the server once appends are flowing, and wait for them."""
    stop = threading.Event()
    before = len(book.acknowledged)
    writers = [
        threading.Thread(target=write_until_killed, args=(server.target, book, stop))
        for _ in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while len(book.acknowledged) < before + 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.5))
    server.kill()
    stop.set()
    for writer in writers:
        writer.join(timeout=30)
    assert len(book.acknowledged) >= before + 20, "the writers never got going"


def read_everything(database_url: str) -> list[StoredEvent]:
    engine = create_engine(database_url)
    try:
        return EventStore(engine).read_all(limit=1_000_000)
    finally:
        engine.dispose()


def assert_nothing_lost_or_torn(events: list[StoredEvent], book: Ledgerbook) -> None:
    assert [e.position for e in events] == list(range(len(events))), "a gap in positions"
    versions: dict[str, list[int]] = {}
    for event in events:
        versions.setdefault(event.stream, []).append(event.stream_version)
    for stream, seen in versions.items():
        assert seen == list(range(len(seen))), f"a gap in the versions of {stream}"
    where = {str(e.event_id): e for e in events}
    for ids, positions in book.acknowledged.items():
        assert [where[i].position for i in ids if i in where] == positions, "an ack was lost"
    for stream, ids in book.attempted:
        present = [where[i] for i in ids if i in where]
        assert len(present) in (0, len(ids)), f"a torn batch in {stream}"
        if present:
            assert {e.stream for e in present} == {stream}
            first = present[0].position
            assert [e.position for e in present] == list(range(first, first + len(ids)))


def assert_views_match_a_rebuild(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert views_differing_from_rebuild(EventStore(engine)) == []
    finally:
        engine.dispose()


def assert_audit_log_verifies(target: str, state: Path, cwd: Path) -> None:
    result = run_newsledger("verify", "--server", target, "--state", str(state), cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("verified: ")


@pytest.mark.slow
def test_sigkill_during_concurrent_appends_loses_no_acknowledged_event(
    database_url: str, tmp_path: Path
) -> None:
    """Given several crash-and-restart rounds, the ledger stays whole and verifiable."""
    book = Ledgerbook()
    rng = random.Random()
    state = tmp_path / "trusted-state.json"
    server = ServeProcess(database_url, tmp_path)
    try:
        open_negotiations(server.target)
        for _ in range(ROUNDS):
            crash_mid_stream(server, book, rng)
            assert_nothing_lost_or_torn(read_everything(database_url), book)
            assert_views_match_a_rebuild(database_url)
            server = ServeProcess(database_url, tmp_path)  # the restart
            assert_audit_log_verifies(server.target, state, tmp_path)
        with LedgerClient(server.target) as client:
            assert len(list(client.iter_log())) == len(read_everything(database_url))
    finally:
        server.stop()
    assert len(book.acknowledged) >= ROUNDS * 20
