"""The committed protobuf code is exactly what the committed .proto files generate."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.support.paths import ROOT

COMMITTED = ROOT / "service" / "newsledger" / "v1"


def _load_generator() -> object:
    spec = importlib.util.spec_from_file_location("genproto", ROOT / "tools" / "genproto.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["genproto"] = module
    spec.loader.exec_module(module)
    return module


def _generated_files(root: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in root.iterdir()
        if path.is_file() and path.suffix in (".py", ".pyi")
    }


def test_generated_code_is_up_to_date(tmp_path: Path) -> None:
    generator = _load_generator()
    generator.generate(tmp_path)  # type: ignore[attr-defined]

    fresh = _generated_files(tmp_path / "newsledger" / "v1")
    committed = _generated_files(COMMITTED)

    assert sorted(fresh) == sorted(committed), "run `python tools/genproto.py`"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"regenerate with `python tools/genproto.py`: {stale}"
