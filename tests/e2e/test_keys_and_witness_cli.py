"""`newsledger keys` and `newsledger witness` from the shell: what they print and refuse."""

from __future__ import annotations

import os
from pathlib import Path

from newsledger.cli.exits import ExitCode
from tests.support.serve_process import run_newsledger


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLEDGER_")}
    return {**env, "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'log.db'}"}


def test_keys_create_show_and_rotate_with_a_handover(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (tmp_path / "data").mkdir()
    assert run_newsledger("migrate", cwd=tmp_path, env=env).returncode == 0
    created = run_newsledger("keys", "create", cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "data" / "log.signing.key").exists()  # beside the database
    first = created.stdout.split("verifier key to pin: ")[1].strip()

    rotated = run_newsledger("keys", "rotate", "--new-key", str(tmp_path / "new.key"),
                             cwd=tmp_path, env=env)  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    assert "newsledger key handover/v1" in rotated.stdout and f"old {first}" in rotated.stdout
    assert "handed over" in rotated.stderr  # logged
    shown = run_newsledger("keys", "show", cwd=tmp_path, env=env)
    assert f"key {first} (retired" in shown.stdout
    assert "NOT the log's signing key" in shown.stdout  # the file beside the db is the old key

    refused = run_newsledger("serve", "--address", "127.0.0.1:0", cwd=tmp_path, env=env)
    assert refused.returncode == ExitCode.INVALID_INPUT
    assert "retired by `newsledger keys rotate`" in refused.stderr
    assert "Traceback" not in refused.stderr
    again = run_newsledger("keys", "rotate", "--new-key", str(tmp_path / "new.key"),
                           cwd=tmp_path, env=env)  # fmt: skip
    assert again.returncode == ExitCode.INVALID_INPUT and "Traceback" not in again.stderr


def test_witness_init_add_log_and_status_and_a_missing_database_is_refused(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    files = ["--db", str(tmp_path / "w.db"), "--key", str(tmp_path / "w.key")]
    init = run_newsledger("witness", "init", *files, "--name", "w.example/1", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    assert init.stdout.startswith("witness key: w.example/1+")
    log_vkey = "log.example/x+" + "0" * 8
    bad = run_newsledger("witness", "add-log", *files, "--vkey", log_vkey, cwd=tmp_path, env=env)
    assert bad.returncode == ExitCode.INVALID_INPUT and "Traceback" not in bad.stderr
    missing = ["--db", str(tmp_path / "missing.db"), "--key", str(tmp_path / "w.key")]
    status = run_newsledger("witness", "status", *missing, cwd=tmp_path, env=env)
    assert status.returncode == ExitCode.INVALID_INPUT
    assert "no witness database" in status.stderr
    twice = run_newsledger(
        "witness", "init", *files, "--name", "w.example/1", cwd=tmp_path, env=env
    )
    assert twice.returncode == ExitCode.USAGE and "already exists" in twice.stderr
