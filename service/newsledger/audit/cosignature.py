"""Witness cosignatures, c2sp.org/tlog-cosignature `cosignature/v1` with Ed25519 (type 0x04).

A cosignature is a signed-note signature line whose blob is key ID (4 bytes, big-endian),
timestamp (8 bytes, big-endian, 1 <= t < 2^63) and an Ed25519 signature of

    "cosignature/v1\\n" "time <t>\\n" <checkpoint text, final newline included>

The key ID is SHA-256(name || 0x0A || 0x04 || public key)[:4]: a log key (type 0x01) can
never be mistaken for a witness key, nor the reverse.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from newsledger.audit.note import (
    EM_DASH,
    NoteError,
    UnverifiedNoteError,
    check_key_name,
    open_note,
    strict_b64decode,
)

COSIGNATURE_TYPE = b"\x04"
MAX_TIMESTAMP = 2**63 - 1


class CosignatureError(NoteError):
    """A witness key or cosignature is malformed, or a quorum of witnesses is not met."""


def cosigner_key_id(name: str, public_key: bytes) -> int:
    """Return the cosigner key ID: SHA-256(name || 0x0A || 0x04 || public key)[:4]."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + COSIGNATURE_TYPE + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def cosignature_message(timestamp: int, text: str | bytes) -> bytes:
    """Return the bytes a cosignature signs: header, time line, and the checkpoint text."""
    body = text.encode("utf-8") if isinstance(text, str) else text
    return b"cosignature/v1\ntime " + str(timestamp).encode("ascii") + b"\n" + body


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's named Ed25519 public key, checking `cosignature/v1` lines by duck typing."""

    name: str
    key_id: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """Return ``name+hex(id)+base64(0x04 || public key)``."""
        material = base64.b64encode(COSIGNATURE_TYPE + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` (timestamp || Ed25519) cosigns the checkpoint text."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if not 1 <= timestamp <= MAX_TIMESTAMP:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                signature[8:], cosignature_message(timestamp, message)
            )
        except InvalidSignature:
            return False
        return True


class Cosigner:
    """A witness's named Ed25519 private key that makes cosignature lines."""

    def __init__(self, name: str, seed: bytes) -> None:
        """Hold the cosigning key ``name`` made from a 32-byte Ed25519 seed."""
        check_key_name(name)
        if len(seed) != 32:
            raise CosignatureError("an Ed25519 seed is 32 bytes")
        self.name = name
        self._seed = seed
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = CosignatureVerifier(name, cosigner_key_id(name, public), public)

    @property
    def vkey(self) -> str:
        """Return the witness's public key string to publish and pin."""
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        """Return ``PRIVATE+KEY+name+hex(id)+base64(0x04 || seed)``."""
        material = base64.b64encode(COSIGNATURE_TYPE + self._seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{material}"

    def cosign(self, text: str, timestamp: int) -> str:
        """Return the signature line (without its newline) cosigning ``text`` at ``timestamp``."""
        if not 1 <= timestamp <= MAX_TIMESTAMP:
            raise CosignatureError(f"a cosignature timestamp must be 1 to 2^63-1, not {timestamp}")
        signature = self._private.sign(cosignature_message(timestamp, text))
        blob = self.verifier.key_id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + signature
        return f"{EM_DASH} {self.name} {base64.b64encode(blob).decode('ascii')}"

    def __repr__(self) -> str:
        """Show the public identity only, never the seed."""
        return f"Cosigner({self.vkey!r})"


def generate_cosigner(name: str) -> Cosigner:
    """Return a new random cosigner named ``name``."""
    return Cosigner(name, Ed25519PrivateKey.generate().private_bytes_raw())


def _split(key: str, what: str) -> tuple[str, str, bytes]:
    name, plus, rest = key.partition("+")
    id_text, plus2, material_text = rest.partition("+")
    if not plus or not plus2 or len(id_text) != 8 or id_text != id_text.lower():
        raise CosignatureError(f"{what} must be name+hex(key id)+base64(0x04 || key)")
    check_key_name(name)
    material = strict_b64decode(material_text, f"{what} material")
    if material[:1] == b"\x01":
        raise CosignatureError(
            f"{what} is a log key (type 0x01), not a witness key: a witness's cosignature/v1 "
            "key has type 0x04 (its base64 starts with B)"
        )
    if material[:1] != COSIGNATURE_TYPE or len(material) != 33:
        raise CosignatureError(f"{what}: only Ed25519 cosignature/v1 keys (type 0x04)")
    return name, id_text, material[1:]


def parse_cosigner_vkey(vkey: str) -> CosignatureVerifier:
    """Parse a witness verifier key (type 0x04), checking its key ID."""
    name, id_text, public = _split(vkey, "witness key")
    key_id = cosigner_key_id(name, public)
    if id_text != f"{key_id:08x}":
        raise CosignatureError("witness key: key ID does not match its name and key")
    return CosignatureVerifier(name, key_id, public)


def parse_cosigner_skey(skey: str) -> Cosigner:
    """Parse a witness private key string (type 0x04), checking its key ID."""
    prefix = "PRIVATE+KEY+"
    if not skey.startswith(prefix):
        raise CosignatureError("witness private key must start with PRIVATE+KEY+")
    name, id_text, seed = _split(skey[len(prefix) :], "witness private key")
    cosigner = Cosigner(name, seed)
    if id_text != f"{cosigner.verifier.key_id:08x}":
        raise CosignatureError("witness private key: key ID does not match its name and key")
    return cosigner


def cosignature_time(line: str) -> int:
    """Return the timestamp inside a cosignature line; CosignatureError if it is not one."""
    _, _, blob_text = line.removeprefix(EM_DASH + " ").partition(" ")
    blob = strict_b64decode(blob_text, "cosignature")
    if len(blob) != 76:
        raise CosignatureError("not a cosignature/v1 line (its signature is not 76 bytes)")
    return int.from_bytes(blob[4:12], "big")


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A verified cosignature: the witness's key and when it cosigned."""

    vkey: str
    timestamp: int


@dataclass(frozen=True)
class WitnessPolicy:
    """K of N witnesses must cosign a checkpoint for a verifier to accept it."""

    witnesses: tuple[CosignatureVerifier, ...]
    quorum: int

    @classmethod
    def from_vkeys(cls, vkeys: Sequence[str], quorum: int | None = None) -> WitnessPolicy:
        """Parse witness keys, refusing duplicates; the quorum defaults to all of them."""
        witnesses = tuple(parse_cosigner_vkey(vkey) for vkey in vkeys)
        publics = [w.public_key for w in witnesses]
        if len(set(publics)) != len(publics):
            raise CosignatureError("two witness keys hold the same public key")
        need = len(witnesses) if quorum is None else quorum
        if witnesses and not 1 <= need <= len(witnesses):
            raise CosignatureError(f"the quorum must be 1 to {len(witnesses)}, not {need}")
        return cls(witnesses, need if witnesses else 0)

    def cosignatures(self, note: str) -> list[Cosignature]:
        """Return the valid cosignatures of configured witnesses on ``note``.

        A configured witness's line that fails to verify rejects the note (NoteError), as
        signed-note asks; lines of other keys are ignored.
        """
        if not self.witnesses:
            return []
        try:
            _, signatures = open_note(note, list(self.witnesses))
        except UnverifiedNoteError:
            return []
        by_identity = {(w.name, w.key_id): w for w in self.witnesses}
        return [
            Cosignature(
                by_identity[(s.name, s.key_id)].vkey, int.from_bytes(s.signature[:8], "big")
            )
            for s in signatures
        ]

    def check(self, note: str) -> list[Cosignature]:
        """Return the cosignatures, or raise CosignatureError when fewer than K witnesses signed."""
        found = self.cosignatures(note)
        if len({c.vkey for c in found}) < self.quorum:
            size = note.split("\n", 2)[1] if note.count("\n") >= 2 else "?"
            raise CosignatureError(
                f"witness quorum not met: {len(found)} of the {self.quorum} required witnesses "
                f"cosigned size {size}"
            )
        return found
