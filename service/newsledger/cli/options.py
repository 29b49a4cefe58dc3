"""Command-line options for access control, TLS, metrics and logs, and what they build."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsledger.api.security import ServerSecurity
from newsledger.api.tls import ServerTls
from newsledger.api.tokens import TokenRegistry
from newsledger.client.connection import ClientSecurity
from newsledger.client.tls import ClientTls
from newsledger.config import Settings, TlsConfigError


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """Add the security, metrics and logging options of `serve`."""
    group = parser.add_argument_group("security (see README, Security)")
    group.add_argument(
        "--tokens-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="bearer tokens with roles, stored hashed (NEWSLEDGER_TOKENS_FILE); "
        "with any token configured, every RPC but health and reflection needs one",
    )
    group.add_argument(
        "--tls-cert",
        type=Path,
        default=None,
        metavar="FILE",
        help="serve TLS with this certificate chain (NEWSLEDGER_TLS_CERT_FILE)",
    )
    group.add_argument(
        "--tls-key",
        type=Path,
        default=None,
        metavar="FILE",
        help="the certificate's private key (NEWSLEDGER_TLS_KEY_FILE)",
    )
    group.add_argument(
        "--tls-client-ca",
        type=Path,
        default=None,
        metavar="FILE",
        help="require client certificates signed by this CA: mutual TLS "
        "(NEWSLEDGER_TLS_CLIENT_CA_FILE)",
    )
    group.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback address without tokens or mutual TLS",
    )
    ops = parser.add_argument_group("operations")
    ops.add_argument(
        "--metrics-address",
        default=None,
        metavar="HOST:PORT",
        help="serve Prometheus metrics at http://HOST:PORT/metrics (NEWSLEDGER_METRICS_ADDRESS)",
    )
    ops.add_argument(
        "--max-streams-per-caller",
        type=int,
        default=None,
        metavar="N",
        help="most long-lived calls one token holder or client certificate may hold open "
        "(NEWSLEDGER_MAX_STREAMS_PER_CALLER; default: half of --max-streams)",
    )
    ops.add_argument(
        "--max-anonymous-streams",
        type=int,
        default=None,
        metavar="N",
        help="most long-lived calls without credentials (health Watch, reflection) open at "
        "once, all callers together (NEWSLEDGER_MAX_ANONYMOUS_STREAMS; default: a sixth "
        "of --max-streams)",
    )
    ops.add_argument(
        "--log-format",
        choices=("json", "text"),
        default="json",
        help="log lines as JSON objects (default) or as text",
    )


def server_security(args: argparse.Namespace, settings: Settings) -> ServerSecurity:
    """Return the server's security from the options, falling back to the settings."""
    tokens = TokenRegistry.load(args.tokens_file or settings.tokens_file, settings.tokens)
    cert = args.tls_cert or settings.tls_cert_file
    key = args.tls_key or settings.tls_key_file
    client_ca = args.tls_client_ca or settings.tls_client_ca_file
    if (cert is None) != (key is None):
        raise TlsConfigError("TLS needs both --tls-cert and --tls-key")
    if client_ca is not None and cert is None:
        raise TlsConfigError("mutual TLS (--tls-client-ca) needs --tls-cert and --tls-key")
    tls = ServerTls(cert, key, client_ca) if cert is not None and key is not None else None
    return ServerSecurity(tokens=tokens, tls=tls, insecure=args.insecure)


def stream_budgets(
    args: argparse.Namespace, settings: Settings, max_streams: int
) -> tuple[int | None, int | None]:
    """Return the per-caller and anonymous stream budgets, checked against max_streams."""
    from newsledger.api.interceptors.stream_slots import StreamSlots

    per_caller = args.max_streams_per_caller or settings.max_streams_per_caller
    anonymous = args.max_anonymous_streams or settings.max_anonymous_streams
    StreamSlots(max_streams, per_caller, anonymous)  # raises InvalidStreamLimit when out of range
    return per_caller, anonymous


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """Add the token and TLS options of the commands that call a server."""
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--token",
        default=None,
        metavar="TOKEN",
        help="bearer token to present (default: NEWSLEDGER_TOKEN)",
    )
    group.add_argument(
        "--tls-ca",
        type=Path,
        default=None,
        metavar="FILE",
        help="connect with TLS, trusting this CA (NEWSLEDGER_TLS_CA_FILE)",
    )
    group.add_argument(
        "--tls-client-cert",
        type=Path,
        default=None,
        metavar="FILE",
        help="client certificate for mutual TLS (NEWSLEDGER_TLS_CLIENT_CERT_FILE)",
    )
    group.add_argument(
        "--tls-client-key",
        type=Path,
        default=None,
        metavar="FILE",
        help="its private key (NEWSLEDGER_TLS_CLIENT_KEY_FILE)",
    )


def client_security(args: argparse.Namespace) -> ClientSecurity:
    """Return the client's security from the options, falling back to the environment."""
    from_env = ClientSecurity.from_env()
    files = (args.tls_ca, args.tls_client_cert, args.tls_client_key)
    tls = ClientTls(*files) if any(files) else from_env.tls
    return ClientSecurity(token=args.token or from_env.token, tls=tls)
