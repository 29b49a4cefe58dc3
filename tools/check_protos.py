"""Run `buf lint` on proto/ and `buf breaking` against the previous commit's protos.

proto/ is self-contained (googleapis files vendored under proto/google), so buf lints and
builds it as it stands, with the rules in buf.yaml. An older commit may predate the
vendored files, so its protos are built into an image with protoc, using the
googleapis-common-protos package for the google/ imports they lack. Without a previous
commit holding protos (a first commit, a shallow clone), the breaking check says so and
passes.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.genproto import googleapis_root  # noqa: E402

BUF = Path(sys.executable).parent / "buf"


def build_image(proto_root: Path, image: Path) -> None:
    """Compile the contract's .proto files under proto_root into a descriptor-set image."""
    from grpc_tools import protoc

    files = sorted(
        str(p.relative_to(proto_root)) for p in (proto_root / "newsledger").rglob("*.proto")
    )
    args = [
        "grpc_tools.protoc",
        f"-I{proto_root}",
        f"-I{resources.files('grpc_tools') / '_proto'}",
        f"-I{googleapis_root()}",
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={image}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit(f"protoc could not build {proto_root}")


def previous_protos(ref: str, into: Path) -> bool:
    """Extract proto/ as of ref into a directory; False when ref or its protos are missing."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        return False
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "proto"], cwd=ROOT, capture_output=True
    )
    if archive.returncode != 0:
        return False
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return any((into / "proto").rglob("*.proto"))


def buf(*arguments: str) -> int:
    """Run buf from the repository root, where buf.yaml names the proto/ module."""
    return subprocess.run([str(BUF), *arguments], cwd=ROOT).returncode


def main() -> int:
    """Lint, then check for breaking changes; return non-zero on any finding."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", default="HEAD~1", help="git ref to compare with (HEAD~1)")
    ref = parser.parse_args().against
    if buf("lint") != 0:
        print("check_protos: buf lint found problems", file=sys.stderr)
        return 1
    print("check_protos: buf lint passed")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if not previous_protos(ref, work / "previous"):
            print(f"check_protos: no protos at {ref}; skipping buf breaking")
            return 0
        build_image(work / "previous" / "proto", work / "previous.binpb")
        if buf("breaking", "--against", str(work / "previous.binpb")) != 0:
            print(f"check_protos: breaking changes against {ref}", file=sys.stderr)
            return 1
        print(f"check_protos: no breaking changes against {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
