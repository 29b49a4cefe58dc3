"""Generic gRPC clients, holding no proto files, use the server through reflection and health."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from newsledger.client.ledger_client import LedgerClient
from newsledger.stories.ingest import ingest_story_over_grpc
from tests.support.paths import SEED_STORY

PUBLIC_SERVICES = {
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "newsledger.v1.EventStoreService",
    "newsledger.v1.NegotiationService",
}
BUF_INSTALL = "pip install buf-bin==1.75.0"


def buf_executable() -> str:
    """Return the buf binary that `buf-bin` installs next to the interpreter."""
    found = shutil.which("buf", path=str(Path(sys.executable).parent)) or shutil.which("buf")
    if found is None:
        pytest.fail(f"buf is not installed; {BUF_INSTALL}")
    return found


def buf_curl(target: str, *args: str, path: str = "") -> subprocess.CompletedProcess[str]:
    """Run `buf curl` over plaintext HTTP/2 against the test server."""
    return subprocess.run(
        [
            buf_executable(),
            "curl",
            "--protocol",
            "grpc",
            "--http2-prior-knowledge",
            *args,
            f"http://{target}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def buf_json(target: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call one method with buf curl and return the JSON it prints."""
    data = ["-d", json.dumps(body)] if body is not None else []
    result = buf_curl(target, *data, path=path)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


class TestBufCurl:
    def test_it_lists_the_services_and_methods_through_reflection(self, target: str) -> None:
        """Given only the address, buf curl finds every public service and its methods."""
        services = buf_curl(target, "--list-services")
        assert services.returncode == 0, services.stderr
        assert set(services.stdout.split()) >= PUBLIC_SERVICES

        methods = buf_curl(target, "--list-methods").stdout.split()
        assert {
            "grpc.health.v1.Health/Check",
            "newsledger.v1.EventStoreService/AppendEvents",
            "newsledger.v1.EventStoreService/Subscribe",
            "newsledger.v1.NegotiationService/GetNegotiation",
            "newsledger.v1.NegotiationService/ListNegotiations",
        } <= set(methods)

    @pytest.mark.parametrize(
        "service", ["", "newsledger.v1.EventStoreService", "newsledger.v1.NegotiationService"]
    )
    def test_health_says_serving(self, target: str, service: str) -> None:
        """Given a running server, the standard health check reports SERVING."""
        body = {"service": service} if service else None
        assert buf_json(target, "/grpc.health.v1.Health/Check", body) == {"status": "SERVING"}

    def test_it_gets_the_seed_negotiation_with_a_json_body(
        self, target: str, client: LedgerClient
    ) -> None:
        """Given the seed story, GetNegotiation as JSON shows the truce and the framework."""
        ingest_story_over_grpc(client, SEED_STORY)

        response = buf_json(
            target,
            "/newsledger.v1.NegotiationService/GetNegotiation",
            {"negotiation_id": "us-china-trade-2025", "as_of": "2025-06-11"},
        )

        view = response["view"]
        assert view["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
        assert view["truce"]["deadline"]["startTime"] == "2025-08-12T04:01:00Z"
        assert view["truce"]["daysRemaining"] == 62
        assert view["outcomes"][0]["status"] == "OUTCOME_STATUS_AGREED_IN_PRINCIPLE"

    def test_an_unknown_negotiation_is_not_found(self, target: str) -> None:
        """Given no such negotiation, buf curl reports the not_found status and fails."""
        result = buf_curl(
            target,
            "-d",
            json.dumps({"negotiation_id": "no-such-talks"}),
            path="/newsledger.v1.NegotiationService/GetNegotiation",
        )
        assert result.returncode != 0
        assert json.loads(result.stderr)["code"] == "not_found"


@pytest.fixture
def channel(target: str) -> Iterator[grpc.Channel]:
    """Yield a bare channel to the test server, with no generated stubs of ours."""
    with grpc.insecure_channel(target) as opened:
        yield opened


def test_the_reflection_api_lists_the_services(channel: grpc.Channel) -> None:
    """Given a reflection client, list_services names every public service."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    [response] = list(stub.ServerReflectionInfo(iter([request]), timeout=20))
    names = {service.name for service in response.list_services_response.service}
    assert names >= PUBLIC_SERVICES


def test_reflection_describes_a_method_without_the_proto_files(channel: grpc.Channel) -> None:
    """Given only reflection, a client learns GetNegotiation's request and response types."""
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    service = pool.FindServiceByName("newsledger.v1.NegotiationService")
    method = service.methods_by_name["GetNegotiation"]
    assert method.input_type.full_name == "newsledger.v1.GetNegotiationRequest"
    assert method.output_type.full_name == "newsledger.v1.GetNegotiationResponse"
    assert "as_of" in method.input_type.fields_by_name


def test_reflection_v1_answers_as_v1alpha_does(channel: grpc.Channel) -> None:
    """Given a client of grpc.reflection.v1 (buf curl, grpcurl ask for it first), it answers."""
    call = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    (response,) = list(call(iter([request]), timeout=10))
    names = {service.name for service in response.list_services_response.service}
    assert {"newsledger.v1.EventStoreService", "grpc.reflection.v1alpha.ServerReflection"} <= names
    symbol = reflection_pb2.ServerReflectionRequest(
        file_containing_symbol="newsledger.v1.NegotiationService"
    )
    (described,) = list(call(iter([symbol]), timeout=10))
    assert described.file_descriptor_response.file_descriptor_proto
