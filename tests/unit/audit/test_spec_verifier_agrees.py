"""A verifier written from docs/audit.md alone agrees with the service library on random logs."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsledger.audit.checkpoint import sign_checkpoint
from newsledger.audit.jcs import canonical_json
from newsledger.audit.leaf import leaf_bytes
from newsledger.audit.merkle import (
    MemoryNodeStore,
    ProofError,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from newsledger.audit.note import Signer
from tests.support.audit import envelope_for

SPEC_VERIFIER = Path(__file__).resolve().parents[2] / "spec_verifier" / "minimal_verifier.py"


def load_spec_verifier() -> ModuleType:
    """Import the from-the-spec verifier by path: it is not part of any package."""
    spec = importlib.util.spec_from_file_location("minimal_verifier", SPEC_VERIFIER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mv = load_spec_verifier()

json_strings = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], max_codepoint=0x1F64F), max_size=12
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
    | json_strings,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_strings, children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.dictionaries(json_strings, json_values, max_size=6)


def random_log(rng: random.Random, count: int, origin: str) -> list[dict[str, Any]]:
    """Return ``count`` entries with leaf bytes and payloads built by the service library."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    entries = []
    for seq in range(count):
        payload = {
            "figure": f"{rng.randint(0, 999)}.{rng.randint(0, 9)}%",
            "n": rng.randint(-5, 5),
            "note": rng.choice(["", "é", "\u2028", "😀", "tab\there", 'q"uote']),
        }
        metadata = rng.choice([{}, {"development_id": f"d-{seq}", "source_name": "Wire\u00e9"}])
        envelope = envelope_for(
            log_origin=origin,
            sequence_number=seq,
            record_time=start + timedelta(microseconds=rng.randint(0, 10**6) + seq * 10**6),
            event_id=f"event-{seq}",
            stream=f"negotiation-{rng.randint(1, 3)}",
            stream_version=seq // 3,
            event_type=rng.choice(["ProposalTabled", "PositionChanged"]),
            schema_version=1,
            valid_time={"valid_from": rng.choice([None, "2024-01-01"]), "valid_to": None},
            corrects=[f"event-{rng.randrange(seq)}"] if seq and rng.random() < 0.2 else [],
            payload=payload,
            metadata=metadata,
        )
        entries.append({"leaf": leaf_bytes(envelope), "payload": payload, "metadata": metadata})
    return entries


@settings(max_examples=300, deadline=None)
@given(payloads)
def test_both_canonicalise_random_payloads_to_the_same_bytes(payload: dict[str, Any]) -> None:
    assert mv.jcs(payload) == canonical_json(payload, "$")


