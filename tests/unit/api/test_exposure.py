"""Without authentication the server is for this machine only."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsledger.api.security import ExposureRefused, ServerSecurity, check_exposure, is_loopback
from newsledger.api.tls import ServerTls
from newsledger.api.tokens import Role, TokenRegistry, entry_line

TOKENS = TokenRegistry.load(text=entry_line(Role.WRITER, "bot", "secret"))


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:50051", True),
        ("127.1.2.3:0", True),
        ("localhost:50051", True),
        ("[::1]:50051", True),
        ("unix:/tmp/newsledger.sock", True),
        ("0.0.0.0:50051", False),
        ("[::]:50051", False),
        ("192.168.1.5:50051", False),
        ("example.org:50051", False),
        (":50051", False),
    ],
)
def test_loopback_addresses_are_recognised(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_beyond_loopback_needs_tokens_mutual_tls_or_the_insecure_override() -> None:
    server_tls = ServerTls(Path("cert.pem"), Path("key.pem"))
    mutual_tls = ServerTls(Path("cert.pem"), Path("key.pem"), Path("client-ca.pem"))
    with pytest.raises(ExposureRefused, match=r"refusing to listen on 0\.0\.0\.0:1 "):
        check_exposure("0.0.0.0:1", ServerSecurity())
    with pytest.raises(ExposureRefused):  # TLS alone proves the server, not the caller
        check_exposure("0.0.0.0:1", ServerSecurity(tls=server_tls))
    check_exposure("0.0.0.0:1", ServerSecurity(tokens=TOKENS))
    check_exposure("0.0.0.0:1", ServerSecurity(tls=mutual_tls))
    check_exposure("0.0.0.0:1", ServerSecurity(insecure=True))
    check_exposure("127.0.0.1:1", ServerSecurity())
