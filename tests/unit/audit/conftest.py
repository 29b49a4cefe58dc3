"""Shared fixtures for the audit tests: deterministic leaves and filled node stores."""

from __future__ import annotations

import pytest

from newsledger.audit.merkle import MemoryNodeStore
from newsledger.audit.note import Signer
from tests.support.merkle import store_with


@pytest.fixture(scope="session")
def store64() -> MemoryNodeStore:
    """A store of 64 leaves, whose prefixes give every tree of size 0..64."""
    return store_with(64)


@pytest.fixture(scope="session")
def log_signer() -> Signer:
    """A fixed signer for the log ``example.test/newsledger``."""
    return Signer("example.test/newsledger", bytes(range(32)))
