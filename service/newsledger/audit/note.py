"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, parsed strictly."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_TYPE = b"\x01"
EM_DASH = "\u2014"
MAX_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20
_KEY_ID = re.compile(r"[0-9a-f]{8}", re.ASCII)


class NoteError(ValueError):
    """A note or key is malformed, or no trusted key verified it."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key verified the note."""


class InvalidNoteSignatureError(NoteError):
    """A signature from a known key does not verify: the whole note is rejected."""


def strict_b64decode(text: str, what: str) -> bytes:
    """Decode standard padded base64, refusing anything that does not re-encode identically."""
    try:
        decoded = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(decoded).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical padded base64")
    return decoded


def check_key_name(name: str) -> None:
    """Refuse key names that are empty or hold Unicode spaces, '+' or control characters."""
    if not name:
        raise NoteError("key name is empty")
    for char in name:
        if char == "+" or char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F:
            raise NoteError(f"key name {name!r} contains {char!r}")


def key_id(name: str, public_key: bytes) -> int:
    """Return the key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + public_key).digest()
    return int.from_bytes(digest[:4], "big")


class NoteVerifier(Protocol):
    """Anything that checks note signatures of one (name, key ID): a log key or a cosigner."""

    @property
    def name(self) -> str:
        """The key name in signature lines."""
        ...

    @property
    def key_id(self) -> int:
        """The key ID in signature lines."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` (after the key ID) is valid for the note text."""
        ...


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    key_id: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """Return the verifier key string ``name+hex(id)+base64(0x01 || public key)``."""
        material = base64.b64encode(ED25519_TYPE + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is a valid Ed25519 signature of ``message``."""
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """A named Ed25519 private key that signs notes."""

    def __init__(self, name: str, seed: bytes) -> None:
        """Hold the key named ``name`` made from a 32-byte Ed25519 seed."""
        check_key_name(name)
        if len(seed) != 32:
            raise NoteError("an Ed25519 seed is 32 bytes")
        self.name = name
        self._seed = seed
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, key_id(name, public), public)

    @property
    def key_id(self) -> int:
        """Return the key ID shared with the verifier key."""
        return self.verifier.key_id

    @property
    def vkey(self) -> str:
        """Return the public verifier key string to publish and pin."""
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        """Return the private key string ``PRIVATE+KEY+name+hex(id)+base64(0x01 || seed)``."""
        material = base64.b64encode(ED25519_TYPE + self._seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    def sign(self, message: bytes) -> bytes:
        """Return the Ed25519 signature of ``message``."""
        return self._private.sign(message)

    def __repr__(self) -> str:
        """Show the public identity only, never the seed."""
        return f"Signer({self.vkey!r})"


def generate_signer(name: str) -> Signer:
    """Return a new random Ed25519 signer named ``name``."""
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return Signer(name, seed)


def parse_vkey(vkey: str) -> Verifier:
    """Parse a verifier key string, checking its key ID against its name and key."""
    name, id_text, material = _split_key(vkey, "verifier key")
    if len(material) != 32:
        raise NoteError("verifier key: an Ed25519 public key is 32 bytes")
    return Verifier(name, _checked_id(name, id_text, material), material)


def parse_skey(skey: str) -> Signer:
    """Parse a private signer key string, checking its key ID."""
    prefix = "PRIVATE+KEY+"
    if not skey.startswith(prefix):
        raise NoteError("signer key must start with PRIVATE+KEY+")
    name, id_text, seed = _split_key(skey[len(prefix) :], "signer key")
    if len(seed) != 32:
        raise NoteError("signer key: an Ed25519 seed is 32 bytes")
    signer = Signer(name, seed)
    if id_text != f"{signer.key_id:08x}":
        raise NoteError("signer key: key ID does not match its name and key")
    return signer


@dataclass(frozen=True)
class NoteSignature:
    """One verified signature line of a note."""

    name: str
    key_id: int
    signature: bytes


def sign_note(text: str, signer: Signer) -> str:
    """Return ``text`` signed by ``signer`` as a C2SP signed note."""
    _check_text(text)
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    signature = signer.sign(text.encode("utf-8"))
    blob = base64.b64encode(signer.key_id.to_bytes(4, "big") + signature).decode("ascii")
    return f"{text}\n{EM_DASH} {signer.name} {blob}\n"


def open_note(
    note: str | bytes, verifiers: Sequence[NoteVerifier]
) -> tuple[str, list[NoteSignature]]:
    """Return the text of a note and its signatures that known keys verified, or raise NoteError."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise NoteError("note is too large")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise NoteError("note is too large")
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, signature_block = note[: split + 1], note[split + 2 :]
    if not signature_block.endswith("\n"):
        raise NoteError("note signatures must end with a newline")
    lines = signature_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    known = _index_verifiers(verifiers)
    message = text.encode("utf-8")
    verified: list[NoteSignature] = []
    seen: set[tuple[str, int]] = set()
    for line in lines:
        name, identifier, signature = _parse_signature_line(line)
        if (name, identifier) in seen:
            raise NoteError(f"note has two signatures by {name}+{identifier:08x}")
        seen.add((name, identifier))
        verifier = known.get((name, identifier))
        if verifier is None:
            continue  # the spec requires ignoring signatures by unknown keys
        if not verifier.verify(message, signature):
            key = f"{verifier.name}+{verifier.key_id:08x}"
            raise InvalidNoteSignatureError(f"signature by {key} does not verify")
        verified.append(NoteSignature(name, identifier, signature))
    if not verified:
        raise UnverifiedNoteError("no signature by a known key: the note is not trusted")
    return text, verified


def _check_text(text: str) -> None:
    for char in text:
        if (ord(char) < 0x20 and char != "\n") or 0xD800 <= ord(char) <= 0xDFFF:
            raise NoteError(f"note contains the control or invalid character {char!r}")


def _split_key(key: str, what: str) -> tuple[str, str, bytes]:
    name, plus, rest = key.partition("+")
    id_text, plus2, material_text = rest.partition("+")
    if not plus or not plus2:
        raise NoteError(f"{what} must be name+hex(key id)+base64(key)")
    check_key_name(name)
    if not _KEY_ID.fullmatch(id_text):
        raise NoteError(f"{what}: key ID must be 8 lowercase hex digits")
    material = strict_b64decode(material_text, f"{what} material")
    if material[:1] != ED25519_TYPE:
        raise NoteError(f"{what}: only Ed25519 keys (type 0x01) are supported")
    return name, id_text, material[1:]


def _checked_id(name: str, id_text: str, public_key: bytes) -> int:
    expected = key_id(name, public_key)
    if id_text != f"{expected:08x}":
        raise NoteError("verifier key: key ID does not match its name and key")
    return expected


def _index_verifiers(verifiers: Sequence[NoteVerifier]) -> dict[tuple[str, int], NoteVerifier]:
    known: dict[tuple[str, int], NoteVerifier] = {}
    for verifier in verifiers:
        identity = (verifier.name, verifier.key_id)
        if identity in known and known[identity] != verifier:
            raise NoteError(f"two different verifiers share {verifier.name}+{verifier.key_id:08x}")
        known[identity] = verifier
    return known


def _parse_signature_line(line: str) -> tuple[str, int, bytes]:
    prefix = EM_DASH + " "
    if not line.startswith(prefix):
        raise NoteError(f"signature line {line!r} does not start with an em dash and a space")
    name, space, blob_text = line[len(prefix) :].partition(" ")
    if not space:
        raise NoteError(f"signature line {line!r} has no space between name and signature")
    check_key_name(name)
    blob = strict_b64decode(blob_text, f"signature by {name}")
    if len(blob) < 5:
        raise NoteError(f"signature by {name} is too short")
    return name, int.from_bytes(blob[:4], "big"), blob[4:]
