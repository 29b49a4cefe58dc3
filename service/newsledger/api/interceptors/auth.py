"""Who may call what: the role each RPC needs, and the interceptor that checks bearer tokens.

Health and reflection stay open, so probes and generic clients work without a token.
A method no table names needs the admin role: a new RPC is closed until it is mapped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import grpc

from newsledger.api.interceptors.base import Interceptor, StreamBehaviour, UnaryBehaviour
from newsledger.api.interceptors.request_log import current_scope
from newsledger.api.tokens import Role, TokenEntry, TokenRegistry

log = logging.getLogger(__name__)

OPEN_SERVICES = frozenset(
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)
# NegotiationService only serves views folded from the log, so every method of it is a read.
SERVICE_ROLES = {"newsledger.v1.NegotiationService": Role.READER}
METHOD_ROLES = {
    "/newsledger.v1.EventStoreService/AppendEvents": Role.WRITER,
    "/newsledger.v1.EventStoreService/ReadStream": Role.READER,
    "/newsledger.v1.EventStoreService/ReadLog": Role.READER,
    "/newsledger.v1.EventStoreService/Subscribe": Role.READER,
    "/newsledger.v1.AuditService/GetCheckpoint": Role.READER,
    "/newsledger.v1.AuditService/ListCheckpoints": Role.READER,
    "/newsledger.v1.AuditService/GetInclusionProof": Role.READER,
    "/newsledger.v1.AuditService/GetConsistencyProof": Role.READER,
    "/newsledger.v1.AuditService/StreamEntries": Role.READER,
    "/newsledger.v1.AuditService/AppendAndProve": Role.WRITER,
    "/newsledger.v1.AuditService/ReplayNegotiation": Role.READER,
}


class AuthError(Exception):
    """Base of the refusals the auth interceptor raises; messages never hold a token."""

    def __init__(self, method: str, message: str) -> None:
        self.method = method
        super().__init__(message)


class Unauthenticated(AuthError):
    """The call presented no token, or one that no entry holds."""


class PermissionDenied(AuthError):
    """The token is valid, but its role does not allow the method."""

    def __init__(self, method: str, holder: TokenEntry, needed: Role) -> None:
        self.holder = holder
        self.needed = needed
        super().__init__(
            method,
            f"token {holder.name!r} has the {holder.role.label} role; "
            f"{method} needs the {needed.label} role",
        )


def service_of(method: str) -> str:
    """Return the full service name of a method path such as /pkg.Service/Method."""
    return method.lstrip("/").split("/", 1)[0]


def required_role(method: str) -> Role | None:
    """Return the role method needs, or None when it is open to everyone."""
    service = service_of(method)
    if service in OPEN_SERVICES:
        return None
    return METHOD_ROLES.get(method) or SERVICE_ROLES.get(service) or Role.ADMIN


def bearer_token(metadata: Any) -> str | None:
    """Return the token of an `authorization: Bearer …` header, or None."""
    for key, value in metadata or ():
        if key.lower() == "authorization" and isinstance(value, str):
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class AuthInterceptor(Interceptor):
    """Refuses calls without a token that holds the role their method needs."""

    def __init__(self, registry: TokenRegistry) -> None:
        self.registry = registry

    def wraps(self, method: str, handler: grpc.RpcMethodHandler) -> bool:
        """Apply to every method that needs a role (health and reflection stay open)."""
        return required_role(method) is not None

    def check(self, method: str, context: grpc.ServicerContext) -> TokenEntry:
        """Return the holder of the call's token, or raise the refusal."""
        needed = required_role(method) or Role.READER
        token = bearer_token(context.invocation_metadata())
        if token is None:
            self._log_denial(method, context, "no bearer token")
            raise Unauthenticated(method, "this server needs a bearer token (authorization)")
        holder = self.registry.holder(token)
        if holder is None:
            self._log_denial(method, context, "unknown token")
            raise Unauthenticated(method, "the bearer token is not valid")
        current_scope().principal = holder.name
        if not holder.role.allows(needed):
            self._log_denial(method, context, f"role {holder.role.label} < {needed.label}")
            raise PermissionDenied(method, holder, needed)
        return holder

    @staticmethod
    def _log_denial(method: str, context: grpc.ServicerContext, why: str) -> None:
        fields = {"method": method, "peer": context.peer(), "why": why}
        fields["principal"] = current_scope().principal or ""
        log.warning("denied %s: %s", method, why, extra={"fields": fields})

    def unary(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        """Check the token, then run the behaviour."""

        def checked(request: Any, context: grpc.ServicerContext) -> Any:
            self.check(method, context)
            return behaviour(request, context)

        return checked

    def stream(self, method: str, behaviour: StreamBehaviour) -> StreamBehaviour:
        """Check the token before the first message, then stream."""

        def checked(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            self.check(method, context)
            yield from behaviour(request, context)

        return checked
