"""A Node.js client (@grpc/grpc-js with @grpc/proto-loader) appends and reads a view back."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from newsledger.api.server import RunningServer
from newsledger.api.tokens import Role
from newsledger.client.connection import ClientSecurity
from newsledger.client.ledger_client import LedgerClient
from tests.interop.conftest import TOKENS
from tools.genproto import googleapis_root


def run_node(
    script: Path, server: RunningServer, negotiation: str, token: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOOGLEAPIS_PROTO_ROOT": str(googleapis_root())}
    return subprocess.run(
        ["node", str(script), f"127.0.0.1:{server.port}", negotiation, token],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_node_client_appends_events_and_reads_the_view_back(
    node_client: Path, token_server: RunningServer
) -> None:
    """Given a writer's token, the Node client appends a negotiation and reads the view."""
    result = run_node(node_client, token_server, "interop-talks", TOKENS[Role.WRITER])
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert len(answer["appended"]["positions"]) == 3
    assert answer["appended"]["stream_version"] == "2"  # int64 arrives as a string
    view = answer["view"]["view"]
    assert view["negotiation_id"] == "interop-talks"
    assert view["title"] == "Interop talks"
    assert {party["name"] for party in view["parties"]} == {"Atlantis", "Borduria"}
    security = ClientSecurity(token=TOKENS[Role.READER])
    with LedgerClient(f"127.0.0.1:{token_server.port}", 10, security=security) as client:
        recorded = client.read_stream("negotiation-interop-talks").events
    assert [e.event_type for e in recorded] == [
        "NegotiationOpened",
        "PersonRoleAssigned",
        "StatementMade",
    ]
    assert all(json.loads(e.metadata_json) == {"client": "node"} for e in recorded)


def test_a_node_client_with_a_readers_token_cannot_append(
    node_client: Path, token_server: RunningServer
) -> None:
    """Given only a reader's token, the Node client's append is PERMISSION_DENIED."""
    result = run_node(node_client, token_server, "interop-talks", TOKENS[Role.READER])
    assert result.returncode == 1
    assert result.stderr.startswith("7 ")  # grpc.status.PERMISSION_DENIED
