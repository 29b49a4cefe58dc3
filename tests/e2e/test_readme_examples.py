"""The README's command examples, run as written against a served seed story.

Every `newsledger` line of "Query the running service" and of "See it" (but `web`, which
serves until stopped), and every shell block of "With a generic gRPC client", runs with the
address of the test server in place of 127.0.0.1:50051; each must succeed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsledger.client.ledger_client import LedgerClient
from newsledger.stories.ingest import ingest_story_over_grpc
from tests.support.paths import ROOT, SEED_STORY

README = (ROOT / "README.md").read_text(encoding="utf-8")
DEFAULT = "127.0.0.1:50051"


def section(start: str, end: str) -> str:
    """Return the README's text from the heading start to the heading end."""
    return README[README.index(start) : README.index(end)]


def shell_blocks(text: str) -> list[str]:
    """Return the text's `sh` code blocks."""
    return re.findall(r"```sh\n(.*?)```", text, re.DOTALL)


QUERY = shell_blocks(section("## Query the running service", "## See it"))
SEE_IT = shell_blocks(section("## See it", "### With a generic gRPC client"))
BLOCKS = shell_blocks(section("### With a generic gRPC client", "## The API"))


def commands(block: str) -> list[str]:
    """Return the block's commands, continuation lines joined, comment lines dropped."""
    joined = block.replace("\\\n", " ")
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]


def newsledger_lines(blocks: list[str]) -> list[str]:
    """Return the blocks' `newsledger` commands."""
    found = [c for block in blocks for c in commands(block)]
    return [c for c in found if c.startswith(".venv/bin/newsledger ")]


NEWSLEDGER_LINES = newsledger_lines(QUERY)
SEE_IT_LINES = [line for line in newsledger_lines(SEE_IT) if line.split()[1] != "web"]


def test_the_section_has_the_examples_this_test_runs() -> None:
    assert len(NEWSLEDGER_LINES) >= 15
    assert len(SEE_IT_LINES) >= 5
    assert len(BLOCKS) >= 2


@pytest.fixture
def seeded(client: LedgerClient, target: str) -> str:
    """Ingest the seed story; return the address once a whole second has passed since."""
    ingest_story_over_grpc(client, SEED_STORY)
    time.sleep(1.1)  # `date -u +%FT%TZ` in an example has whole seconds
    return target


def as_run(line: str, target: str) -> str:
    """Return a README `newsledger` line as the test runs it: this interpreter, this server."""
    command = re.sub(r"\s+#\s.*$", "", line)  # the trailing comment
    if command.split()[1] == "watch":
        command += " --count 1"
    python = shlex.quote(sys.executable)
    command = command.replace(".venv/bin/newsledger", f"{python} -m newsledger", 1)
    return f"{command} --server {target}"


@pytest.mark.parametrize("line", NEWSLEDGER_LINES, ids=lambda line: line.split(" ", 1)[1][:60])
def test_each_newsledger_example_succeeds(seeded: str, line: str, tmp_path: Path) -> None:
    env = {**os.environ, "NEWSLEDGER_SIGNING_KEY": str(tmp_path / "unused.key")}
    result = subprocess.run(
        ["bash", "-c", as_run(line, seeded)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert result.stdout.strip(), line


@pytest.mark.parametrize("line", SEE_IT_LINES, ids=lambda line: line.split(" ", 1)[1][:60])
def test_each_page_command_example_succeeds(seeded: str, line: str, tmp_path: Path) -> None:
    """Given the diff, report and export lines, each runs where its files may be written."""
    result = subprocess.run(
        ["bash", "-c", as_run(line, seeded)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"{line}\n{result.stderr}"
    written = [path for path in tmp_path.iterdir() if path.stat().st_size > 0]
    assert result.stdout.strip() or written, line


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_each_generic_client_block_succeeds(seeded: str, index: int, tmp_path: Path) -> None:
    """Given the buf curl blocks, each runs in a shell and every command in it succeeds."""
    bin_dir = Path(sys.executable).parent
    script = BLOCKS[index].replace(DEFAULT, seeded).replace(".venv/bin/", f"{bin_dir}/")
    script = script.replace(" convert proto ", f" convert {ROOT / 'proto'} ")
    # The error example fails on purpose; the shell goes on and the last command must pass.
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
    if "buf convert" in script:
        assert '"reason":"FIELD_NOT_FOUND"' in result.stdout