@pytest.mark.parametrize("seed", range(6))
def test_both_compute_the_same_leaf_hashes_roots_and_proof_verdicts(
    seed: int, log_signer: Signer
) -> None:
    rng = random.Random(seed)
    count = rng.randint(1, 70)
    entries = random_log(rng, count, log_signer.name)
    store = MemoryNodeStore()
    store.append_leaves(e["leaf"] for e in entries)
    spec_hashes = [mv.leaf_hash(e["leaf"]) for e in entries]
    assert spec_hashes == [store.get_node(0, i) for i in range(count)]
    for size in range(count + 1):
        assert mv.mth(spec_hashes[:size]) == store.root(size)

    for _ in range(60):
        size = rng.randint(1, count)
        index = rng.randrange(size)
        proof = inclusion_proof(index, size, store.get_node)
        leaf, root = spec_hashes[index], store.root(size)
        for claim in [
            (index, size, leaf, proof, root),
            *corrupt_inclusion(rng, index, size, leaf, proof, root),
        ]:
            assert mv.verify_inclusion(*claim) == service_accepts_inclusion(*claim)
        old = rng.randint(0, size)
        cproof = consistency_proof(old, size, store.get_node)
        claims = [(old, size, store.root(old), root, cproof)]
        claims += corrupt_consistency(rng, old, size, store.root(old), root, cproof)
        for cclaim in claims:
            assert mv.verify_consistency(*cclaim) == service_accepts_consistency(*cclaim)

    notes = [sign_checkpoint(log_signer, s, store.root(s)) for s in sorted({0, count // 2, count})]
    assert mv.audit_log(log_signer.name, log_signer.vkey, entries, notes) == spec_hashes


def test_the_spec_verifier_catches_a_tampered_entry_at_its_sequence_number(
    log_signer: Signer,
) -> None:
    entries = random_log(random.Random(9), 12, log_signer.name)
    store = MemoryNodeStore()
    store.append_leaves(e["leaf"] for e in entries)
    note = sign_checkpoint(log_signer, 12, store.root())
    tampered = [dict(e) for e in entries]
    tampered[5]["payload"] = {**tampered[5]["payload"], "n": 99}
    with pytest.raises(mv.VerifyError, match="sequence 5: payload hash"):
        mv.audit_log(log_signer.name, log_signer.vkey, tampered, [note])
    rewritten = [dict(e) for e in entries]
    rewritten[7]["metadata"] = {**rewritten[7]["metadata"], "development_id": "d-forged"}
    with pytest.raises(mv.VerifyError, match="sequence 7: metadata hash"):
        mv.audit_log(log_signer.name, log_signer.vkey, rewritten, [note])
    swapped = [*entries[:3], entries[4], entries[3], *entries[5:]]
    with pytest.raises(mv.VerifyError, match="sequence 3"):
        mv.audit_log(log_signer.name, log_signer.vkey, swapped, [note])
    with pytest.raises(mv.VerifyError, match="checkpoint at size 12"):
        mv.audit_log(log_signer.name, log_signer.vkey, entries[:11], [note])


def corrupt_inclusion(
    rng: random.Random, index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """Return a few wrong claims next to a true one."""
    claims = [
        (index ^ 1, size, leaf, proof, root),
        (index, size + 1, leaf, proof, root),
        (index, max(size - 1, 0), leaf, proof, root),
        (index, size, hash_leaf(b"x"), proof, root),
        (index, size, leaf, [*proof, root], root),
        (index, size, leaf, proof[:-1], root),
    ]
    if proof:
        position = rng.randrange(len(proof))
        changed = bytearray(proof[position])
        changed[rng.randrange(32)] ^= 1 << rng.randrange(8)
        claims.append(
            (index, size, leaf, [*proof[:position], bytes(changed), *proof[position + 1 :]], root)
        )
    return claims


def corrupt_consistency(
    rng: random.Random, old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    """Return a few wrong claims next to a true one."""
    claims = [(old ^ 1, new, old_root, new_root, proof), (old, new + 1, old_root, new_root, proof),
              (old, new, new_root, old_root, proof), (old, new, old_root, new_root, proof[:-1]),
              (old, new, old_root, new_root, [*proof, old_root])]  # fmt: skip
    if proof:
        position = rng.randrange(len(proof))
        changed = bytearray(proof[position])
        changed[rng.randrange(32)] ^= 1 << rng.randrange(8)
        claims.append(
            (
                old,
                new,
                old_root,
                new_root,
                [*proof[:position], bytes(changed), *proof[position + 1 :]],
            )
        )
    return claims


def service_accepts_inclusion(
    index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes
) -> bool:
    """The service library's verdict as a boolean."""
    try:
        verify_inclusion(index, size, leaf, proof, root)
    except ProofError:
        return False
    return True


def service_accepts_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """The service library's verdict as a boolean."""
    try:
        verify_consistency(old, new, old_root, new_root, proof)
    except ProofError:
        return False
    return True


def test_the_spec_verifier_shares_no_code_with_the_service() -> None:
    source = SPEC_VERIFIER.read_text(encoding="utf-8")
    assert "newsledger" not in source.replace('"""A minimal newsledger verifier', "")
    assert "rfc8785" not in source


def _talks(n: int, start: str, precision: str, published: str) -> dict[str, Any]:
    return {
        "talks_id": f"round-{n}",
        "title": f"Round {n}",
        "format": "TALKS_FORMAT_IN_PERSON_ROUND",
        "report": {
            "occurred": {"precision": precision, "start_date": start},
            "sources": [{"source_id": f"s{n}", "outlet": "Wire", "kind": "SOURCE_KIND_WIRE",
                         "published_date": published}],
        },
    }  # fmt: skip


days = st.dates(min_value=datetime(2025, 1, 1).date(), max_value=datetime(2025, 12, 31).date())
precisions = st.sampled_from(
    ["DATE_PRECISION_DAY", "DATE_PRECISION_WEEK", "DATE_PRECISION_MONTH",
     "DATE_PRECISION_QUARTER", "DATE_PRECISION_YEAR"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    developments=st.lists(
        st.tuples(st.sampled_from(["TalksHeld", "TruceAgreed"]), days, precisions, days),
        max_size=8,
    ),
    as_of=days,
)
def test_the_spec_verifier_derives_the_phase_the_service_renders(
    developments: list[tuple[str, Any, str, Any]], as_of: Any
) -> None:
    from newsledger.domain.negotiation import fold, render_view
    from tests.support.builders import Stream, report

    stream = Stream("phase-talks").opened()
    for n, (event_type, start, precision, published) in enumerate(developments):
        if event_type == "TalksHeld":
            stream.add("TalksHeld", _talks(n, start.isoformat(), precision, published.isoformat()))
        else:
            payload = {"truce_id": f"truce-{n}", "name": "Truce", "duration_days": 90,
                       "report": report(occurred={"precision": precision,
                                                  "start_date": start.isoformat()})}  # fmt: skip
            stream.add("TruceAgreed", payload)
    state = fold(stream.events)
    assert state is not None and not state.problems
    view = render_view(state, as_of)

    phase, history = mv.view_phase([(e.event_type, e.payload) for e in stream.events], as_of)

    assert phase == view["phase"]
    assert history == [change["phase"] for change in view.get("phase_history", [])]
