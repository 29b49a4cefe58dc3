"""Commands meet a database that does not answer: one clear line, a documented exit status.

`serve` waits for the database (saying so once), serves when it answers, stops at once on
SIGTERM while waiting, and gives up after NEWSLEDGER_DATABASE_WAIT_SECONDS. `rebuild
--check` tells "views differ" (1) from "could not check" (2).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from newsledger.bootstrap import build_application
from newsledger.cli.exits import ExitCode
from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from newsledger.store.migrate import upgrade_to_head
from newsledger.stories.ingest import ingest_story_in_process
from tests.conftest import POSTGRES_URL, fresh_postgres_schema
from tests.support.paths import SEED_NEGOTIATION, SEED_STORY
from tests.support.serve_process import NEWSLEDGER, SERVING, run_newsledger
from tests.support.tcp_proxy import TcpProxy

WAIT_SECONDS = 120.0


def closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """Return the environment of a command using database_url."""
    return {**os.environ, "NEWSLEDGER_DATABASE_URL": database_url, **extra}


def unreachable_url() -> str:
    """Return a PostgreSQL URL where nothing answers."""
    return f"postgresql://postgres@127.0.0.1:{closed_port()}/test"


def assert_one_clear_line(stderr: str) -> None:
    """The error output names the database problem and holds no traceback."""
    assert "Traceback" not in stderr
    assert "does not answer" in stderr.strip().splitlines()[-1]


class Lines:
    """The lines a child process writes to one of its pipes, readable with a deadline."""

    def __init__(self, pipe: object) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            self.queue.put(line)

    def wait_for(self, pattern: str, seconds: float = WAIT_SECONDS) -> re.Match[str]:
        """Return the first match of pattern in a line read within seconds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matched {pattern!r} in {self.seen}")


Started = tuple[subprocess.Popen[str], Lines, Lines]


@pytest.fixture
def serve_waiting(tmp_path: Path) -> Iterator[Callable[[str], Started]]:
    """Yield a starter of `serve --migrate` on a database URL, with output pipes; stop after."""
    started: list[subprocess.Popen[str]] = []

    def start(database_url: str) -> Started:
        process = subprocess.Popen(
            [*NEWSLEDGER, "serve", "--migrate", "--address", "127.0.0.1:0"],
            cwd=tmp_path,
            env=environment(
                database_url,
                NEWSLEDGER_DATABASE_WAIT_SECONDS=str(WAIT_SECONDS),
                NEWSLEDGER_SIGNING_KEY=str(tmp_path / "signing.key"),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process, Lines(process.stdout), Lines(process.stderr)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


def test_serve_gives_up_on_a_database_that_does_not_answer_with_one_line(tmp_path: Path) -> None:
    """Given a database that refuses connections and a short wait, serve says so in one
    line and exits with the unavailable code."""
    result = run_newsledger(
        "serve",
        cwd=tmp_path,
        env=environment(unreachable_url(), NEWSLEDGER_DATABASE_WAIT_SECONDS="2"),
    )
    assert result.returncode == ExitCode.UNAVAILABLE, result.stderr
    assert_one_clear_line(result.stderr)
    assert "after waiting 2 s" in result.stderr.strip().splitlines()[-1]
    assert "retrying for up to 2 s" in result.stderr


def test_sigterm_stops_serve_while_it_waits_for_the_database(
    serve_waiting: Callable[[str], Started],
) -> None:
    """Given serve waiting for a database, SIGTERM ends it at once with status 0."""
    process, stdout, stderr = serve_waiting(unreachable_url())
    stderr.wait_for("does not answer .*retrying")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    stdout.wait_for("stopped before serving", seconds=5)


@pytest.mark.postgres
def test_serve_waits_for_the_database_and_serves_once_it_answers(
    serve_waiting: Callable[[str], Started],
) -> None:
    """Given PostgreSQL cut off when serve starts, serve waits; restored, it serves."""
    url = make_url(POSTGRES_URL or "")
    with (
        TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy,
        fresh_postgres_schema() as direct,
    ):
        proxy.cut()
        proxied = make_url(direct).set(host="127.0.0.1", port=proxy.port)
        process, stdout, stderr = serve_waiting(proxied.render_as_string(hide_password=False))
        stderr.wait_for("does not answer .*retrying")
        assert process.poll() is None
        proxy.restore()
        stdout.wait_for(SERVING.pattern)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_rebuild_check_tells_differing_views_from_a_check_that_could_not_run(
    tmp_path: Path,
) -> None:
    """Given equal views, 0; a view missing, the verification-failed code naming it; the
    database unreachable, the unavailable code with one line."""
    database_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    engine = create_engine(database_url)
    upgrade_to_head(engine)
    ingest_story_in_process(build_application(EventStore(engine)).ledger, SEED_STORY)

    def check(url: str = database_url) -> subprocess.CompletedProcess[str]:
        return run_newsledger("rebuild", "--check", cwd=tmp_path, env=environment(url))

    assert check().returncode == 0
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM negotiation_views"))
    differing = check()
    assert differing.returncode == ExitCode.VERIFICATION_FAILED
    assert f"differs from a rebuild: {SEED_NEGOTIATION}" in differing.stdout
    engine.dispose()

    failed = check(unreachable_url())
    assert failed.returncode == ExitCode.UNAVAILABLE
    assert_one_clear_line(failed.stderr)
