"""Checkpoint history over gRPC, exports that carry it, the state store, and a refusing server."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy.engine import Engine

from newsledger.api.server import RunningServer, create_server
from newsledger.application.app import Application
from newsledger.audit.checkpoint import open_checkpoint
from newsledger.audit.note import Signer
from newsledger.cli.main import main
from newsledger.client.ledger_client import proposed
from newsledger.v1 import audit_pb2, audit_pb2_grpc
from tests.support.audit import ORIGIN, behind_the_service
from tests.support.factories import events
from tests.support.payloads import statement


def _append(stub: audit_pb2_grpc.AuditServiceStub, n: int) -> audit_pb2.AppendAndProveResponse:
    request = audit_pb2.AppendAndProveRequest(
        stream="talks", events=[proposed(f"00000000-0000-4000-8000-{n:012d}", "StatementMade",
                                         statement(n))]
    )  # fmt: skip
    response: audit_pb2.AppendAndProveResponse = stub.AppendAndProve(request)
    return response


@pytest.fixture
def stub(channel: grpc.Channel) -> audit_pb2_grpc.AuditServiceStub:
    """Return an AuditService stub on the test server."""
    return audit_pb2_grpc.AuditServiceStub(channel)


def test_past_checkpoints_are_listed_in_pages_and_fetched_by_size(
    stub: audit_pb2_grpc.AuditServiceStub, signer: Signer
) -> None:
    for n in range(7):
        _append(stub, n)
    sizes: list[int] = []
    token = ""
    while True:
        page = stub.ListCheckpoints(audit_pb2.ListCheckpointsRequest(page_size=3, page_token=token))
        assert len(page.checkpoints) <= 3
        for item in page.checkpoints:
            body = open_checkpoint(item.checkpoint.note, signer.verifier, ORIGIN)
            assert (body.size, body.root) == (item.checkpoint.size, item.checkpoint.root_hash)
            assert item.signed_time.seconds > 0
            sizes.append(item.checkpoint.size)
        token = page.next_page_token
        if not token:
            break
    assert sizes == [1, 2, 3, 4, 5, 6, 7]
    bounded = stub.ListCheckpoints(audit_pb2.ListCheckpointsRequest(from_size=3, to_size=5))
    assert [c.checkpoint.size for c in bounded.checkpoints] == [3, 4, 5]
    assert stub.GetCheckpoint(audit_pb2.GetCheckpointRequest(size=4)).checkpoint.size == 4
    with pytest.raises(grpc.RpcError) as missing:
        stub.GetCheckpoint(audit_pb2.GetCheckpointRequest(size=40))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as bad_token:
        stub.ListCheckpoints(audit_pb2.ListCheckpointsRequest(page_token="nonsense"))
    assert bad_token.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_an_export_carries_the_history_and_verify_keeps_its_state_in_the_state_directory(
    stub: audit_pb2_grpc.AuditServiceStub,
    server: RunningServer,
    signer: Signer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(4):
        _append(stub, n)
    target = f"127.0.0.1:{server.port}"
    monkeypatch.setenv("NEWSLEDGER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    exported = tmp_path / "log.ndjson"

    assert (
        main(["export", "--server", target, "--output", str(exported), "--vkey", signer.vkey]) == 0
    )
    kinds = [json.loads(line)["kind"] for line in exported.read_text().splitlines()]
    assert kinds[:5] == ["header", "checkpoint", "past_checkpoint", "past_checkpoint",
                         "past_checkpoint"]  # fmt: skip
    assert main(["verify", "--server", target, "--vkey", signer.vkey]) == 0
    assert main(["verify", "--file", str(exported), "--vkey", signer.vkey]) == 0

    assert not list(tmp_path.glob("*.json"))  # nothing in the working directory
    (kept,) = (tmp_path / "state" / "trusted").glob("*/*.json")
    assert json.loads(kept.read_text())["vkey"] == signer.vkey
    assert main(["verify", "--server", target]) == 0  # found again by origin and key


def test_a_server_that_finds_its_tree_inconsistent_at_start_is_not_serving_and_says_why(
    app: Application, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    app.store.append("s", events(4))
    app.audit.checkpoint()
    with behind_the_service(engine) as sql:
        sql.execute(sa.text("UPDATE audit_nodes SET hash = :h WHERE level = 2"), {"h": bytes(32)})

    with caplog.at_level(logging.ERROR):
        running = create_server(app, "127.0.0.1:0", max_workers=8)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert "the audit tree is inconsistent with its signed checkpoints" in caplog.text
        stub = audit_pb2_grpc.AuditServiceStub(channel)
        for call in (
            lambda: stub.GetCheckpoint(audit_pb2.GetCheckpointRequest()),
            lambda: _append(stub, 9),
        ):
            with pytest.raises(grpc.RpcError) as refused:
                call()
            assert refused.value.code() == grpc.StatusCode.INTERNAL
        assert app.store.head_position() == 3  # the refused AppendAndProve wrote nothing
        channel.close()
    finally:
        running.stop(grace_seconds=1.0)
