"""Every RPC needs a known role; health and reflection stay open; the rest fail closed."""

from __future__ import annotations

from newsledger.api.interceptors.auth import (
    METHOD_ROLES,
    SERVICE_ROLES,
    bearer_token,
    required_role,
)
from newsledger.api.tokens import Role
from newsledger.v1 import audit_pb2, event_store_pb2, negotiations_pb2

SERVICES = [
    event_store_pb2.DESCRIPTOR.services_by_name["EventStoreService"],
    negotiations_pb2.DESCRIPTOR.services_by_name["NegotiationService"],
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"],
]


def test_every_rpc_of_every_service_has_an_explicit_role() -> None:
    for service in SERVICES:
        for method in service.methods:
            path = f"/{service.full_name}/{method.name}"
            assert path in METHOD_ROLES or service.full_name in SERVICE_ROLES, path


def test_appends_need_the_writer_role_and_reads_the_reader_role() -> None:
    assert required_role("/newsledger.v1.EventStoreService/AppendEvents") == Role.WRITER
    assert required_role("/newsledger.v1.AuditService/AppendAndProve") == Role.WRITER
    assert required_role("/newsledger.v1.EventStoreService/Subscribe") == Role.READER
    assert required_role("/newsledger.v1.AuditService/StreamEntries") == Role.READER
    assert required_role("/newsledger.v1.NegotiationService/GetNegotiation") == Role.READER


def test_health_and_reflection_are_open_and_unknown_methods_need_admin() -> None:
    assert required_role("/grpc.health.v1.Health/Check") is None
    assert required_role("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo") is None
    assert required_role("/newsledger.v1.KeyService/RotateKey") == Role.ADMIN


def test_the_bearer_token_is_read_from_the_authorization_header() -> None:
    assert bearer_token([("authorization", "Bearer abc")]) == "abc"
    assert bearer_token([("authorization", "bearer  abc ")]) == "abc"
    assert bearer_token([("authorization", "Basic abc")]) is None
    assert bearer_token([("x-other", "Bearer abc")]) is None
    assert bearer_token(None) is None
