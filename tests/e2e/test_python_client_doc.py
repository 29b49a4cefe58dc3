"""docs/python-client.md: every example runs, in order, against a served seed story."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from newsledger.client.ledger_client import LedgerClient
from newsledger.stories.ingest import ingest_story_over_grpc
from tests.support.paths import ROOT, SEED_STORY

DOC = ROOT / "docs" / "python-client.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_document_has_examples_of_every_section() -> None:
    assert len(examples()) >= 6


def test_the_examples_run_against_a_served_seed_story(
    client: LedgerClient, target: str, tmp_path: Path
) -> None:
    """Given the seed story served, the examples run as one script without error."""
    ingest_story_over_grpc(client, SEED_STORY)
    script = tmp_path / "examples.py"
    script.write_text("\n".join(examples()), encoding="utf-8")
    env = {**os.environ, "NEWSLEDGER_SERVER": target}
    env.pop("NEWSLEDGER_TOKEN", None)
    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "NEGOTIATION_NOT_FOUND" in result.stdout
