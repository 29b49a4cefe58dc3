"""Regenerate the committed protobuf and gRPC code from proto/ (run after editing a .proto)."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
DEFAULT_OUT = ROOT / "service"


def proto_files() -> list[Path]:
    """Return every .proto file of the public contract (not the vendored google/), in order."""
    return sorted((PROTO_ROOT / "newsledger").rglob("*.proto"))


def googleapis_root() -> Path:
    """Return the directory holding google/api/*.proto from googleapis-common-protos."""
    import google.api.field_behavior_pb2 as field_behavior

    return Path(field_behavior.__file__).resolve().parent.parent.parent


def generate(out_dir: Path) -> None:
    """Write *_pb2.py, *_pb2.pyi and *_pb2_grpc.py for every proto file under out_dir."""
    from grpc_tools import protoc

    well_known = resources.files("grpc_tools") / "_proto"
    bin_dir = Path(sys.executable).parent
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"-I{googleapis_root()}",
        f"--python_out={out_dir}",
        f"--plugin=protoc-gen-mypy={bin_dir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={bin_dir / 'protoc-gen-mypy_grpc'}",
        f"--mypy_out={out_dir}",
        f"--mypy_grpc_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *[str(p.relative_to(PROTO_ROOT)) for p in proto_files()],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in {out_dir / p.parent.relative_to(PROTO_ROOT) for p in proto_files()}:
        init = package_dir / "__init__.py"
        if not init.exists():
            init.write_text('"""Generated protobuf code; regenerate with tools/genproto.py."""\n')


def main() -> None:
    """Parse arguments and regenerate the code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output root")
    generate(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
