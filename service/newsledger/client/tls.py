"""A client's TLS and mutual TLS, from certificate files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc

from newsledger.config import read_tls_file


@dataclass(frozen=True, slots=True)
class ClientTls:
    """What a client trusts (a CA file) and, for mutual TLS, its own certificate and key."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        """Return channel credentials; without a CA file, the system's roots are trusted."""
        ca = read_tls_file(self.ca_file, "CA certificate") if self.ca_file else None
        cert = read_tls_file(self.cert_file, "client certificate") if self.cert_file else None
        key = read_tls_file(self.key_file, "client key") if self.key_file else None
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=key, certificate_chain=cert
        )
