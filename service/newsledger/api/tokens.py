"""Bearer tokens with roles: the token file format, hashing, and constant-time lookup.

A token file (and the NEWSLEDGER_TOKENS variable) holds one entry per line::

    # role    name        SHA-256 of the token, hex
    writer    ingest-bot  9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

Blank lines and lines starting with ``#`` are ignored; in the variable, ``;`` also
separates entries. Only hashes are stored: a token is 32 random bytes, so one SHA-256
round cannot be reversed, and the plain token is shown once, when it is made.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class Role(enum.IntEnum):
    """What a token may do; each role implies the ones below it."""

    READER = 1  # query, subscribe, read and verify the audit log
    WRITER = 2  # append, and everything a reader may do
    ADMIN = 3  # key and token management, and everything a writer may do

    def allows(self, needed: Role) -> bool:
        """Tell whether this role may call an RPC that needs the role needed."""
        return self >= needed

    @property
    def label(self) -> str:
        """Return the role's name as written in token files."""
        return self.name.lower()


class TokenFileError(ValueError):
    """A token entry is malformed; the message names the source and the line."""


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One configured token: who holds it, its role, and the SHA-256 of the token."""

    name: str
    role: Role
    digest: bytes


def token_digest(token: str) -> bytes:
    """Return the SHA-256 of a token, the form in which tokens are stored."""
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    """Return a fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def entry_line(role: Role, name: str, token: str) -> str:
    """Return the token-file line that grants token the role under name."""
    return f"{role.label} {name} {token_digest(token).hex()}"


def parse_entries(text: str, source: str) -> list[TokenEntry]:
    """Parse token entries from text; raise TokenFileError naming source and line."""
    entries: list[TokenEntry] = []
    for number, raw in enumerate(re.split(r"[\n;]", text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}, entry {number}"
        parts = line.split()
        if len(parts) != 3:
            raise TokenFileError(f"{where}: expected 'ROLE NAME SHA256-HEX'")
        role_text, name, digest_hex = parts
        try:
            role = Role[role_text.upper()]
        except KeyError:
            raise TokenFileError(f"{where}: unknown role {role_text!r}") from None
        if not _NAME.fullmatch(name):
            raise TokenFileError(f"{where}: {name!r} is not a valid token name")
        if not _HEX_DIGEST.fullmatch(digest_hex.lower()):
            raise TokenFileError(f"{where}: the hash must be 64 hex digits (SHA-256)")
        entries.append(TokenEntry(name, role, bytes.fromhex(digest_hex)))
    return entries


class TokenRegistry:
    """The configured tokens; finds the holder of a presented token in constant time."""

    def __init__(self, entries: Iterable[TokenEntry] = ()) -> None:
        self.entries = tuple(entries)
        names = [entry.name for entry in self.entries]
        if len(set(names)) != len(names):
            raise TokenFileError("two token entries share a name")
        if len({entry.digest for entry in self.entries}) != len(self.entries):
            raise TokenFileError("two token entries share a token")

    @classmethod
    def load(cls, path: Path | None = None, text: str = "") -> TokenRegistry:
        """Read entries from a token file and from the text of NEWSLEDGER_TOKENS."""
        entries = parse_entries(text, "NEWSLEDGER_TOKENS") if text else []
        if path is not None:
            try:
                content = path.read_text(encoding="utf-8")
            except OSError as error:
                raise TokenFileError(f"cannot read the token file {path}: {error}") from None
            entries += parse_entries(content, str(path))
        return cls(entries)

    @property
    def enabled(self) -> bool:
        """Tell whether any token is configured, so that calls must present one."""
        return bool(self.entries)

    def holder(self, token: str) -> TokenEntry | None:
        """Return the entry of token, or None; every entry is compared, in constant time."""
        presented = token_digest(token)
        found: TokenEntry | None = None
        for entry in self.entries:
            if hmac.compare_digest(presented, entry.digest):
                found = entry
        return found


def main(argv: list[str] | None = None) -> int:
    """Make a token: print it once, and the token-file line that stores only its hash."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m newsledger.api.tokens", description=main.__doc__
    )
    parser.add_argument("role", choices=[role.label for role in Role])
    parser.add_argument("name", help="who holds the token, e.g. ingest-bot")
    args = parser.parse_args(argv)
    if not _NAME.fullmatch(args.name):
        parser.error(f"{args.name!r} is not a valid token name")
    token = new_token()
    print(f"token (give it to {args.name}; it is not stored): {token}")
    print(f"token-file line: {entry_line(Role[args.role.upper()], args.name, token)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
