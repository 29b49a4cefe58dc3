"""The signing key file is created 0600 on first use and refused when others can read it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newsledger.audit.storage.signing_key import KeyFileError, load_or_create_signer


def test_first_use_creates_a_private_key_file_and_later_uses_load_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "keys" / "checkpoint.key"
    signer = load_or_create_signer(path, "example.test/newsledger")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+example.test/newsledger+")
    assert signer.vkey.startswith("example.test/newsledger+")
    again = load_or_create_signer(path, "example.test/newsledger")
    assert again.vkey == signer.vkey
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.key"]


def test_the_file_is_0600_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = tmp_path / "checkpoint.key"
        load_or_create_signer(path, "example.test/newsledger")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "checkpoint.key"
    load_or_create_signer(path, "example.test/newsledger")
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"mode {mode:04o}.*chmod 600"):
        load_or_create_signer(path, "example.test/newsledger")


def test_a_key_for_another_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.key"
    load_or_create_signer(path, "example.test/newsledger")
    with pytest.raises(KeyFileError, match="is for log"):
        load_or_create_signer(path, "other.test/log")


def test_a_malformed_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key\n")
    os.close(fd)
    with pytest.raises(KeyFileError, match="malformed"):
        load_or_create_signer(path, "example.test/newsledger")
    assert path.read_bytes() == b"not a key\n"
