"""C2SP signed notes: known answers from the spec and Go, round trips, and strict rejection."""

from __future__ import annotations

import base64

import pytest

from newsledger.audit.note import (
    EM_DASH,
    InvalidNoteSignatureError,
    NoteError,
    Signer,
    UnverifiedNoteError,
    generate_signer,
    key_id,
    open_note,
    parse_skey,
    parse_vkey,
    sign_note,
)

# c2sp.org/signed-note (the example of the spec's earlier revision, still used by its tests).
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    f"{EM_DASH} example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# golang.org/x/mod/sumdb/note package documentation and tests.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    f"{GO_TEXT}\n{EM_DASH} PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"


def test_the_c2sp_example_note_verifies_with_the_example_key() -> None:
    verifier = parse_vkey(SPEC_VKEY)
    assert verifier.key_id == 0x530D903A and verifier.vkey == SPEC_VKEY
    text, signatures = open_note(SPEC_NOTE, [verifier])
    assert text == "This is an example message.\n"
    assert [(s.name, s.key_id) for s in signatures] == [("example.com/foo", 0x530D903A)]


def test_signing_with_the_go_example_key_reproduces_the_go_note_byte_for_byte() -> None:
    signer = parse_skey(GO_SKEY)
    assert signer.vkey == GO_VKEY and signer.skey == GO_SKEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE
    assert open_note(GO_NOTE.encode(), [parse_vkey(GO_VKEY)])[0] == GO_TEXT


def test_a_note_signed_with_a_new_key_round_trips() -> None:
    signer = generate_signer("example.test/newsledger")
    note = sign_note("example.test/newsledger\n5\nAAAA\n", signer)
    text, signatures = open_note(note, [parse_vkey(signer.vkey)])
    assert text == "example.test/newsledger\n5\nAAAA\n"
    assert signatures[0].key_id == signer.key_id == key_id(signer.name, signer.verifier.public_key)
    assert "PRIVATE" not in repr(signer)


def test_unknown_signatures_are_ignored_when_a_known_key_verifies() -> None:
    other = generate_signer("someone.else/witness")
    extra = sign_note(GO_TEXT, other).split("\n\n", 1)[1]
    text, signatures = open_note(GO_NOTE + extra, [parse_vkey(GO_VKEY)])
    assert text == GO_TEXT and [s.name for s in signatures] == ["PeterNeumann"]


def test_a_note_only_unknown_keys_signed_is_rejected() -> None:
    with pytest.raises(UnverifiedNoteError):
        open_note(GO_NOTE, [parse_vkey(ENOCH_VKEY)])


def test_a_known_key_with_a_bad_signature_rejects_the_whole_note() -> None:
    with pytest.raises(InvalidNoteSignatureError):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [parse_vkey(GO_VKEY)])


def test_a_key_with_the_same_name_but_another_id_does_not_count() -> None:
    impostor = generate_signer("PeterNeumann")
    with pytest.raises(UnverifiedNoteError):
        open_note(GO_NOTE, [impostor.verifier])


GOOD_SIG = GO_NOTE.split("\n\n", 1)[1]
BLOB = GOOD_SIG.split(" ")[2].rstrip("\n")
UNKNOWN_LINE = f"{EM_DASH} other {base64.b64encode(bytes(68)).decode()}\n"


