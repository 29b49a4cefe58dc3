"""`newsledger web`: the read-only web page, a client of a running gRPC server.

The page follows the server's exposure rules: loopback by default; any other address needs
authentication (reader tokens, or client certificates) or an explicit --insecure; TLS with
--tls-cert and --tls-key. A reader's token suffices to read the page.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsledger.api.security import (
    ExposureRefused,
    ServerSecurity,
    check_exposure,
    listen_host,
    warn_about_exposure,
)
from newsledger.api.tokens import Role, TokenRegistry
from newsledger.cli.exits import CommandError, ExitCode
from newsledger.cli.options import server_security
from newsledger.config import Settings, read_tls_file

DEFAULT_WEB_ADDRESS = "127.0.0.1:8080"
MISSING_EXTRA = (
    "the web page needs the `web` extra: pip install 'newsledger[web]' "
    "(in a checkout: .venv/bin/pip install -e '.[web]')"
)


def add_web_command(
    commands: Any, add_server_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add `web` to the command line's subparsers."""
    web = commands.add_parser(
        "web", help="serve the read-only web page of the negotiations (a gRPC client)"
    )
    web.add_argument(
        "--address",
        default=None,
        metavar="HOST:PORT",
        help=f"where the page listens (NEWSLEDGER_WEB_ADDRESS; default {DEFAULT_WEB_ADDRESS}; "
        "port 0 picks a free one)",
    )
    group = web.add_argument_group("the page's own access control (as serve's, see README)")
    group.add_argument(
        "--tokens-file",
        default=None,
        type=Path,
        metavar="FILE",
        help="tokens allowed to read the page, stored hashed (NEWSLEDGER_TOKENS_FILE); "
        "a reader's token suffices",
    )
    group.add_argument("--tls-cert", type=Path, default=None, metavar="FILE", help="serve HTTPS")
    group.add_argument("--tls-key", type=Path, default=None, metavar="FILE", help="its key")
    group.add_argument(
        "--tls-client-ca",
        type=Path,
        default=None,
        metavar="FILE",
        help="require browser certificates signed by this CA (mutual TLS)",
    )
    group.add_argument(
        "--insecure",
        action="store_true",
        help="allow a non-loopback address without tokens or client certificates",
    )
    add_server_option(web)
    web.set_defaults(run=run_web)


def reader_check(tokens: TokenRegistry) -> Callable[[str], bool] | None:
    """Return the page's token check (a reader's token or higher), or None without tokens."""
    if not tokens.enabled:
        return None

    def allows(token: str) -> bool:
        holder = tokens.holder(token)
        return holder is not None and holder.role.allows(Role.READER)

    return allows


def check_page_exposure(address: str, security: ServerSecurity) -> None:
    """Refuse a non-loopback address without authentication, as serve does."""
    try:
        check_exposure(address, security)
    except ExposureRefused:
        raise ExposureRefused(
            f"refusing to serve the page on {address} without authentication: anyone who can "
            "reach it could read the ledger. Configure reader tokens (--tokens-file or "
            "NEWSLEDGER_TOKENS) or client certificates (--tls-client-ca), listen on "
            "127.0.0.1, or pass --insecure to accept the risk"
        ) from None


def bind(address: str) -> socket.socket:
    """Return a socket listening on HOST:PORT, or raise ValueError naming what is wrong."""
    host, colon, port_text = address.rpartition(":")
    if not colon or not port_text.isdigit() or int(port_text) > 65535:
        raise ValueError(f"{address!r} is not HOST:PORT")
    host = listen_host(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port_text)))
        sock.listen(2048)  # connections wait in the backlog until the server accepts them
    except OSError:
        sock.close()
        raise
    return sock


def _tls_options(security: ServerSecurity) -> dict[str, Any]:
    """Return uvicorn's TLS settings, checking first that every file can be read."""
    tls = security.tls
    if tls is None:
        return {}
    read_tls_file(tls.cert_file, "TLS certificate")
    read_tls_file(tls.key_file, "TLS key")
    options: dict[str, Any] = {"ssl_certfile": str(tls.cert_file), "ssl_keyfile": str(tls.key_file)}
    if tls.client_ca_file is not None:
        read_tls_file(tls.client_ca_file, "client CA certificate")
        options |= {"ssl_ca_certs": str(tls.client_ca_file), "ssl_cert_reqs": ssl.CERT_REQUIRED}
    return options


def _protection(security: ServerSecurity) -> str:
    tls = "mutual TLS" if security.tls and security.tls.mutual else "TLS" if security.tls else ""
    tokens = f"{len(security.tokens.entries)} token(s)" if security.tokens.enabled else ""
    return " and ".join(part for part in (tls, tokens) if part) or "no authentication"


def run_web(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C or SIGTERM."""
    settings = Settings.from_env()
    security = server_security(args, settings)
    address = args.address or os.environ.get("NEWSLEDGER_WEB_ADDRESS") or DEFAULT_WEB_ADDRESS
    check_page_exposure(address, security)
    try:
        import uvicorn

        from newsledger.web.app import create_app
    except ModuleNotFoundError:
        raise CommandError(MISSING_EXTRA, ExitCode.UNAVAILABLE) from None
    from newsledger.client.ledger_client import LedgerClient
    from newsledger.web.reader import PageReader

    tls = _tls_options(security)
    try:
        sock = bind(address)
    except ValueError as error:
        raise CommandError(str(error), ExitCode.USAGE) from None
    warn_about_exposure(address, security)
    with LedgerClient(args.server, timeout_seconds=20) as client:
        app = create_app(PageReader(client), reader_check(security.tokens))
        config = uvicorn.Config(app, log_config=None, lifespan="off", server_header=False, **tls)
        port = sock.getsockname()[1]
        scheme = "https" if tls else "http"
        host = listen_host(address)
        shown = f"[{host}]" if ":" in host else host
        print(
            f"newsledger web page on {scheme}://{shown}:{port}/ (reading the server at "
            f"{args.server}; {_protection(security)}); Ctrl-C or SIGTERM stops it",
            flush=True,
        )
        uvicorn.Server(config).run(sockets=[sock])
    print("newsledger web stopped", flush=True)
    return 0
