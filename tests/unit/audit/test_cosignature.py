"""cosignature/v1 against the published vectors of Sunlight and transparency-dev/formats.

The vectors are copied verbatim from those projects' test data (FiloSottile/sunlight
cmd/skylight/testdata, transparency-dev/formats note/note_cosigv1_test.go); KAT-7 was derived
from transparency-dev/witness's published test key and checked by two outside implementations.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.checkpoint import format_checkpoint
from newsledger.audit.cosignature import (
    CosignatureError,
    Cosigner,
    WitnessPolicy,
    cosignature_message,
    cosignature_time,
    generate_cosigner,
    parse_cosigner_skey,
    parse_cosigner_vkey,
)
from newsledger.audit.note import (
    InvalidNoteSignatureError,
    NoteError,
    UnverifiedNoteError,
    generate_signer,
    open_note,
    parse_skey,
    sign_note,
)

ROME_TEXT = "rome2026h1.example.org\n300\nlCkHUpkmVBEms2r2T1K6Og69+wUuuN3MIEW1/ezu2v0=\n"
WITNESS_VKEY = "witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN"
WITNESS_LINE = (
    "— witness.example.org uKLPIAAAAABpVGeAhm2bOvKc3LaB9PFN1ruG19Y5yqslmcAAbhftnn1Zznmo0LXFZq4L"
    "GvqKqLX8jWlwLKasxEGTLIqAVusneCBmBw=="
)
ROME_NOTE = (
    ROME_TEXT
    + "\n— rome2026h1.example.org kVB1JgAAAZtxtEwABAMARzBFAiEAi+mTa2xjL1IdWpH82OeciGsGvwRAP+f1W"
    "kfKaSZCfFECIHoNPZ/Q3y6UNzvKOO9cuLr6V16vPNfhwhle9f6r5H/Z\n" + WITNESS_LINE + "\n"
)
MIRROR_VKEY = "mirror.example.org+3fb148ef+BAAjjch9GyYz0sJsJx7ALhbdAtz2ov0unbzSl1vMp94O"
MIRROR_NOTE = (
    "rome2026h1.example.org\n300\ngw31yQrqZZCcEOPrzX+bpy3nJ6QgngTKn8G1m0i62uU=\n\n"
    "— mirror.example.org P7FI7wAAAABpVGeAjA1S4pJm6MbcXjX7UUImu4azZtrfcVW2uyr/LXIYlwEJzXC0N0Ei"
    "ZkbqfLdXt/4gVEEuGmxJjAfXKMCISpsJAg==\n"
)
WITNESS2_VKEY = "witness2.example.org+2e55b896+BIZ7fpceQWd60IfqQeS9IAnmNOCZjMDne8lZuguz/bi9"
WITNESS2_NOTE = (
    "milan2026h1.example.org\n300\nlCkHUpkmVBEms2r2T1K6Og69+wUuuN3MIEW1/ezu2v0=\n\n"
    "— witness2.example.org LlW4lgAAAABpVGeAN/uFWqfjdU94rrKxFycCggM0Sa1L5tOJCJdYBwJ41CQsgKWA6B0+"
    "vywok3cPI3JIzuPeR+VotuYe/eNy0+30Dw==\n"
)
SKYLIGHT_TIME = 1767139200
MONKEYS_NEXT = "monkeys\n8\nV8K9aklZ4EPB+RMOk1/8VsJUdFZR77GDtZUQq84vSbo=\n"
WITNESS_SKEY_01 = "PRIVATE+KEY+witness+f13a86db+AaLa/dfyBhyo/m0Z7WCi98ENVZWtrP8pxgRNrx7tIWiA"
KAT7_VKEY = "witness+24b37851+BNYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN"
KAT7_SKEY = "PRIVATE+KEY+witness+24b37851+BKLa/dfyBhyo/m0Z7WCi98ENVZWtrP8pxgRNrx7tIWiA"
KAT7_MESSAGE = bytes.fromhex(
    "636f7369676e61747572652f76310a74696d6520313730303030303030300a6d6f6e6b6579730a380a5638"
    "4b39616b6c5a344550422b524d4f6b312f3856734a5564465a5237374744745a55517138347653626f3d0a"
)
KAT7_LINE = (
    "— witness JLN4UQAAAABlU/EAULwRn53qQOl2faLVTsoQZZwdIsbHrGSa7dr+KeUBhPQM5AnDXaUnwn1avsYVVbx0m4S"
    "qbgSXiTrlj0gK+2qADg=="
)
C5_TEXT = (
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562\n5\n"
    "QrtXrQZCCvpIgsSmOsah7HdICzMLLyDfxToMql9WTjY=\n"
)
LITEWITNESS_SEED = bytes.fromhex("31ffc2116ecbe003acaa800ab70757bd7d53206e3febef6a6d0796d95530b34f")
LITEWITNESS_LINE = (
    "— example.com/witness EKHAGQAAAABlU/EAlI35wCPypA3E9QobqYNABOzIiyvxpuLMSKmmVzm38Qc0lojEd2oes"
    "lC6/SnNNwkzx9F6htfOMmv3WST7CXdBDA=="
)


def test_the_sunlight_cosignatures_verify_with_their_published_keys() -> None:
    for vkey, note in ((WITNESS_VKEY, ROME_NOTE), (MIRROR_VKEY, MIRROR_NOTE)):
        _, signatures = open_note(note, [parse_cosigner_vkey(vkey)])
        assert len(signatures) == 1
        assert int.from_bytes(signatures[0].signature[:8], "big") == SKYLIGHT_TIME
    _, signatures = open_note(WITNESS2_NOTE, [parse_cosigner_vkey(WITNESS2_VKEY)])
    assert len(signatures) == 1


def test_our_cosigner_reproduces_the_sunlight_line_byte_for_byte() -> None:
    seed = hashlib.sha256(b"skylight test witness key").digest()
    cosigner = Cosigner("witness.example.org", seed)
    assert cosigner.vkey == WITNESS_VKEY
    assert cosigner.cosign(ROME_TEXT, SKYLIGHT_TIME) == WITNESS_LINE


def test_a_cosignature_of_another_origin_or_root_does_not_verify() -> None:
    witness2_line = WITNESS2_NOTE.split("\n\n")[1]
    forged = ROME_TEXT + "\n" + witness2_line
    with pytest.raises(InvalidNoteSignatureError):
        open_note(forged, [parse_cosigner_vkey(WITNESS2_VKEY)])
    mirror_line = MIRROR_NOTE.split("\n\n")[1]
    with pytest.raises(InvalidNoteSignatureError):
        open_note(ROME_TEXT + "\n" + mirror_line, [parse_cosigner_vkey(MIRROR_VKEY)])


def test_key_ids_use_type_0x04_and_a_log_key_is_refused_as_a_witness_key() -> None:
    remora = parse_cosigner_vkey(
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
    )
    assert remora.key_id == 0xDA77ADE7
    with pytest.raises(CosignatureError, match="key ID"):
        parse_cosigner_vkey("remora.n621.de+c66059b1+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
    with pytest.raises(CosignatureError, match="log key"):
        parse_cosigner_vkey(generate_signer("log.example").vkey)


def test_the_timestamp_is_read_and_a_plain_note_signature_is_not_a_cosignature() -> None:
    line = (
        "— x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOwor"
        "DcFiEBYJXORmnFBOBA=="
    )
    assert cosignature_time(line) == 1727964367
    plain = (
        "— x eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W"
        "/4xkNQY="
    )
    with pytest.raises(CosignatureError, match="not a cosignature"):
        cosignature_time(plain)


def test_the_derived_vectors_of_the_transparency_dev_and_litewitness_keys() -> None:
    seed = parse_skey(WITNESS_SKEY_01)._seed  # the same seed, as a 0x04 cosigner
    cosigner = Cosigner("witness", seed)
    assert cosigner.vkey == KAT7_VKEY
    assert cosigner.skey == KAT7_SKEY
    assert parse_cosigner_skey(KAT7_SKEY).vkey == KAT7_VKEY
    assert cosignature_message(1700000000, MONKEYS_NEXT) == KAT7_MESSAGE
    assert cosigner.cosign(MONKEYS_NEXT, 1700000000) == KAT7_LINE
    litewitness = Cosigner("example.com/witness", LITEWITNESS_SEED)
    assert (
        litewitness.vkey
        == "example.com/witness+10a1c019+BGSEitir7W6FmBs7OHWyUrh2frtLAvcDrKOx5xu9ao5Q"
    )
    assert litewitness.cosign(C5_TEXT, 1700000000) == LITEWITNESS_LINE


def test_a_note_signature_and_a_cosignature_of_one_key_never_verify_as_each_other() -> None:
    seed = parse_skey(WITNESS_SKEY_01)._seed
    signer, cosigner = parse_skey(WITNESS_SKEY_01), Cosigner("witness", seed)
    signed = sign_note(MONKEYS_NEXT, signer)
    with pytest.raises(UnverifiedNoteError):
        open_note(signed, [cosigner.verifier])
    cosigned = MONKEYS_NEXT + "\n" + cosigner.cosign(MONKEYS_NEXT, 5) + "\n"
    with pytest.raises(UnverifiedNoteError):
        open_note(cosigned, [signer.verifier])


@pytest.mark.parametrize("timestamp", [0, -1, 2**63])
def test_timestamps_outside_1_to_2_63_are_refused(timestamp: int) -> None:
    cosigner = generate_cosigner("w.example")
    with pytest.raises(CosignatureError):
        cosigner.cosign(MONKEYS_NEXT, timestamp)
    seed_line = cosigner.cosign(MONKEYS_NEXT, 1)
    blob = bytearray(base64.b64decode(seed_line.split(" ")[2]))
    blob[4:12] = (timestamp % 2**64).to_bytes(8, "big")
    assert not cosigner.verifier.verify(MONKEYS_NEXT.encode(), bytes(blob[4:]))


@settings(max_examples=60, deadline=2000)
@given(
    name=st.from_regex(r"[a-z][a-z0-9.\-/]{0,20}", fullmatch=True),
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    timestamp=st.integers(1, 2**63 - 1),
    flip=st.integers(0, 10_000),
)
def test_any_cosignature_round_trips_and_any_flipped_bit_fails(
    name: str, size: int, root: bytes, timestamp: int, flip: int
) -> None:
    cosigner = generate_cosigner(name)
    text = format_checkpoint("log.example/x", size, root)
    line = cosigner.cosign(text, timestamp)
    assert cosignature_time(line) == timestamp
    open_note(text + "\n" + line + "\n", [cosigner.verifier])
    blob = bytearray(base64.b64decode(line.split(" ")[2]))
    message = bytearray(text.encode())
    if flip % 2:
        index = 4 + (flip // 2) % (len(blob) - 4)  # the key ID is what selects the key
        blob[index] ^= 1 << (flip % 8)
        assert not cosigner.verifier.verify(bytes(message), bytes(blob[4:]))
    else:
        message[(flip // 2) % len(message)] ^= 1 << (flip % 7)
        assert not cosigner.verifier.verify(bytes(message), bytes(blob[4:]))


def test_a_quorum_counts_distinct_configured_witnesses_and_ignores_the_others() -> None:
    witnesses = [generate_cosigner(f"w{i}.example") for i in range(3)]
    stranger = generate_cosigner("stranger.example")
    text = format_checkpoint("log.example/x", 3, bytes(32))
    lines = [w.cosign(text, 100 + i) for i, w in enumerate(witnesses[:2])]
    note = text + "\n" + "\n".join([*lines, stranger.cosign(text, 7)]) + "\n"
    policy = WitnessPolicy.from_vkeys([w.vkey for w in witnesses], quorum=2)

    assert [c.timestamp for c in policy.check(note)] == [100, 101]
    with pytest.raises(CosignatureError, match="quorum not met: 2 of the 3"):
        WitnessPolicy.from_vkeys([w.vkey for w in witnesses]).check(note)
    relabelled = witnesses[0].cosign(text, 5).replace("w0.example", "w2.example")
    with pytest.raises(CosignatureError, match="quorum not met: 0"):
        WitnessPolicy.from_vkeys([witnesses[2].vkey], 1).check(text + "\n" + relabelled + "\n")
    broken = note.replace(lines[0][-6:], "AAAAA=" if lines[0][-6:] != "AAAAA=" else "BBBBB=")
    with pytest.raises(NoteError):
        policy.check(broken)


def test_duplicate_keys_and_impossible_quorums_are_configuration_errors() -> None:
    one = generate_cosigner("a.example")
    same_key = Cosigner("b.example", one._seed)
    with pytest.raises(CosignatureError, match="same public key"):
        WitnessPolicy.from_vkeys([one.vkey, same_key.vkey])
    with pytest.raises(CosignatureError, match="quorum must be 1 to 1"):
        WitnessPolicy.from_vkeys([one.vkey], quorum=2)


def test_an_outside_implementation_accepts_our_cosignatures() -> None:
    signing = pytest.importorskip("tlog_scales.signing")
    tlog = pytest.importorskip("tlog_scales.tlog")
    cosigner = generate_cosigner("witness.example.org/cross")
    text = format_checkpoint("log.example/cross", 42, hashlib.sha256(b"root").digest())
    line = cosigner.cosign(text, 1_800_000_000)
    vkey = signing.Vkey.from_string(cosigner.vkey)
    tlog.Checkpoint.from_text(text + "\n" + line + "\n").verify(vkey)  # raises if it disagrees
    blob = bytearray(base64.b64decode(line.split(" ")[2]))
    blob[11] ^= 1  # one bit of the timestamp
    tampered = line.split(" ")[0] + " " + line.split(" ")[1] + " " + base64.b64encode(blob).decode()
    with pytest.raises(Exception):  # noqa: B017 (the package raises cryptography's error)
        tlog.Checkpoint.from_text(text + "\n" + tampered + "\n").verify(vkey)
    ours = tlog.Checkpoint.from_text(ROME_NOTE)
    ours.verify(signing.Vkey.from_string(WITNESS_VKEY))
