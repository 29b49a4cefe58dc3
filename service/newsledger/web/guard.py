"""Every response of the page: a reader's token checked when tokens are on, and safe headers.

A browser presents the token as the password of HTTP Basic authentication (it asks for it
once), a program as `Authorization: Bearer TOKEN`. Which tokens are good is for the caller
to say (`allows`), so the page needs no knowledge of how tokens are stored.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from newsledger.web.pages import PAGE_CSP, render

SECURITY_HEADERS = [
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
MAX_HEADER = 4096


def presented_token(authorization: str) -> str | None:
    """Return the token in an Authorization header (Bearer, or Basic's password), or None."""
    if len(authorization) > MAX_HEADER:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, colon, password = decoded.partition(":")
        return password if colon and password else None
    return None


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


class PageGuard:
    """ASGI middleware: refuse requests without a good token, add the security headers."""

    def __init__(self, app: ASGIApp, allows: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.allows = allows

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allows is not None:
            token = presented_token(_header(scope, b"authorization"))
            if token is None or not self.allows(token):
                await _refuse(send, missing=token is None)
                return

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(send: Send, missing: bool) -> None:
    """Answer 401 with a page saying how to present a token."""
    message = (
        "This page needs a reader's token. A browser asks for it: any user name, the token as "
        "the password. A program sends Authorization: Bearer TOKEN."
        if missing
        else "The token presented is not one this page accepts (a reader's token or higher)."
    )
    body = render(
        "error.html",
        {
            "standalone": False,
            "root": "",
            "status": 401,
            "heading": "A token is needed",
            "message": message,
            "violations": [],
            "back": "/",
            "back_text": "try again",
        },
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Basic realm="newsledger", charset="UTF-8"'),
        *SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
