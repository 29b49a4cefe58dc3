"""TLS and mutual TLS from certificate files, for the server and for clients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc


class TlsConfigError(OSError):
    """TLS is configured incompletely, or a certificate or key file cannot be read."""


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise TlsConfigError(f"cannot read the {what} {path}: {error.strerror or error}") from None


@dataclass(frozen=True, slots=True)
class ServerTls:
    """The server's certificate chain and key, and the CA that client certificates need."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None

    @property
    def mutual(self) -> bool:
        """Tell whether clients must present a certificate signed by client_ca_file."""
        return self.client_ca_file is not None

    def credentials(self) -> grpc.ServerCredentials:
        """Return the server credentials; mutual TLS requires and verifies client certs."""
        pair = (_read(self.key_file, "TLS key"), _read(self.cert_file, "TLS certificate"))
        client_ca = None
        if self.client_ca_file is not None:
            client_ca = _read(self.client_ca_file, "client CA certificate")
        return grpc.ssl_server_credentials(
            [pair], root_certificates=client_ca, require_client_auth=self.mutual
        )


@dataclass(frozen=True, slots=True)
class ClientTls:
    """What a client trusts (a CA file) and, for mutual TLS, its own certificate and key."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        """Return channel credentials; without a CA file, the system's roots are trusted."""
        ca = _read(self.ca_file, "CA certificate") if self.ca_file else None
        cert = _read(self.cert_file, "client certificate") if self.cert_file else None
        key = _read(self.key_file, "client key") if self.key_file else None
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=key, certificate_chain=cert
        )
