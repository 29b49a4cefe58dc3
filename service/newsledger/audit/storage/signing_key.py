"""The checkpoint signing key file: created once, readable only by its owner."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from newsledger.audit.note import NoteError, Signer, generate_signer, parse_skey


class KeyFileError(Exception):
    """The signing key file is unsafe, malformed or for another log."""


def load_or_create_signer(path: str | os.PathLike[str], origin: str) -> Signer:
    """Return the signer stored at ``path``, creating a new key file (mode 0600) on first use."""
    key_path = Path(path)
    if not key_path.exists():
        _create_key_file(key_path, origin)
    return _load_key_file(key_path, origin)


def _create_key_file(key_path: Path, origin: str) -> None:
    # FileExistsError: a concurrent first start created it; load that one.
    with contextlib.suppress(FileExistsError):
        write_new_key_file(key_path, generate_signer(origin))


def write_new_key_file(key_path: Path, signer: Signer) -> None:
    """Write ``signer`` to a new private key file; FileExistsError if one is already there."""
    key_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write the whole key to a private temporary file, then link it into place: the link
    # fails if another process won the race, and no reader ever sees a half-written key.
    temporary = key_path.with_name(f".{key_path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask may only have narrowed it; make it exact
        os.write(descriptor, (signer.skey + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, key_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def load_signer(path: str | os.PathLike[str], origin: str) -> Signer:
    """Return the signer stored at ``path`` (KeyFileError if missing, unsafe or another log's)."""
    return _load_key_file(Path(path), origin)


def _load_key_file(key_path: Path, origin: str) -> Signer:
    try:
        descriptor = os.open(key_path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise KeyFileError(f"cannot open signing key {key_path}: {error.strerror}") from None
    try:
        mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"signing key {key_path} has mode {mode:04o}: it must be readable only by "
                f"its owner (chmod 600 {key_path})"
            )
        content = os.read(descriptor, 4096)
    finally:
        os.close(descriptor)
    try:
        signer = parse_skey(content.decode("ascii").strip("\n"))
    except (UnicodeDecodeError, NoteError) as error:
        raise KeyFileError(f"signing key {key_path} is malformed: {error}") from None
    if signer.name != origin:
        raise KeyFileError(f"signing key {key_path} is for log {signer.name!r}, not {origin!r}")
    return signer
