"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification over stored subtrees.

The log stores the hash of every complete subtree as ``(level, index) -> hash``: level 0
holds the leaf hashes and node ``(level, i)`` covers leaves ``[i * 2**level, (i + 1) *
2**level)``. Every function that reads the tree takes a ``get_node(level, index)``
callback, so the same code serves a database, a file and the in-memory store below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

GetNode = Callable[[int, int], bytes]
StoredNode = tuple[int, int, bytes]


class ProofError(Exception):
    """A proof, size or hash failed verification; the message says why."""


def hash_leaf(leaf: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def nodes_to_store_on_append(
    leaf_index: int, leaf_hash: bytes, get_node: GetNode
) -> list[StoredNode]:
    """Return the complete-subtree nodes created by appending leaf ``leaf_index``."""
    _check_hash(leaf_hash, "leaf hash")
    if leaf_index < 0:
        raise ValueError(f"leaf index {leaf_index} is negative")
    nodes: list[StoredNode] = [(0, leaf_index, leaf_hash)]
    level, index, node = 0, leaf_index, leaf_hash
    # A node completes its parent exactly when it is a right child (odd index).
    while index & 1:
        node = hash_children(get_node(level, index - 1), node)
        level, index = level + 1, index >> 1
        nodes.append((level, index, node))
    return nodes


def nodes_to_store_on_append_batch(
    first_index: int, leaf_hashes: Sequence[bytes], get_node: GetNode
) -> list[StoredNode]:
    """Return the nodes created by appending ``leaf_hashes`` from ``first_index`` on, in order.

    The same nodes as ``nodes_to_store_on_append`` leaf by leaf, in one loop; nodes made
    earlier in the batch are taken from the batch, older ones from ``get_node``.
    """
    if first_index < 0:
        raise ValueError(f"leaf index {first_index} is negative")
    fresh: dict[tuple[int, int], bytes] = {}
    created: list[StoredNode] = []
    for index, node in enumerate(leaf_hashes, start=first_index):
        _check_hash(node, "leaf hash")
        level = 0
        created.append((0, index, node))
        fresh[(0, index)] = node
        # A node completes its parent exactly when it is a right child (odd index).
        while index & 1:
            left = fresh.get((level, index - 1))
            node = hash_children(left if left is not None else get_node(level, index - 1), node)
            level, index = level + 1, index >> 1
            created.append((level, index, node))
            fresh[(level, index)] = node
    return created


def root(size: int, get_node: GetNode) -> bytes:
    """Return the Merkle tree hash of the first ``size`` leaves from O(log n) stored nodes."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, get_node)


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """Return the RFC 9162 inclusion proof (PATH) of leaf ``index`` in the tree of ``size``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    proof: list[bytes] = []
    _path(index, 0, size, get_node, proof)
    return proof


def consistency_proof(old_size: int, new_size: int, get_node: GetNode) -> list[bytes]:
    """Return the RFC 9162 consistency proof between tree sizes ``old_size`` and ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    _subproof(old_size, 0, new_size, True, get_node, proof)
    return proof


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check an inclusion proof exactly as RFC 9162 section 2.1.3.2; raise ProofError if not."""
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root_hash, "root hash")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    if index < 0 or size < 0:
        raise ProofError(f"negative leaf index {index} or tree size {size}")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof is longer than a tree of size {size} allows")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_children(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"inclusion proof is shorter than a tree of size {size} needs")
    if r != root_hash:
        raise ProofError(
            f"inclusion proof of leaf {index} does not lead to the root of size {size}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof exactly as RFC 9162 section 2.1.4.2; raise ProofError if not."""
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    if old_size < 0 or new_size < 0:
        raise ProofError(f"negative tree size {old_size} or {new_size}")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for tree size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the old root of an empty tree is not SHA-256 of the empty string")
        return
    # 0 < old_size < new_size: RFC 9162 section 2.1.4.2, steps 1 to 7.
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof is longer than sizes {old_size}->{new_size} allow")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_children(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"consistency proof is shorter than sizes {old_size}->{new_size} need")
    if fr != old_root:
        raise ProofError(f"consistency proof does not lead to the old root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the new root of size {new_size}")


class MemoryNodeStore:
    """Keeps every complete-subtree hash in a dict: for tests and for recomputing verifiers."""

    def __init__(self) -> None:
        """Start with an empty tree."""
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def get_node(self, level: int, index: int) -> bytes:
        """Return the stored hash of complete subtree ``(level, index)``."""
        try:
            return self.nodes[(level, index)]
        except KeyError:
            raise KeyError(
                f"no complete subtree ({level}, {index}) in a tree of size {self.size}"
            ) from None

    def append_leaf_hashes(self, leaf_hashes: Iterable[bytes]) -> list[StoredNode]:
        """Append leaf hashes as one batch and return the nodes stored."""
        batch = list(leaf_hashes)
        created = nodes_to_store_on_append_batch(self.size, batch, self.get_node)
        for level, index, node in created:
            self.nodes[(level, index)] = node
        self.size += len(batch)
        return created

    def append_leaves(self, leaves: Iterable[bytes]) -> list[StoredNode]:
        """Hash leaf bytes, append them as one batch and return the nodes stored."""
        return self.append_leaf_hashes(hash_leaf(leaf) for leaf in leaves)

    def root(self, size: int | None = None) -> bytes:
        """Return the root of the tree of ``size`` leaves (default: all)."""
        return root(self.size if size is None else size, self.get_node)


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes) else type(value).__name__
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {length}")


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _range_hash(start: int, end: int, get_node: GetNode) -> bytes:
    """Return MTH(D[start:end]) where ``start`` is aligned to a power of two >= end - start."""
    peaks: list[bytes] = []
    offset, remaining = start, end - start
    for level in range(remaining.bit_length() - 1, -1, -1):
        if remaining >> level & 1:
            peaks.append(get_node(level, offset >> level))
            offset += 1 << level
    accumulated = peaks[-1]
    for peak in reversed(peaks[:-1]):
        accumulated = hash_children(peak, accumulated)
    return accumulated


def _path(index: int, start: int, end: int, get_node: GetNode, out: list[bytes]) -> None:
    n = end - start
    if n <= 1:
        return
    k = _largest_power_of_two_below(n)
    if index < k:
        _path(index, start, start + k, get_node, out)
        out.append(_range_hash(start + k, end, get_node))
    else:
        _path(index - k, start + k, end, get_node, out)
        out.append(_range_hash(start, start + k, get_node))


def _subproof(
    m: int, start: int, end: int, whole: bool, get_node: GetNode, out: list[bytes]
) -> None:
    n = end - start
    if m == n:
        if not whole:
            out.append(_range_hash(start, end, get_node))
        return
    k = _largest_power_of_two_below(n)
    if m <= k:
        _subproof(m, start, start + k, whole, get_node, out)
        out.append(_range_hash(start + k, end, get_node))
    else:
        _subproof(m - k, start + k, end, False, get_node, out)
        out.append(_range_hash(start, start + k, get_node))
