"""Progress on long work: a tqdm bar on a terminal, plain lines at most once a second elsewhere."""

from __future__ import annotations

import io

from newsledger.cli.progress import progress


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_the_count_and_the_percentage() -> None:
    out = Terminal()
    report = progress("ingest", stream=out)
    for done in (100, 250, 500):
        report(done, 500)
    shown = out.getvalue()
    assert "ingest" in shown and "100%" in shown and "500/500" in shown
    assert "\r" in shown  # redrawn in place


def test_a_pipe_gets_plain_lines_the_first_and_the_last() -> None:
    out = io.StringIO()
    report = progress("rebuild", unit="negotiations", stream=out)
    for done in range(1, 1001):
        report(done, 1000)
    lines = out.getvalue().splitlines()
    assert lines[0] == "rebuild: 1/1000 negotiations"
    assert lines[-1] == "rebuild: 1000/1000 negotiations"
    assert len(lines) < 10  # at most once a second, and at the end
    assert "\r" not in out.getvalue()
