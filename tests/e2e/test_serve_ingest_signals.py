"""`serve --ingest` stops on SIGTERM between batches, saying what it wrote, on each backend."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsledger.store.engine import create_engine
from newsledger.store.event_store import EventStore
from tests.support.serve_process import NEWSLEDGER

DEVELOPMENTS = 3000
ENTRY = (
    "  - {{id: said-{n}, type: NextRoundStatusChanged, payload: {{status: "
    "NEXT_ROUND_STATUS_NOT_SCHEDULED, report: {{occurred: {{precision: DATE_PRECISION_DAY, "
    'start_date: "2025-06-11"}}, sources: [{{source_id: s, outlet: W, '
    "kind: SOURCE_KIND_WIRE}}]}}}}}}\n"
)


def long_story(path: Path) -> Path:
    header = "negotiation: {id: long-talks, title: Long, parties: [{party_id: aa, name: A}]}\n"
    entries = "".join(ENTRY.format(n=n) for n in range(DEVELOPMENTS))
    path.write_text(header + "developments:\n" + entries, encoding="utf-8")
    return path


def recorded(store: EventStore) -> int:
    head = store.head_position()
    return 0 if head is None else head + 1


@pytest.mark.timeout(180)
def test_sigterm_during_serve_ingest_stops_it_between_batches_saying_what_was_written(
    database_url: str, tmp_path: Path
) -> None:
    """Given a long ingest, SIGTERM after its first batch stops it: the rest is not written."""
    story = long_story(tmp_path / "long.yaml")
    env = {
        **os.environ,
        "NEWSLEDGER_DATABASE_URL": database_url,
        "NEWSLEDGER_SIGNING_KEY": str(tmp_path / "signing.key"),
    }
    process = subprocess.Popen(
        [*NEWSLEDGER, "serve", "--migrate", "--address", "127.0.0.1:0", "--ingest", str(story)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = create_engine(database_url)
    try:
        store = EventStore(engine)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if recorded(store) > 0:
                    break
            except Exception:  # the schema is not migrated yet
                pass
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
        written = recorded(store)
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()

    assert process.returncode == 0, stderr
    assert 0 < written < DEVELOPMENTS + 1
    assert "newsledger stopped before serving: long.yaml: wrote " in stdout
    assert f"wrote {written} of {DEVELOPMENTS + 1} new events" in stdout
    assert "load the same file again to write the rest" in stdout
    assert "serving on" not in stdout
