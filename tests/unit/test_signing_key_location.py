"""The signing key's file follows the database, not the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsledger.config import Settings, SigningKeyRequired, signing_key_location


def location(url: str, **env: str) -> Path | None:
    """Return where the settings read from ``env`` put the signing key of ``url``."""
    return signing_key_location(Settings.from_env({"NEWSLEDGER_DATABASE_URL": url, **env}))


def test_an_sqlite_log_keeps_its_key_beside_its_file(tmp_path: Path) -> None:
    assert location(f"sqlite:///{tmp_path}/a/news.db") == tmp_path / "a" / "news.signing.key"
    assert location("sqlite:///var/newsledger.db") == Path("var/newsledger.signing.key")


def test_a_key_left_beside_the_file_by_an_earlier_version_is_still_found(tmp_path: Path) -> None:
    (tmp_path / "signing.key").write_text("")
    assert location(f"sqlite:///{tmp_path}/newsledger.db") == tmp_path / "signing.key"
    (tmp_path / "newsledger.signing.key").write_text("")
    assert location(f"sqlite:///{tmp_path}/newsledger.db") == tmp_path / "newsledger.signing.key"


def test_an_explicit_key_wins_and_postgresql_requires_one() -> None:
    explicit = {"NEWSLEDGER_SIGNING_KEY": "/etc/newsledger/log.key"}
    assert location("postgresql://db/x", **explicit) == Path("/etc/newsledger/log.key")
    assert location("sqlite:///x.db", **explicit) == Path("/etc/newsledger/log.key")
    with pytest.raises(SigningKeyRequired, match="NEWSLEDGER_SIGNING_KEY is required"):
        location("postgresql://postgres@127.0.0.1:5432/test")


def test_an_in_memory_database_signs_with_a_throwaway_key() -> None:
    assert location("sqlite://") is None
    assert location("sqlite:///:memory:") is None
