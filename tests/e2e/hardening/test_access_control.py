"""Bearer tokens with roles: readers read, writers append, and nobody else gets in."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from newsledger.api.server import RunningServer
from newsledger.api.tokens import Role
from newsledger.application.app import Application
from newsledger.cli.exits import ExitCode
from newsledger.cli.main import main
from newsledger.client.ledger_client import ApiError, LedgerClient, proposed
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.v1 import event_store_pb2 as es
from tests.e2e.hardening.conftest import TOKENS
from tests.e2e.test_generic_clients import buf_curl
from tests.support.paths import SEED_STORY
from tests.support.payloads import statement

Connect = Callable[..., LedgerClient]


def one_statement() -> list[es.ProposedEvent]:
    return [proposed(str(uuid.uuid4()), "StatementMade", statement())]


def test_a_reader_token_cannot_append(client_as: Connect) -> None:
    """Given a reader's token, an append is PERMISSION_DENIED and nothing is written."""
    reader = client_as(Role.READER)
    with pytest.raises(ApiError) as raised:
        reader.append("talks", one_statement())
    assert raised.value.code == grpc.StatusCode.PERMISSION_DENIED
    assert raised.value.reason == "PERMISSION_DENIED"
    assert raised.value.metadata["role"] == "reader"
    assert raised.value.metadata["required_role"] == "writer"
    assert reader.read_log().events == []


def test_a_missing_token_is_refused_on_every_kind_of_call(client_as: Connect) -> None:
    """Given no token, reads, appends and subscriptions are all UNAUTHENTICATED."""
    anonymous = client_as(None)
    calls: list[Callable[[], object]] = [
        lambda: anonymous.append("talks", one_statement()),
        lambda: anonymous.read_log(),
        lambda: anonymous.negotiation("us-china-trade-2025"),
        lambda: next(iter(anonymous.subscribe())),
    ]
    for call in calls:
        with pytest.raises((ApiError, grpc.RpcError)) as raised:
            call()
        error = raised.value
        code = error.code if isinstance(error, ApiError) else error.code()
        assert code == grpc.StatusCode.UNAUTHENTICATED


def test_an_unknown_token_is_refused(client_as: Connect) -> None:
    """Given a token no entry holds, the call is UNAUTHENTICATED with ErrorInfo."""
    stranger = client_as(None, token="not-a-configured-token")
    with pytest.raises(ApiError) as raised:
        stranger.read_log()
    assert raised.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert raised.value.reason == "UNAUTHENTICATED"


def test_a_writer_appends_and_reads_and_an_admin_may_do_both(client_as: Connect) -> None:
    """Given writer and admin tokens, both append, and a reader sees what they wrote."""
    client_as(Role.WRITER).append("talks", one_statement())
    client_as(Role.ADMIN).append("talks", one_statement())
    assert len(client_as(Role.READER).read_log().events) == 2


def test_health_and_reflection_stay_open(token_server: RunningServer) -> None:
    """Given no token, the health check and the reflection service still answer."""
    with grpc.insecure_channel(f"127.0.0.1:{token_server.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        [answer] = list(stub.ServerReflectionInfo(iter([request])))
        names = {service.name for service in answer.list_services_response.service}
        assert "newsledger.v1.EventStoreService" in names


def test_denials_are_logged_without_the_token(
    client_as: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    """Given refused calls, the log names the method and why, never the token presented."""
    caplog.set_level(logging.WARNING, logger="newsledger.api.interceptors.auth")
    wrong = "wrong-" + uuid.uuid4().hex
    for client in (client_as(Role.READER), client_as(None, token=wrong), client_as(None)):
        with pytest.raises(ApiError):
            client.append("talks", one_statement())
    denials = [r for r in caplog.records if r.name == "newsledger.api.interceptors.auth"]
    assert len(denials) == 3
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in denials)
    assert "AppendEvents" in logged
    assert TOKENS[Role.READER] not in logged
    assert wrong not in logged


def test_the_cli_presents_the_token_from_its_option_or_the_environment(
    token_server: RunningServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given `--token` or NEWSLEDGER_TOKEN, the command reads; without one, it is refused."""
    target = f"127.0.0.1:{token_server.port}"
    assert main(["events", "--server", target, "--token", TOKENS[Role.READER]]) == 0
    monkeypatch.setenv("NEWSLEDGER_TOKEN", TOKENS[Role.READER])
    assert main(["negotiations", "--server", target]) == 0
    monkeypatch.delenv("NEWSLEDGER_TOKEN")
    assert main(["events", "--server", target]) == ExitCode.DENIED
    assert "UNAUTHENTICATED" in capsys.readouterr().err


def test_buf_curl_reads_with_a_bearer_token_as_the_readme_shows(
    token_server: RunningServer, app: Application
) -> None:
    """Given the README's buf curl with an Authorization header, the view comes back."""
    ingest_story_in_process(app.ledger, SEED_STORY)
    target = f"127.0.0.1:{token_server.port}"
    path = "/newsledger.v1.NegotiationService/GetNegotiation"
    body = ["-d", json.dumps({"negotiation_id": "us-china-trade-2025", "as_of": "2025-06-11"})]
    header = ["-H", f"Authorization: Bearer {TOKENS[Role.READER]}"]
    answered = buf_curl(target, *header, *body, path=path)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["view"]["negotiationId"] == "us-china-trade-2025"
    refused = buf_curl(target, *body, path=path)
    assert refused.returncode != 0
    assert "unauthenticated" in refused.stdout + refused.stderr
