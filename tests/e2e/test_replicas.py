"""Several `serve` processes on one PostgreSQL log: one key, one history, every replica agrees.

The deployment of docs/operations.md: the key is created once (`newsledger keys create`) and
given to every replica. Writers append through each replica at once while a follower
subscribes on each; then every follower saw the same log, every replica serves the same
signed checkpoint and history, and `verify` accepts each. A replica started with another key
refuses to start and names the log's key.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest

from newsledger.cli.exits import ExitCode
from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.v1 import audit_pb2, audit_pb2_grpc
from tests.conftest import POSTGRES_URL, fresh_postgres_schema
from tests.support.payloads import statement
from tests.support.serve_process import ServeProcess, run_newsledger

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NEWSLEDGER_TEST_DATABASE_URL is not set"),
]
REPLICAS = 3
WRITES_PER_REPLICA = 15


def _write(target: str, replica: int, failures: list[BaseException]) -> None:
    try:
        with LedgerClient(target, timeout_seconds=30) as client:
            stub = audit_pb2_grpc.AuditServiceStub(client.channel)
            for n in range(WRITES_PER_REPLICA):
                event = proposed(str(uuid.uuid4()), "StatementMade", statement(replica * 100 + n))
                if n % 2:
                    request = audit_pb2.AppendAndProveRequest(stream=f"r{replica}", events=[event])
                    response = stub.AppendAndProve(request, timeout=30)
                    assert not response.proof_unavailable
                else:
                    client.append(f"r{replica}", [event])
    except BaseException as error:  # reported by the test thread
        failures.append(error)


def _follow(target: str, count: int, seen: list[str], failures: list[BaseException]) -> None:
    try:
        with LedgerClient(target, timeout_seconds=60) as client:
            for message in client.subscribe():
                if message.HasField("event"):
                    seen.append(message.event.event_id)
                    if len(seen) == count:
                        return
    except BaseException as error:
        failures.append(error)


def test_replicas_share_one_key_one_history_and_verify_accepts_each(tmp_path: Path) -> None:
    with fresh_postgres_schema() as url:
        key = tmp_path / "keys" / "signing.key"
        env = {**os.environ, "NEWSLEDGER_DATABASE_URL": url, "NEWSLEDGER_SIGNING_KEY": str(key)}
        assert run_newsledger("migrate", cwd=tmp_path, env=env).returncode == 0
        created = run_newsledger("keys", "create", cwd=tmp_path, env=env)
        assert created.returncode == 0, created.stderr
        vkey = created.stdout.split("verifier key to pin: ")[1].strip()
        folders = [tmp_path / f"replica-{i}" for i in range(REPLICAS)]
        for folder in folders:
            folder.mkdir()  # different working directories: the key must not follow them
        replicas = [
            ServeProcess(url, folder, environment={"NEWSLEDGER_SIGNING_KEY": str(key)})
            for folder in folders
        ]
        try:
            total = REPLICAS * WRITES_PER_REPLICA
            failures: list[BaseException] = []
            seen: list[list[str]] = [[] for _ in replicas]
            followers = [
                threading.Thread(target=_follow, args=(r.target, total, seen[i], failures))
                for i, r in enumerate(replicas)
            ]
            writers = [
                threading.Thread(target=_write, args=(r.target, i, failures))
                for i, r in enumerate(replicas)
            ]
            for thread in followers + writers:
                thread.start()
            for thread in writers + followers:
                thread.join(timeout=120)
            assert not failures, failures

            assert len(seen[0]) == total and all(other == seen[0] for other in seen)
            answers, histories = [], []
            for replica in replicas:
                with LedgerClient(replica.target) as client:
                    stub = audit_pb2_grpc.AuditServiceStub(client.channel)
                    answers.append(stub.GetCheckpoint(audit_pb2.GetCheckpointRequest()))
                    history = stub.ListCheckpoints(audit_pb2.ListCheckpointsRequest())
                    sizes = [item.checkpoint.size for item in history.checkpoints]
                    histories.append(sizes)
                    assert sizes == sorted(set(sizes)) and sizes[-1] == total
            assert all(history == histories[0] for history in histories)
            heads = {(a.checkpoint.size, a.checkpoint.root_hash) for a in answers}
            assert heads == {(total, answers[0].checkpoint.root_hash)}
            assert {a.verifier_key for a in answers} == {vkey}
            for i, replica in enumerate(replicas):
                state = tmp_path / f"state-{i}.json"
                checked = run_newsledger(
                    "verify", "--server", replica.target, "--vkey", vkey, "--state", str(state),
                    cwd=tmp_path, env=env,
                )  # fmt: skip
                assert checked.returncode == 0, checked.stdout + checked.stderr

            other_key = tmp_path / "other" / "signing.key"
            refused = run_newsledger(
                "serve", "--address", "127.0.0.1:0", cwd=tmp_path,
                env={**env, "NEWSLEDGER_SIGNING_KEY": str(other_key)}, timeout=60,
            )  # fmt: skip
            assert refused.returncode == ExitCode.INVALID_INPUT
            assert "this log's checkpoints are signed by" in refused.stderr
            assert vkey.split("+")[1] in refused.stderr
        finally:
            for replica in replicas:
                replica.stop()
