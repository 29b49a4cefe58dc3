"""Witnesses over HTTP cosign the served log; a fork of it gathers no quorum and leaves evidence.

Two witnesses run on loopback ports, each trusting the log's key. The log's pump collects
their cosignatures; `verify --witness … --quorum 2` accepts the served checkpoint. A second
log signed by the same key but holding other events (a split view) asks the same
witnesses: they refuse it, keep both checkpoints as evidence, and verify rejects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.application.witnessing import WitnessEndpoint, WitnessPump
from newsledger.audit.cosignature import WitnessPolicy, generate_cosigner
from newsledger.audit.note import Signer
from newsledger.audit.verify.live import AuditClient
from newsledger.bootstrap import build_application
from newsledger.cli.exits import ExitCode
from newsledger.client.connection import open_channel
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.witness.http import WitnessServer
from newsledger.witness.service import Witness
from newsledger.witness.state import WitnessState
from tests.support.audit import ORIGIN, verify
from tests.support.factories import events


class RunningWitness:
    """A witness served on a loopback port, with its key and state."""

    def __init__(self, directory: Path, name: str, log_vkey: str) -> None:
        self.cosigner = generate_cosigner(name)
        self.state = WitnessState.create(directory / f"{name}.db", self.cosigner.vkey)
        self.state.add_log(ORIGIN, log_vkey)
        self.server = WitnessServer(Witness(self.state, self.cosigner), "127.0.0.1", 0)
        self.server.start()
        self.endpoint = WitnessEndpoint(
            f"http://127.0.0.1:{self.server.port}", self.cosigner.verifier
        )


@pytest.fixture
def witnesses(tmp_path: Path, signer: Signer) -> Iterator[list[RunningWitness]]:
    """Yield two running witnesses that trust the log's key."""
    running = [RunningWitness(tmp_path, f"w{i}.example", signer.vkey) for i in range(2)]
    yield running
    for witness in running:
        witness.server.stop()


def _policy(witnesses: list[RunningWitness]) -> WitnessPolicy:
    return WitnessPolicy.from_vkeys([w.cosigner.vkey for w in witnesses], quorum=2)


def test_the_log_gathers_a_quorum_that_verify_accepts_and_keeps_it_as_it_grows(
    app: Application,
    witnesses: list[RunningWitness],
    audit_client: AuditClient,
    signer: Signer,
    state_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app.audit.witnesses = _policy(witnesses)
    pump = WitnessPump(app.audit, [w.endpoint for w in witnesses], timeout_seconds=10)
    flags = ["--vkey", signer.vkey]
    for witness in witnesses:
        flags += ["--witness", witness.cosigner.vkey]
    for round_number in range(3):
        app.store.append(f"s-{round_number}", events(3 + round_number))
        pump.run_once()
        size = app.audit.checkpoint().size
        assert [w.state.log_state(ORIGIN).size for w in witnesses] == [size, size]
        assert verify(audit_client, state_path, *flags, "--quorum", "2") == 0

    output = capsys.readouterr().out
    assert all(f"cosigned by {w.cosigner.vkey}" in output for w in witnesses)
    note = audit_client.checkpoint(witnessed=True).checkpoint.note
    assert all(f"— {w.cosigner.name} " in note for w in witnesses)
    app.store.append("unwitnessed", events(2))  # the pump has not run: the witnessed head lags
    witnessed = audit_client.checkpoint(witnessed=True).checkpoint.size
    assert witnessed == size < app.audit.checkpoint().size


def test_a_forked_log_gathers_no_quorum_and_the_witnesses_keep_the_evidence(
    app: Application,
    witnesses: list[RunningWitness],
    signer: Signer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app.store.append("shared", events(4))
    WitnessPump(app.audit, [w.endpoint for w in witnesses], timeout_seconds=10).run_once()
    honest_size = app.audit.checkpoint().size
    fork_engine = create_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    upgrade_to_head(fork_engine)
    fork = build_application(EventStore(fork_engine), log_origin=ORIGIN, signer=signer)
    fork.audit.witnesses = _policy(witnesses)
    fork.store.append("rewritten", events(honest_size + 2))
    WitnessPump(fork.audit, [w.endpoint for w in witnesses], timeout_seconds=10).run_once()
    fork_server = create_server(fork, "127.0.0.1:0", max_workers=8)
    try:
        client = AuditClient(open_channel(f"127.0.0.1:{fork_server.port}"), timeout_seconds=20)
        flags = ["--vkey", signer.vkey, "--witness", witnesses[0].cosigner.vkey]
        status = verify(client, tmp_path / "fork-state.json", *flags, "--quorum", "1")
    finally:
        fork_server.stop(grace_seconds=1.0)
        fork_engine.dispose()

    assert status == ExitCode.VERIFICATION_FAILED
    assert "witness quorum not met: 0 of the 1" in capsys.readouterr().err
    for witness in witnesses:
        assert witness.state.log_state(ORIGIN).size == honest_size
        (evidence,) = witness.state.evidence(ORIGIN)
        assert evidence.reason.startswith("consistency proof failed")
        assert evidence.stored_size == honest_size
        assert evidence.presented_note.split("\n")[1] == str(honest_size + 2)
        assert evidence.stored_note is not None and f"— {ORIGIN} " in evidence.stored_note


def test_a_witness_that_is_down_stops_nothing(
    app: Application, server: RunningServer, audit_client: AuditClient, engine: Engine
) -> None:
    dead = WitnessEndpoint("http://127.0.0.1:9", generate_cosigner("down.example").verifier)
    app.store.append("s", events(3))
    WitnessPump(app.audit, [dead], timeout_seconds=2).run_once()
    response = audit_client.checkpoint()
    assert response.checkpoint.size == 3
    assert "— down.example" not in response.checkpoint.note