@pytest.mark.parametrize(
    ("note", "message"),
    [
        pytest.param(GO_TEXT + GOOD_SIG, "no blank line", id="no-blank-line"),
        pytest.param(GO_NOTE[:-1], "end with a newline", id="no-final-newline"),
        pytest.param(GO_NOTE + "\n", "end with a newline|does not start", id="trailing-blank"),
        pytest.param(GO_NOTE.replace(EM_DASH, "-"), "em dash", id="hyphen-not-em-dash"),
        pytest.param(GO_NOTE.replace(EM_DASH + " ", EM_DASH), "em dash", id="no-space-after-dash"),
        pytest.param(GO_NOTE.replace(" " + BLOB, BLOB), "no space", id="no-space-before-sig"),
        pytest.param(GO_NOTE.replace("PeterNeumann", "Peter+Neumann", 1), "contains '\\+'",
                     id="plus-in-name"),
        pytest.param(GO_NOTE.replace(EM_DASH + " PeterNeumann", EM_DASH + " "), "name is empty",
                     id="empty-name"),
        pytest.param(GO_NOTE.replace("PeterNeumann", "Peter\u00a0Neumann"), "contains",
                     id="unicode-space-in-name"),
        pytest.param(GO_NOTE.replace("AM=\n", "AM\n"), "base64", id="missing-padding"),
        pytest.param(GO_NOTE.replace("AM=\n", "AM==\n"), "base64", id="extra-padding"),
        pytest.param(GO_NOTE.replace("x08go/", "x08go /"), "base64|no space",
                     id="space-inside-base64"),
        pytest.param(GO_NOTE.replace("x08go/", "x08go\t/"), "control", id="tab-inside-base64"),
        pytest.param(GO_NOTE.replace("x08go/", "x08go\r/"), "control", id="cr-inside-base64"),
        pytest.param(GO_NOTE.replace("AM=\n", "AN=\n"), "canonical", id="non-canonical-base64"),
        pytest.param(GO_NOTE.replace("x08go/", "x08go_"), "base64", id="url-safe-alphabet"),
        pytest.param(GO_NOTE.replace(BLOB, "AAAA"), "too short", id="signature-too-short"),
        pytest.param(GO_NOTE.replace("problem,", "problem,\r"), "control", id="cr-in-text"),
        pytest.param(GO_NOTE.replace("problem,", "problem,\x00"), "control", id="nul-in-text"),
        pytest.param(GO_NOTE.replace("problem,", "problem,\x1b[2J"), "control",
                     id="escape-in-text"),
        pytest.param(GO_NOTE + GOOD_SIG, "two signatures", id="duplicate-signature"),
        pytest.param(GO_NOTE + UNKNOWN_LINE * 100, "more than 100", id="too-many-signatures"),
        pytest.param(GO_NOTE.encode().replace(b"cryptography", b"crypt\xffgraphy"), "UTF-8",
                     id="not-utf8"),
        pytest.param(GO_NOTE.encode().replace(b"cryptography", b"crypt\xed\xa0\x80graphy"),
                     "UTF-8", id="utf8-surrogate"),
        pytest.param(GO_NOTE.replace("PeterNeumann", "Someone"), "no signature by a known key",
                     id="unknown-signer-only"),
    ],
)  # fmt: skip
def test_malformed_notes_are_rejected(note: str | bytes, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        open_note(note, [parse_vkey(GO_VKEY)])


@pytest.mark.parametrize(
    "vkey",
    [
        pytest.param(GO_VKEY.replace("c74f20a3", "c74f20a4"), id="wrong-key-id"),
        pytest.param(GO_VKEY.replace("c74f20a3", "C74F20A3"), id="uppercase-key-id"),
        pytest.param(GO_VKEY.replace("c74f20a3", "c74f20a"), id="short-key-id"),
        pytest.param(GO_VKEY.replace("+ARpc", "+AhRpc"), id="bad-base64"),
        pytest.param(GO_VKEY.replace("+ARpc", "+Apc"), id="wrong-key-length"),
        pytest.param("PeterNeumann+c74f20a3", id="no-key"),
        pytest.param(GO_VKEY.replace("ARpc2Q", "Apc2Q" ), id="truncated"),
        pytest.param("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                     id="space-in-name"),
        pytest.param(GO_VKEY.replace("+ARpc", "+AhRpc").replace("10TW", "10T"), id="type-byte"),
    ],
)  # fmt: skip
def test_malformed_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(vkey)


def test_signing_refuses_text_without_a_final_newline_or_with_control_characters() -> None:
    signer = Signer("a.test/log", bytes(32))
    with pytest.raises(NoteError, match="newline"):
        sign_note("no newline", signer)
    with pytest.raises(NoteError, match="control"):
        sign_note("tab\there\n", signer)


def test_a_signer_key_string_with_a_mismatched_id_is_rejected() -> None:
    with pytest.raises(NoteError, match="key ID"):
        parse_skey(GO_SKEY.replace("c74f20a3", "00000000"))
