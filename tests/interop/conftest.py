"""The Node.js client, installed from the npm registry on first use, and a server for it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.api.security import ServerSecurity
from newsledger.api.server import RunningServer, create_server
from newsledger.api.tokens import Role, TokenRegistry, entry_line, new_token
from newsledger.bootstrap import build_application
from newsledger.store.event_store import EventStore

NODE_DIR = Path(__file__).resolve().parent / "node"
TOKENS = {role: new_token() for role in (Role.READER, Role.WRITER)}


def _install_node_client() -> None:
    """Run `npm ci` unless node_modules already matches package-lock.json."""
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    stamp = NODE_DIR / "node_modules" / f".installed-{hashlib.sha256(lock).hexdigest()[:16]}"
    if stamp.exists():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        check=True,
        timeout=600,
    )
    stamp.touch()


@pytest.fixture(scope="session")
def node_client() -> Path:
    """Return the Node.js client script, with its packages installed."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js and npm for the interop test")
        pytest.skip("Node.js and npm are not installed")
    _install_node_client()
    return NODE_DIR / "client.mjs"


@pytest.fixture
def token_server(engine: Engine) -> Iterator[RunningServer]:
    """Yield a loopback server that needs a reader's or a writer's token."""
    lines = [entry_line(role, role.label, token) for role, token in TOKENS.items()]
    security = ServerSecurity(tokens=TokenRegistry.load(text="\n".join(lines)))
    app = build_application(EventStore(engine, lock_timeout_seconds=5.0))
    running = create_server(app, "127.0.0.1:0", max_workers=8, security=security)
    yield running
    running.stop(grace_seconds=1.0)
