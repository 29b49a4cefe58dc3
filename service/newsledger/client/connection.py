"""Client channels to a newsledger server: plaintext or TLS, with a bearer token when given.

The command line sets the process-wide default from `--token` / `--tls-*`; without it the
environment is read: NEWSLEDGER_TOKEN, NEWSLEDGER_TLS_CA_FILE, NEWSLEDGER_TLS_CLIENT_CERT_FILE
and NEWSLEDGER_TLS_CLIENT_KEY_FILE.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import grpc

from newsledger.client.tls import ClientTls
from newsledger.config import MAX_MESSAGE_BYTES

ChannelOptions = Sequence[tuple[str, Any]]


@dataclass(frozen=True, slots=True)
class ClientSecurity:
    """The token a client presents, and its TLS settings (None: plaintext)."""

    token: str | None = None
    tls: ClientTls | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientSecurity:
        """Read NEWSLEDGER_TOKEN and the NEWSLEDGER_TLS_* client variables."""
        env = os.environ if env is None else env
        files = [
            env.get(name)
            for name in (
                "NEWSLEDGER_TLS_CA_FILE",
                "NEWSLEDGER_TLS_CLIENT_CERT_FILE",
                "NEWSLEDGER_TLS_CLIENT_KEY_FILE",
            )
        ]
        tls = ClientTls(*(Path(f) if f else None for f in files)) if any(files) else None
        return cls(token=env.get("NEWSLEDGER_TOKEN") or None, tls=tls)


_default: ClientSecurity | None = None


def use_by_default(security: ClientSecurity | None) -> None:
    """Make security the default of every channel this process opens without one.

    None restores the default read from the environment.
    """
    global _default
    _default = security


def default_security() -> ClientSecurity:
    """Return the default set by use_by_default, or the one the environment describes."""
    return _default if _default is not None else ClientSecurity.from_env()


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Sequence[tuple[str, str]] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Adds `authorization: Bearer <token>` to every call."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _with_token(self, details: Any) -> Any:
        metadata = [*(details.metadata or ()), self._header]
        return _CallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: Any, request: Any
    ) -> Any:
        """Call with the token added."""
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: Any, request: Any
    ) -> Any:
        """Call with the token added."""
        return continuation(self._with_token(details), request)


def open_channel(
    target: str, security: ClientSecurity | None = None, options: ChannelOptions = ()
) -> grpc.Channel:
    """Open a channel to target with security (default: default_security()).

    Every channel accepts replies up to the service's message cap, so a full page of
    capped events always fits.
    """
    security = security or default_security()
    options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES), *options]
    if security.tls is not None:
        channel = grpc.secure_channel(target, security.tls.credentials(), options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    if security.token:
        channel = grpc.intercept_channel(channel, BearerToken(security.token))
    return channel
