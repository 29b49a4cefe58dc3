"""The application with its audit log, signed by a known key, on each backend."""

from __future__ import annotations

import pytest

from newsledger.application.app import Application
from newsledger.application.audit import AuditLog


@pytest.fixture
def app(audited_app: Application) -> Application:
    """Return the application whose audit log is named ORIGIN and signed by `signer`."""
    return audited_app


@pytest.fixture
def audit(app: Application) -> AuditLog:
    """Return the audit application service."""
    return app.audit
