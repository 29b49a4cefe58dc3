"""Debian's headless Chromium, driven by Playwright, against a served page on each backend.

Playwright drives the system browser (`/usr/bin/chromium`, installed by `.ci/run`); it never
downloads one. Screenshots go to test-output/browser/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newsledger.client.ledger_client import LedgerClient
from tests.conftest import BACKENDS, fresh_postgres_schema
from tests.support.hostile import write_hostile_story
from tests.support.paths import FIXTURE_STORIES, ROOT, SEED_STORY
from tests.support.serve_process import ServeProcess
from tests.support.web_process import WebProcess

CHROMIUM = Path(os.environ.get("NEWSLEDGER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-output" / "browser"

pytestmark = pytest.mark.browser


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what} for the browser tests")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Yield a headless Chromium browser (Debian's), launched once for the session."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _missing("Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        _missing("the playwright package (the dev extra)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Served:
    """A served ledger with the stories, the page in front of it, and a client of the ledger."""

    backend: str
    page_url: str
    client: LedgerClient
    processes: list[Any] = field(default_factory=list)


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """Serve the seed, the tariff steps and the hostile story, and the page over them."""
    directory = tmp_path_factory.mktemp(f"served-{request.param}")
    stories = [
        SEED_STORY,
        FIXTURE_STORIES / "tariff-steps-2027.yaml",
        write_hostile_story(directory),
    ]
    ingest = [argument for story in stories for argument in ("--ingest", str(story))]
    with _database(request.param, directory) as url:
        server = ServeProcess(url, directory, *ingest)
        try:
            web = WebProcess(directory, "--server", server.target)
            try:
                with LedgerClient(server.target) as client:
                    yield Served(request.param, web.url, client)
            finally:
                web.stop()
        finally:
            server.stop()


def _database(backend: str, directory: Path) -> Any:
    from contextlib import nullcontext

    if backend == "sqlite":
        return nullcontext(f"sqlite:///{directory / 'ledger.db'}")
    return fresh_postgres_schema()


class Tab:
    """A browser page that records console errors, page errors and dialogs."""

    def __init__(self, browser: Any, backend: str) -> None:
        self.backend = backend
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        """Save a screenshot under test-output/browser/ and return its path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.backend}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(chromium: Any, served: Served) -> Iterator[Tab]:
    """Yield a fresh browser tab; afterwards, no page it showed logged an error."""
    opened = Tab(chromium, served.backend)
    yield opened
    opened.close()
    assert opened.errors == [], opened.errors
    assert opened.dialogs == [], opened.dialogs
