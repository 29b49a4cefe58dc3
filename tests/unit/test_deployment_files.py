"""The deployment files are accepted by their tools."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import ROOT

DOCKER_COMPOSE = Path(sys.executable).parent / "docker-compose"


def test_docker_compose_config_accepts_the_compose_file() -> None:
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_service_waits_for_the_migrations_which_wait_for_postgres() -> None:
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    services = json.loads(result.stdout)["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    newsledger = services["newsledger"]["depends_on"]["migrate"]["condition"]
    assert newsledger == "service_completed_successfully"
    assert "--ingest" in services["newsledger"]["command"]


def compose_config() -> dict[str, Any]:
    """Return the compose file as `docker compose config` resolves it."""
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def dockerfile_instructions() -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (keyword, arguments), continuations joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    instructions = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(keyword.upper(), rest) for keyword, rest in instructions]


def copied_sources() -> set[str]:
    """Return every source path the Dockerfile's COPY instructions name."""
    return {
        source
        for keyword, rest in dockerfile_instructions()
        if keyword == "COPY"
        for source in rest.split()[:-1]
    }


def created_owned_by(run: str, user: str) -> set[str]:
    """Return the directories a RUN line creates with `install -d -o USER`."""
    created: set[str] = set()
    for command in run.split("&&"):
        words = shlex.split(command)
        owner = words[words.index("-o") + 1] if "-o" in words else None
        if words[:2] == ["install", "-d"] and owner == user:
            created |= {word for word in words[2:] if word.startswith("/")}
    return created


def test_every_volume_of_the_service_is_a_directory_its_user_owns_in_the_image() -> None:
    """Given the compose file's volumes, the image creates each target, owned by its user."""
    instructions = dockerfile_instructions()
    (user,) = [rest.strip() for keyword, rest in instructions if keyword == "USER"]
    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    owned = set().union(*(created_owned_by(run, user) for run in runs))
    services = compose_config()["services"]
    for name in ("migrate", "newsledger"):
        targets = {volume["target"] for volume in services[name].get("volumes", [])}
        assert targets, f"{name} mounts no volume"
        assert targets <= owned, f"{name}: {targets - owned} not created for {user}"
        key = services[name]["environment"]["NEWSLEDGER_SIGNING_KEY"]
        assert any(key.startswith(f"{target}/") for target in targets)


def test_the_image_copies_everything_the_package_build_reads() -> None:
    """Given setup.py's mapped folders and the files pyproject names, each is copied."""
    needed = {"pyproject.toml", "setup.py", "README.md", "LICENSE", "service", "migrations"}
    assert needed | {"proto"} <= copied_sources()
    assert "NEWSLEDGER_MIGRATIONS_DIR" not in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _dockerignore_pattern(pattern: str) -> re.Pattern[str]:
    """Translate a .dockerignore pattern (Go filepath.Match with `**`) into a regex."""
    parts = []
    for piece in re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/")):
        if piece == "**/":
            parts.append("(?:.*/)?")
        elif piece == "**":
            parts.append(".*")
        elif piece == "*":
            parts.append("[^/]*")
        elif piece == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def dockerignored(path: str) -> bool:
    """Tell whether .dockerignore leaves path (relative, with slashes) out of the context."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    ancestors = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        regex = _dockerignore_pattern(pattern.removeprefix("!"))
        if any(regex.fullmatch(ancestor) for ancestor in ancestors):
            ignored = not pattern.startswith("!")
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "tests/interop/node/node_modules/@grpc/grpc-js/package.json",
        "var/newsledger.db",
        ".git/HEAD",
        "service/newsledger/__pycache__/config.cpython-311.pyc",
        "service/newsledger.egg-info/PKG-INFO",
    ],
)
def test_the_build_context_leaves_out_local_state(path: str) -> None:
    """Given a virtualenv, Node packages, the database, git or caches, none is sent."""
    assert dockerignored(path)


def test_the_build_context_keeps_what_the_image_copies() -> None:
    """Given each COPY source and a file inside each, the context still holds it."""
    inside = [
        "service/newsledger/config.py",
        "migrations/env.py",
        "proto/newsledger/v1/event_store.proto",
        "data/stories/us-china-trade-2025.yaml",
    ]
    for path in [*copied_sources(), *inside]:
        assert not dockerignored(path), path


def test_the_replicas_profile_runs_a_second_replica_with_the_same_database_and_key() -> None:
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "--profile", "replicas",
         "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    services = json.loads(result.stdout)["services"]
    first, second = services["newsledger"], services["newsledger-replica"]
    for variable in ("NEWSLEDGER_DATABASE_URL", "NEWSLEDGER_SIGNING_KEY"):
        assert first["environment"][variable] == second["environment"][variable]
    assert [v["source"] for v in first["volumes"]] == [v["source"] for v in second["volumes"]]
    assert second["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    published = {p["published"] for s in (first, second) for p in s["ports"]}
    assert published == {"50051", "50052"}
