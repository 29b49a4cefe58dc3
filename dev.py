#!/usr/bin/env python3
"""Set up and run newsledger with nothing but Python: `python3 dev.py run` or `python3 dev.py test`.

run   creates .venv, installs newsledger (with its web page), migrates the embedded SQLite
      database, loads the seed story and serves the gRPC API on 127.0.0.1:50051 (extra
      arguments go to `serve`); `.venv/bin/newsledger web` then shows it in a browser.
test  creates .venv, installs newsledger with its development tools, then runs the linters,
      the type checker, buf lint and buf breaking on the protos, and the test suite (extra
      arguments go to pytest; the interop test installs its Node.js client with npm).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
SEED_STORY = ROOT / "data" / "stories" / "us-china-trade-2025.yaml"


def say(message: str) -> None:
    """Print a progress line."""
    print(f"dev.py: {message}", flush=True)


def run(*command: str | Path) -> None:
    """Run a command from the repository root; stop with its status if it fails."""
    result = subprocess.run([str(part) for part in command], cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def ensure_installed(extra: str) -> None:
    """Create .venv and install the package (with an extra), unless already done."""
    if not PYTHON.exists():
        say(f"creating {VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    build_files = (ROOT / "pyproject.toml").read_bytes() + (ROOT / "setup.py").read_bytes()
    digest = hashlib.sha256(build_files).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'base'}-{digest}"
    if stamp.exists():
        return
    target = f".[{extra}]" if extra else "."
    say(f"installing newsledger{f'[{extra}]' if extra else ''} into .venv (first time only)")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target)
    stamp.touch()


def command_run(arguments: list[str]) -> None:
    """Serve the seed story on the embedded SQLite database."""
    ensure_installed("server,web")  # the service, and `newsledger web` to see its page
    say("starting the service (Ctrl-C stops it)")
    newsledger = str(BIN / "newsledger")
    os.chdir(ROOT)
    os.execv(
        newsledger,
        [newsledger, "serve", "--migrate", "--ingest", str(SEED_STORY), *arguments],
    )


def command_test(arguments: list[str]) -> None:
    """Lint, type-check and run the whole test suite."""
    ensure_installed("dev")
    say("ruff")
    sources = ("service", "tests", "tools", "migrations", "bench", "dev.py")
    run(BIN / "ruff", "check", *sources)
    run(BIN / "ruff", "format", "--check", *sources)
    say("mypy --strict")
    run(BIN / "mypy")
    say("buf lint, and buf breaking against the previous commit")
    run(PYTHON, ROOT / "tools" / "check_protos.py")
    if os.environ.get("NEWSLEDGER_TEST_DATABASE_URL"):
        say(f"PostgreSQL tests on {os.environ['NEWSLEDGER_TEST_DATABASE_URL']}")
    else:
        say("NEWSLEDGER_TEST_DATABASE_URL is not set: PostgreSQL tests will be skipped")
    say("pytest")
    run(PYTHON, "-m", "pytest", *arguments)


def main() -> None:
    """Dispatch to run or test."""
    commands = {"run": command_run, "test": command_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        raise SystemExit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
