"""The web page over a real gRPC server on each backend, with the seed and fixture stories."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette suggests a fork of httpx for its test client; httpx itself still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from newsledger.application.app import Application
from newsledger.client.ledger_client import LedgerClient
from newsledger.stories.ingest import ingest_story_in_process
from newsledger.web.app import create_app
from newsledger.web.reader import PageReader
from tests.support.hostile import write_hostile_story
from tests.support.paths import FIXTURE_STORIES, SEED_STORY

STEPS_STORY = FIXTURE_STORIES / "tariff-steps-2027.yaml"


@pytest.fixture
def stories(app: Application, tmp_path: Path) -> Application:
    """Return the application with the seed, the tariff steps and the hostile story loaded."""
    for path in (SEED_STORY, STEPS_STORY, write_hostile_story(tmp_path)):
        ingest_story_in_process(app.ledger, path)
    return app


@pytest.fixture
def ledger(stories: Application, target: str) -> Iterator[LedgerClient]:
    """Yield a gRPC client of the server holding the stories."""
    with LedgerClient(target, timeout_seconds=20) as connected:
        yield connected


@pytest.fixture
def browser_free_page(ledger: LedgerClient) -> Iterator[TestClient]:
    """Yield an HTTP client of the page (in process), reading the server over gRPC."""
    with TestClient(create_app(PageReader(ledger))) as http:
        yield http
