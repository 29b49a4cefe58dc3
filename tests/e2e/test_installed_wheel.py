"""The wheel users install: built from the tree, installed into a fresh venv outside it.

The client install (`pip install newsledger`) queries a server without any database
library; with the `server` extra, the installed command migrates, serves, ingests the seed
story and answers a query, finding its migrations and protos inside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT, SEED_NEGOTIATION, SEED_STORY
from tests.support.serve_process import SERVING

pytestmark = pytest.mark.slow

BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "LICENSE")
BUILD_FOLDERS = ("service", "migrations", "proto")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command to its end; fail the test with its output if it fails; return stdout."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the tree's build inputs (the tree itself stays clean)."""
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        shutil.copy2(ROOT / name, source / name)
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in BUILD_FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=junk)
    dist = tmp_path_factory.mktemp("dist")
    pip_wheel = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation")
    run(*pip_wheel, "--quiet", "--wheel-dir", dist, source, cwd=source)
    (built,) = dist.glob("newsledger-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """Return a fresh venv, outside the tree, with only the client install of the wheel."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", home / "env", cwd=home)
    bin_dir = home / "env" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=home)
    return bin_dir


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return an environment naming nothing of the source tree."""
    scratch = tmp_path_factory.mktemp("run")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSLEDGER_", "PYTHON"))}
    return {
        **clean,
        "NEWSLEDGER_DATABASE_URL": f"sqlite:///{scratch / 'installed.db'}",
        "NEWSLEDGER_SIGNING_KEY": str(scratch / "signing.key"),
    }


def test_the_wheel_carries_the_migrations_the_protos_and_the_license(wheel: Path) -> None:
    """Given the built wheel, every migration and .proto of the tree is inside the package."""
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {
        f"newsledger/migrations/{p.relative_to(ROOT / 'migrations')}"
        for p in (ROOT / "migrations").rglob("*")
        if p.suffix in (".py", ".mako")
    }
    protos = {
        f"newsledger/proto/{p.relative_to(ROOT / 'proto')}"
        for p in (ROOT / "proto").rglob("*.proto")
    }
    assert migrations and protos
    assert migrations | protos <= names
    assert "newsledger/proto/google/api/field_behavior.proto" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text
    assert "Provides-Extra: server" in text


def test_the_client_install_holds_no_database_library(venv: Path, env: dict[str, str]) -> None:
    """Given `pip install newsledger`, the client imports and the database libraries are absent."""
    probe = (
        "import importlib.util, newsledger.client\n"
        "from newsledger.client import connect\n"
        "print([m for m in ('sqlalchemy', 'alembic', 'psycopg') if importlib.util.find_spec(m)])\n"
    )
    assert run(venv / "python", "-c", probe, cwd=venv, env=env).strip() == "[]"
    serve = subprocess.run(
        [venv / "newsledger", "migrate"], capture_output=True, text=True, env=env, timeout=60
    )
    assert serve.returncode == 5
    assert serve.stderr.strip() == (
        "newsledger: `newsledger migrate` needs the server libraries "
        "(No module named 'sqlalchemy'): pip install 'newsledger[server]'"
    )


@pytest.fixture(scope="module")
def served(venv: Path, wheel: Path, env: dict[str, str]) -> Iterator[str]:
    """Install the server extra, migrate, serve on a free port; yield the address."""
    run(
        venv / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        f"newsledger[server] @ {wheel.as_uri()}",
        cwd=venv,
    )
    migrated = run(venv / "newsledger", "migrate", cwd=venv, env=env)
    assert "migrated from an empty database to revision" in migrated
    process = subprocess.Popen(
        [venv / "newsledger", "serve", "--address", "127.0.0.1:0"],
        cwd=venv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if found := SERVING.search(line):
                yield f"127.0.0.1:{found.group(1)}"
                break
        else:
            pytest.fail("the installed server did not start")
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_installed_command_ingests_the_seed_story_and_answers_a_query(
    venv: Path, env: dict[str, str], served: str
) -> None:
    """Given the installed server, the installed command ingests the story and reads it back."""
    ingested = run(
        venv / "newsledger", "ingest", SEED_STORY, "--server", served, "--json", cwd=venv, env=env
    )
    assert json.loads(ingested)["new"] > 0
    state = run(
        venv / "newsledger", "state", SEED_NEGOTIATION, "--as-of", "2025-06-11", "--json",
        "--server", served, cwd=venv, env=env,
    )  # fmt: skip
    assert json.loads(state)["truce"]["days_remaining"] == 62
