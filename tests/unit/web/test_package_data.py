"""The wheel carries the page's templates and stylesheet: package data covers each of them."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

from tests.support.paths import ROOT

PACKAGE = ROOT / "service" / "newsledger"


def test_every_template_and_stylesheet_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["newsledger"]
    files = [
        path.relative_to(PACKAGE).as_posix()
        for folder in ("web/templates", "web/static")
        for path in (PACKAGE / folder).iterdir()
        if path.is_file()
    ]
    assert files
    assert [f for f in files if not any(fnmatch(f, pattern) for pattern in patterns)] == []
