"""Fixtures of an application whose audit log is named ORIGIN and signed by a known key.

Registered for the whole suite by `pytest_plugins` in tests/conftest.py; the audit tiers
make `audited_app` their `app`.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from newsledger.application.app import Application
from newsledger.audit.note import Signer, generate_signer
from newsledger.bootstrap import build_application
from newsledger.store.event_store import EventStore
from tests.support.audit import ORIGIN


@pytest.fixture
def signer() -> Signer:
    """Return the log's checkpoint signing key."""
    return generate_signer(ORIGIN)


@pytest.fixture
def audited_app(engine: Engine, signer: Signer) -> Application:
    """Return the application, its log named ORIGIN and signed by signer, on the test database."""
    store = EventStore(engine, lock_timeout_seconds=5.0)
    return build_application(store, log_origin=ORIGIN, signer=signer)
