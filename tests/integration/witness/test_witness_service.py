"""The witness answers add-checkpoint as c2sp.org/tlog-witness says, on the published vectors.

The conversation is litewitness's and Sunlight's (torchwood cmd/litewitness/testdata,
sunlight internal/witness/witness_test.go), the update cases transparency-dev/witness's
TestUpdate, with their keys and signed checkpoints copied verbatim.
"""

from __future__ import annotations

import base64
import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.audit.checkpoint import sign_checkpoint
from newsledger.audit.cosignature import Cosigner, parse_cosigner_vkey
from newsledger.audit.merkle import EMPTY_ROOT
from newsledger.audit.note import open_note, parse_skey
from newsledger.witness.service import Witness
from newsledger.witness.state import WitnessState

ORIGIN = "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562"
LOG_VKEY = f"{ORIGIN}+5202289b+Af/cLU2Y5BJNP+r3iMDC+av9eWCD0fBJVDfzAux5zxAP"
WITNESS_SEED = bytes.fromhex("31ffc2116ecbe003acaa800ab70757bd7d53206e3febef6a6d0796d95530b34f")


def _note(size: str, root: str, signature: str, origin: str = ORIGIN) -> str:
    return f"{origin}\n{size}\n{root}\n\n— {ORIGIN} {signature}\n"


C1 = _note(
    "1",
    "KgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "UgIom7fPZTqpxWWhyjWduBvTvGVqsokMbqTArsQilegKoFBJQjUFAmQ0+YeSPM3wfUQMFSzVnnNuWRTYrajXpNUbIQY=",
)
C3 = _note(
    "3",
    "RcCI1Nk56ZcSmIEfIn0SleqtV7uvrlXNccFx595Iwl0=",
    "UgIom2VbtIcdFbwFAy1n7s6IkAxIY6J/GQOTuZF2ORV39d75cbAj2aQYwyJre36kezNobZs4SUUdrcawfAB8WVrx6go=",
)
C5 = _note(
    "5",
    "QrtXrQZCCvpIgsSmOsah7HdICzMLLyDfxToMql9WTjY=",
    "UgIomw/EOJmWi0i1FQsOj+etB7F8IccFam/jgd6wzRns4QPVmyEZtdvl1U2KEmLOZ/ASRcWJi0tW90dJWAShei7sDww=",
)
FIVE = _note(
    "five",
    "KgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "UgIom4JTC2MerrFcJ5xDcWHzRPVB6zzGBIw4OFqcKDflqjH4q4xY5vMxUxyczvdIlEwFYf7ivQU4KoWan2bLmzLx0go=",
)
P13 = [
    "KgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "KgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
]
P15 = [
    "KgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "+fUDV+k970B4I3uKrqJM4aP1lloPZP8mvr2Z4wRw2LI=",
    "KgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
]
P35 = [
    "KgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "KgMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "wgiIFdZfYNv6WU1OllBKsWnLYIS/DBMqt8Uh/S4OukE=",
    "KgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
]
P13_WRONG = [P13[0], "KgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABA="]

M_SKEY = "PRIVATE+KEY+monkeys+db4d9f7e+ATWIAF3yVBG+Hv1rZFQoNt/BaURkLPtOFMAM2HrEeIr6"
M_INIT = (
    "monkeys\n5\n41smjBUiAU70EtKlT6lIOIYtRTYxYXsDB+XHfcvu/BE=\n\n— monkeys 202fftzGl3LVoqjXfwC"
    "FZZXs8I+5G22+Ek2K0AOyBuSJ/8/CZawNF+6fNlTKOCd622pbzJNkkJFWuw9DbicZCkEx9AY=\n"
)
M_NEXT = (
    "monkeys\n8\nV8K9aklZ4EPB+RMOk1/8VsJUdFZR77GDtZUQq84vSbo=\n\n— monkeys 202ffoUEboiQYpHzICe"
    "aFmoy3RNviHTpAxYrq/eO4QQVQMvu9UebKBMX2MJC76NLthZaKsnKbCA8GxrjePZhvDCH7Ag=\n"
)
M_PROOF = [
    bytes.fromhex(h)
    for h in (
        "b9e1d62618f7fee8034e4c5010f727ab24d8e4705cb296c374bf2025a87a10d2",
        "aac66cd7a79ce4012d80762fe8eec3a77f22d1ca4145c3f4cee022e7efcd599d",
        "89d0f753f66a290c483b39cd5e9eafb12021293395fad3d4a2ad053cfbcfdc9e",
        "29e40bb79c966f4c6fe96aff6f30acfce5f3e8d84c02215175d6e018a5dee833",
    )
]


