"""Reading the stored tree: roots and proofs from O(log n) stored subtree hashes."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy.engine import Connection

from newsledger.audit import merkle
from newsledger.audit.storage.tree import read_node

StoredNode = merkle.StoredNode


class NodeReader:
    """Reads stored subtree hashes on one connection, keeping the most recent in a bounded cache."""

    def __init__(self, connection: Connection, cache_size: int = 4096) -> None:
        """Read through ``connection``, caching at most ``cache_size`` hashes."""
        self.connection = connection
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def __call__(self, level: int, index: int) -> bytes:
        """Return the hash of complete subtree ``(level, index)``."""
        key = (level, index)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        node = read_node(self.connection, level, index)
        self._cache[key] = node
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return node


def completed_subtrees(index: int) -> list[tuple[int, int]]:
    """Return the ``(level, idx)`` of every complete subtree whose last leaf is ``index``."""
    completed = [(0, index)]
    level = 1
    while (index + 1) % (1 << level) == 0:
        completed.append((level, index >> level))
        level += 1
    return completed


def stored_root(connection: Connection, size: int) -> bytes:
    """Return the root of the first ``size`` leaves from the stored subtree hashes."""
    return merkle.root(size, NodeReader(connection))


def stored_inclusion_proof(connection: Connection, index: int, size: int) -> list[bytes]:
    """Return the inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    return merkle.inclusion_proof(index, size, NodeReader(connection))


def stored_consistency_proof(connection: Connection, old_size: int, new_size: int) -> list[bytes]:
    """Return the consistency proof from tree size ``old_size`` to ``new_size``."""
    return merkle.consistency_proof(old_size, new_size, NodeReader(connection))
