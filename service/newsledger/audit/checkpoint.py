"""C2SP tlog-checkpoint note bodies: origin, tree size and root hash, parsed strictly."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsledger.audit.merkle import HASH_SIZE
from newsledger.audit.note import (
    NoteError,
    Signer,
    Verifier,
    open_note,
    sign_note,
    strict_b64decode,
)

# Tree sizes are stored in signed 64-bit columns.
MAX_TREE_SIZE = 2**63 - 1
_SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)


class CheckpointError(NoteError):
    """A checkpoint body is malformed."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's commitment to its Merkle tree head at one size."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """Return the checkpoint note text: origin, decimal size, base64 root, extension lines."""
    _check_origin(origin)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_TREE_SIZE:
        raise CheckpointError(f"tree size {size!r} is not an integer in [0, 2**63 - 1]")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {len(root)}")
    for line in extensions:
        _check_line(line, "extension line")
    body = [origin, str(size), base64.b64encode(root).decode("ascii"), *extensions]
    return "\n".join(body) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text, refusing every non-canonical spelling."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint needs an origin, a tree size and a root hash line")
    origin, size_text, root_text, *extensions = lines
    _check_origin(origin)
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(f"tree size {size_text!r} is not a canonical decimal number")
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise CheckpointError(f"tree size {size_text} is larger than 2**63 - 1")
    try:
        root = strict_b64decode(root_text, "root hash")
    except NoteError as error:
        raise CheckpointError(str(error)) from None
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {len(root)}")
    for line in extensions:
        _check_line(line, "extension line")
    return Checkpoint(origin, size, root, tuple(extensions))


def sign_checkpoint(signer: Signer, size: int, root: bytes) -> str:
    """Return the signed note of the checkpoint at ``size``; the origin is the signer's name."""
    return sign_note(format_checkpoint(signer.name, size, root), signer)


def open_checkpoint(note: str | bytes, verifier: Verifier, origin: str) -> Checkpoint:
    """Verify a signed checkpoint with the pinned key and return it if its origin matches."""
    text, _ = open_note(note, [verifier])
    checkpoint = parse_checkpoint(text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint


def _check_origin(origin: str) -> None:
    _check_line(origin, "origin")


def _check_line(line: str, what: str) -> None:
    if not line:
        raise CheckpointError(f"{what} is empty")
    for char in line:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise CheckpointError(f"{what} contains the control character {char!r}")
