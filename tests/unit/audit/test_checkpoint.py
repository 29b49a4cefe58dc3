"""C2SP tlog-checkpoint bodies: the spec example parses, and every non-canonical form is refused."""

from __future__ import annotations

import base64

import pytest

from newsledger.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    format_checkpoint,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from newsledger.audit.note import NoteError, Signer, generate_signer

ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_the_c2sp_example_body_parses() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert format_checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root) == SPEC_BODY


def test_format_and_parse_round_trip_with_extension_lines() -> None:
    text = format_checkpoint("log.test/x", 0, ROOT, ["ext one"])
    assert text == f"log.test/x\n0\n{ROOT_B64}\next one\n"
    assert parse_checkpoint(text) == Checkpoint("log.test/x", 0, ROOT, ("ext one",))


@pytest.mark.parametrize(
    "size",
    ["05", "+5", "1_0", " 5", "-1", "5 ", "\u0665", "\uff15", "", "0x5", "5.0", "1e3", "00",
     "9223372036854775808", "5\t"],
    ids=["leading-zero", "plus", "underscore", "leading-space", "negative", "trailing-space",
         "arabic-indic-digit", "fullwidth-digit", "empty", "hex", "decimal-point", "exponent",
         "double-zero", "above-2-pow-63", "tab"],
)  # fmt: skip
def test_non_canonical_tree_sizes_are_refused(size: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(f"log.test/x\n{size}\n{ROOT_B64}\n")


@pytest.mark.parametrize(
    "root",
    [base64.b64encode(bytes(31)).decode(), base64.b64encode(bytes(33)).decode(), "",
     ROOT_B64.rstrip("="), ROOT_B64 + "=", ROOT_B64[:10] + " " + ROOT_B64[10:],
     base64.urlsafe_b64encode(b"\xfb\xff" * 16).decode(), ROOT_B64[:-2] + "F=",
     ROOT_B64.replace("=", "%")],
    ids=["31-bytes", "33-bytes", "empty", "missing-padding", "extra-padding", "embedded-space",
         "url-safe-alphabet", "non-canonical-bits", "bad-character"],
)  # fmt: skip
def test_bad_root_hashes_are_refused(root: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(f"log.test/x\n5\n{root}\n")


@pytest.mark.parametrize(
    "text",
    [f"log.test/x\n5\n{ROOT_B64}", "log.test/x\n5\n", f"\n5\n{ROOT_B64}\n",
     f"log.test/x\n5\n{ROOT_B64}\n\n", f"log.test/x\r\n5\n{ROOT_B64}\n"],
    ids=["no-final-newline", "no-root-line", "empty-origin", "empty-extension-line", "crlf"],
)  # fmt: skip
def test_malformed_bodies_are_refused(text: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(text)


def test_format_refuses_bad_values() -> None:
    with pytest.raises(CheckpointError):
        format_checkpoint("log.test/x", -1, ROOT)
    with pytest.raises(CheckpointError):
        format_checkpoint("log.test/x", 1, ROOT[:31])
    with pytest.raises(CheckpointError):
        format_checkpoint("log\n.test", 1, ROOT)


def test_a_signed_checkpoint_opens_with_the_pinned_key_and_origin(log_signer: Signer) -> None:
    note = sign_checkpoint(log_signer, 5, ROOT)
    assert note.startswith(f"{log_signer.name}\n5\n{ROOT_B64}\n\n\u2014 {log_signer.name} ")
    assert open_checkpoint(note, log_signer.verifier, log_signer.name) == Checkpoint(
        log_signer.name, 5, ROOT
    )
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(note, log_signer.verifier, "another.test/log")
    with pytest.raises(NoteError):
        open_checkpoint(note, generate_signer(log_signer.name).verifier, log_signer.name)
