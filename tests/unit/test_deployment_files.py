"""The deployment files are accepted by their tools."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
