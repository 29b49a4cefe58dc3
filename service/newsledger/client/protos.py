"""The contract's .proto files, shipped inside the package, for other languages' tools."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def proto_dir() -> Path:
    """Return the directory holding newsledger/v1/*.proto and the google/ files they import.

    Pass it to protoc (`-I`), buf, or @grpc/proto-loader (`includeDirs`): nothing else needs
    to be downloaded to compile or load the contract.
    """
    return Path(str(resources.files("newsledger.proto")))


def proto_files() -> list[str]:
    """Return the contract's own .proto files, relative to proto_dir(), in a stable order."""
    root = proto_dir()
    return sorted(str(p.relative_to(root)) for p in (root / "newsledger").rglob("*.proto"))
