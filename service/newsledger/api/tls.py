"""The server's TLS and mutual TLS, from certificate files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc

from newsledger.config import read_tls_file


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
        pair = (
            read_tls_file(self.key_file, "TLS key"),
            read_tls_file(self.cert_file, "TLS certificate"),
        )
        client_ca = None
        if self.client_ca_file is not None:
            client_ca = read_tls_file(self.client_ca_file, "client CA certificate")
        return grpc.ssl_server_credentials(
            [pair], root_certificates=client_ca, require_client_auth=self.mutual
        )
