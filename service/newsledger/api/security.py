"""How a server is protected, and whether it may listen where it was asked to.

Without authentication the server is for this machine only: it listens on loopback, and
any other address is refused unless the operator explicitly chose to run insecure.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field

from newsledger.api.tls import ServerTls
from newsledger.api.tokens import TokenRegistry

log = logging.getLogger(__name__)


class ExposureRefused(Exception):
    """The server would listen beyond loopback with nobody's identity checked."""


@dataclass(frozen=True, slots=True)
class ServerSecurity:
    """Tokens (empty: no token needed), TLS (None: plaintext), and the insecure override."""

    tokens: TokenRegistry = field(default_factory=TokenRegistry)
    tls: ServerTls | None = None
    insecure: bool = False

    @property
    def authenticated(self) -> bool:
        """Tell whether callers must prove who they are (a token or a client certificate)."""
        return self.tokens.enabled or (self.tls is not None and self.tls.mutual)


def listen_host(address: str) -> str:
    """Return the host part of HOST:PORT, [V6]:PORT or a unix: address."""
    if address.startswith(("unix:", "unix-abstract:")):
        return "localhost"
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host.strip("[]")


def is_loopback(address: str) -> bool:
    """Tell whether address listens only to this machine (127.0.0.0/8, ::1, localhost, unix)."""
    host = listen_host(address)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def check_exposure(address: str, security: ServerSecurity) -> None:
    """Raise ExposureRefused for a non-loopback address without authentication or --insecure."""
    if is_loopback(address) or security.authenticated or security.insecure:
        return
    raise ExposureRefused(
        f"refusing to listen on {address} without authentication: anyone who can reach it "
        "could append to the ledger. Configure tokens (--tokens-file or NEWSLEDGER_TOKENS) "
        "or mutual TLS (--tls-client-ca), listen on 127.0.0.1, or pass --insecure to accept "
        "the risk"
    )


def warn_about_exposure(address: str, security: ServerSecurity) -> None:
    """Log what is weak about listening on address with security."""
    if is_loopback(address):
        return
    if not security.authenticated:
        log.warning("listening on %s with no authentication (--insecure)", address)
    elif security.tls is None:
        log.warning("listening on %s without TLS: bearer tokens travel in plaintext", address)
