"""`newsledger report` writes its file whole, with the mode a plain write would give it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsledger.cli.report import write_atomically


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_a_new_file_is_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    write_atomically(report, "<p>page</p>")
    assert report.read_text(encoding="utf-8") == "<p>page</p>"
    assert _mode(report) == 0o644


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_file_written_again_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    report = tmp_path / "report.html"
    report.write_text("old", encoding="utf-8")
    report.chmod(mode)
    write_atomically(report, "new")
    assert report.read_text(encoding="utf-8") == "new"
    assert _mode(report) == mode


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "report.html", None)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