def body(old: int, proof: list[str], note: str) -> bytes:
    """Return an add-checkpoint request body."""
    return (f"old {old}\n" + "".join(line + "\n" for line in proof) + "\n" + note).encode()


def b64(hashes: list[bytes]) -> list[str]:
    """Return proof hashes as request lines."""
    return [base64.b64encode(h).decode() for h in hashes]


@pytest.fixture
def cosigner() -> Cosigner:
    """Return litewitness's test witness key."""
    return Cosigner("example.com/witness", WITNESS_SEED)


@pytest.fixture
def witness(tmp_path: Path, cosigner: Cosigner) -> Witness:
    """Return a witness trusting the sigsum test log and the monkeys log."""
    state = WitnessState.create(tmp_path / "witness.db", cosigner.vkey)
    state.add_log(ORIGIN, LOG_VKEY)
    state.add_log("monkeys", parse_skey(M_SKEY).vkey)
    return Witness(state, cosigner)


def test_the_litewitness_conversation(witness: Witness, cosigner: Cosigner) -> None:
    bad_signature = C3[:-6] + "6gx=\n"
    unknown = C3.replace(ORIGIN, ORIGIN[:-1] + "3", 1)
    conversation = [
        (body(0, [], C1), 200),
        (body(1, P13, bad_signature), 403),
        (body(1, P13, unknown), 404),
        (body(1, [], C3), 422),
        (body(1, P13_WRONG, C3), 422),
        (body(1, P13, C3), 200),
        (body(1, P15, C5), 409),
        (body(3, P35, C5), 200),
        (body(0, [], C5), 409),
        (f"old 5\n\n{ORIGIN}\n5\n".encode(), 400),
        (body(5, [], FIVE), 400),
    ]
    answers = [witness.add_checkpoint(request) for request, _ in conversation]

    assert [a.status for a in answers] == [status for _, status in conversation]
    assert answers[6].body == b"3\n"
    assert answers[6].headers["Content-Type"] == "text/x.tlog.size"
    assert answers[8].body == b"5\n"
    for answer, note in ((answers[0], C1), (answers[5], C3), (answers[7], C5)):
        (line,) = answer.body.decode().splitlines()
        assert line.startswith("— example.com/witness ")
        text = note[: note.rfind("\n\n") + 1]
        open_note(text + "\n" + line + "\n", [cosigner.verifier])
    stored = witness.state.log_state(ORIGIN)
    assert (stored.size, stored.root.hex()) == (
        5,
        "42bb57ad06420afa4882c4a63ac6a1ec77480b330b2f20dfc53a0caa5f564e36",
    )


def test_the_transparency_dev_update_cases(witness: Witness) -> None:
    proof = b64(M_PROOF)
    assert witness.add_checkpoint(body(0, proof, M_INIT)).status == 422  # a proof from 0
    assert witness.add_checkpoint(body(0, [], M_INIT)).status == 200
    assert witness.add_checkpoint(body(5, [], M_INIT)).status == 200  # resubmit: fresh cosig
    assert witness.add_checkpoint(body(5, [], M_NEXT)).status == 422  # missing proof
    assert witness.add_checkpoint(body(8, proof, M_INIT)).status == 400  # old above size
    assert witness.add_checkpoint(body(4, proof, M_NEXT)).status == 409
    assert witness.add_checkpoint(body(5, ["AAA="] * 4, M_NEXT)).status == 400  # 2-byte hashes
    assert witness.add_checkpoint(body(5, proof, M_NEXT)).status == 200
    assert witness.state.log_state("monkeys").size == 8


def test_a_fork_at_the_stored_size_is_refused_and_kept_as_evidence(
    witness: Witness,
) -> None:
    signer = parse_skey(M_SKEY)
    assert witness.add_checkpoint(body(0, [], M_INIT)).status == 200
    fork = sign_checkpoint(signer, 5, bytes(range(32)))

    assert witness.add_checkpoint(body(5, [], fork)).status == 422
    assert witness.add_checkpoint(body(0, [], fork)).status == 409  # and at a stale old size

    evidence = witness.state.evidence("monkeys")
    assert [e.reason for e in evidence] == ["different root at the same size"] * 2
    assert evidence[0].presented_note == fork
    assert evidence[0].stored_note is not None and evidence[0].stored_note.startswith(
        M_INIT.split("\n\n")[0]
    )
    assert witness.state.log_state("monkeys").root != bytes(range(32))


