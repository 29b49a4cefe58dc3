"""The token file format, hashing, and role implications."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newsledger.api.tokens import (
    Role,
    TokenFileError,
    TokenRegistry,
    entry_line,
    new_token,
    parse_entries,
)


def test_an_entry_line_stores_only_the_sha256_of_the_token() -> None:
    token = new_token()
    line = entry_line(Role.WRITER, "ingest-bot", token)
    assert line == f"writer ingest-bot {hashlib.sha256(token.encode()).hexdigest()}"
    assert token not in line


def test_the_registry_finds_the_holder_of_a_token_and_nobody_for_others() -> None:
    reader, writer = new_token(), new_token()
    text = f"# comment\n\n{entry_line(Role.READER, 'dash', reader)}\n"
    registry = TokenRegistry.load(text=f"{entry_line(Role.WRITER, 'bot', writer)};{text}")
    assert registry.enabled
    holder = registry.holder(reader)
    assert holder is not None and (holder.name, holder.role) == ("dash", Role.READER)
    assert registry.holder(writer) is not None
    assert registry.holder("guess") is None
    assert registry.holder("") is None


def test_file_and_environment_entries_combine(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(entry_line(Role.ADMIN, "ops", "a") + "\n")
    registry = TokenRegistry.load(path, entry_line(Role.READER, "dash", "b"))
    assert {entry.name for entry in registry.entries} == {"ops", "dash"}


def test_no_entries_means_no_access_control() -> None:
    assert not TokenRegistry.load(None, "").enabled


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("writer bot", "expected 'ROLE NAME SHA256-HEX'"),
        ("owner bot " + "0" * 64, "unknown role 'owner'"),
        ("writer b\u00f6t " + "0" * 64, "'b\u00f6t' is not a valid token name"),
        ("writer bot s3cret", "the hash must be 64 hex digits (SHA-256)"),
    ],
)
def test_a_malformed_entry_is_named(line: str, problem: str) -> None:
    with pytest.raises(TokenFileError) as raised:
        parse_entries("# header\n" + line, "tokens")
    assert str(raised.value) == f"tokens, entry 2: {problem}"


def test_two_entries_with_one_name_or_one_token_are_refused() -> None:
    with pytest.raises(TokenFileError, match="share a name"):
        TokenRegistry.load(
            text=f"{entry_line(Role.READER, 'a', 'x')};{entry_line(Role.ADMIN, 'a', 'y')}"
        )
    with pytest.raises(TokenFileError, match="share a token"):
        TokenRegistry.load(
            text=f"{entry_line(Role.READER, 'a', 'x')};{entry_line(Role.ADMIN, 'b', 'x')}"
        )


def test_each_role_implies_the_ones_below_it() -> None:
    assert Role.ADMIN.allows(Role.WRITER) and Role.ADMIN.allows(Role.READER)
    assert Role.WRITER.allows(Role.READER) and not Role.WRITER.allows(Role.ADMIN)
    assert not Role.READER.allows(Role.WRITER)
