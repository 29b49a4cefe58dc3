"""docs/clients.md: its Node.js example runs against a served ledger, with the shipped protos."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from newsledger.api.server import RunningServer, create_server
from newsledger.bootstrap import build_application
from newsledger.client.protos import proto_dir
from newsledger.store.event_store import EventStore
from tests.support.paths import ROOT

DOC = ROOT / "docs" / "clients.md"


@pytest.fixture
def open_server(engine: Engine) -> Iterator[RunningServer]:
    """Yield a loopback server with no tokens, as `python3 dev.py run` starts one."""
    app = build_application(EventStore(engine, lock_timeout_seconds=5.0))
    running = create_server(app, "127.0.0.1:0", max_workers=8)
    yield running
    running.stop(grace_seconds=1.0)


def test_the_node_example_appends_reads_and_decodes_error_details(
    node_client: Path, open_server: RunningServer, tmp_path: Path
) -> None:
    """Given only the shipped protos, the example appends in camelCase and reads details."""
    (example,) = re.findall(r"```js\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    script = tmp_path / "newsledger-example.cjs"
    script.write_text(example, encoding="utf-8")
    env = {**os.environ, "NODE_PATH": str(node_client.parent / "node_modules")}
    result = subprocess.run(
        ["node", str(script), f"127.0.0.1:{open_server.port}", str(proto_dir())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["position"] == "0"  # the first position, present, as a string
    assert answer["title"] == "Talks from Node.js"
    assert answer["reason"]["code"] == 5  # NOT_FOUND
    assert answer["reason"]["reason"] == "FIELD_NOT_FOUND"
    assert answer["reason"]["metadata"]["field_path"] == "truce.nope"