def test_size_zero_needs_the_empty_root_and_grows_with_no_proof(witness: Witness) -> None:
    signer = parse_skey(M_SKEY)
    assert witness.add_checkpoint(body(0, [], sign_checkpoint(signer, 0, bytes(32)))).status == 422
    assert witness.add_checkpoint(body(0, [], sign_checkpoint(signer, 0, EMPTY_ROOT))).status == 200
    assert witness.add_checkpoint(body(0, [], M_INIT)).status == 200


def test_the_answer_holds_only_the_witness_line_and_extension_lines_are_refused(
    witness: Witness,
) -> None:
    answer = witness.add_checkpoint(body(0, [], M_INIT))
    assert answer.body.decode().count("\n") == 1 and "— monkeys" not in answer.body.decode()
    signer = parse_skey(M_SKEY)
    from newsledger.audit.note import sign_note

    extended = sign_note("monkeys\n9\n" + base64.b64encode(bytes(32)).decode() + "\nx\n", signer)
    assert witness.add_checkpoint(body(5, [], extended)).status == 400


def test_the_state_never_goes_back_even_by_hand(witness: Witness, tmp_path: Path) -> None:
    assert witness.add_checkpoint(body(0, [], M_INIT)).status == 200
    connection = sqlite3.connect(tmp_path / "witness.db")
    with pytest.raises(sqlite3.IntegrityError, match="rollback"):
        connection.execute("UPDATE state SET size = size - 1")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
        connection.execute("DELETE FROM state")


def test_the_database_is_bound_to_its_key_and_must_exist(
    tmp_path: Path, cosigner: Cosigner
) -> None:
    from newsledger.audit.cosignature import generate_cosigner
    from newsledger.witness.state import WitnessStateError

    WitnessState.create(tmp_path / "w.db", cosigner.vkey).close()
    with pytest.raises(WitnessStateError, match="belongs to witness"):
        WitnessState.open(tmp_path / "w.db", generate_cosigner("other.example").vkey)
    with pytest.raises(WitnessStateError, match="no witness database"):
        WitnessState.open(tmp_path / "missing.db", cosigner.vkey)
    with pytest.raises(WitnessStateError, match="already exists"):
        WitnessState.create(tmp_path / "w.db", cosigner.vkey)


def test_concurrent_requests_never_roll_the_state_back(tmp_path: Path, cosigner: Cosigner) -> None:
    for round_number in range(5):
        state = WitnessState.create(tmp_path / f"race-{round_number}.db", cosigner.vkey)
        state.add_log(ORIGIN, LOG_VKEY)
        witness = Witness(state, cosigner)
        assert witness.add_checkpoint(body(0, [], C1)).status == 200
        requests = [body(1, P13, C3), body(1, P15, C5)] * 4
        answers: list[int] = []

        def ask(request: bytes, witness: Witness = witness, answers: list[int] = answers) -> None:
            answers.append(witness.add_checkpoint(request).status)

        threads = [threading.Thread(target=ask, args=(request,)) for request in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert answers.count(200) == 1  # the first to commit wins; every other sees its size
        assert sorted(set(answers)) == [200, 409]
        assert witness.state.log_state(ORIGIN).size in (3, 5)


@settings(
    max_examples=200, deadline=1000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=600) | st.text(max_size=400).map(str.encode))
def test_any_body_gets_a_4xx_answer_never_a_crash_and_no_state(
    witness: Witness, data: bytes
) -> None:
    answer = witness.add_checkpoint(data)
    assert 400 <= answer.status < 500
    assert witness.state.log_state(ORIGIN).size == 0


def test_the_vkey_of_the_test_witness_is_the_published_one(cosigner: Cosigner) -> None:
    expected = "example.com/witness+10a1c019+BGSEitir7W6FmBs7OHWyUrh2frtLAvcDrKOx5xu9ao5Q"
    assert cosigner.vkey == expected
    assert parse_cosigner_vkey(expected).public_key.hex().startswith("64848ad8")
