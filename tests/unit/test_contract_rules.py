"""Rules the whole contract keeps, read from its descriptors, and proto/ usable on its own.

Positions: every log position, stream version, tree size, leaf or subtree index is a
`uint64`, and every one of them in a message a server sends has explicit presence (proto3
`optional`), so position 0 is written in ProtoJSON as `"0"` rather than left out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor

from newsledger.client.protos import proto_dir, proto_files
from newsledger.v1 import (
    audit_pb2,
    developments_pb2,
    event_store_pb2,
    negotiation_view_pb2,
    negotiations_pb2,
)
from tests.support.paths import ROOT

FILES: list[FileDescriptor] = [
    module.DESCRIPTOR
    for module in (
        audit_pb2,
        developments_pb2,
        event_store_pb2,
        negotiation_view_pb2,
        negotiations_pb2,
    )
]
POSITION_NAMES = frozenset(
    {
        "position",
        "stream_version",
        "last_position",
        "from_position",
        "from_version",
        "after_position",
        "exact",
        "sequence_number",
        "size",
        "tree_size",
        "old_size",
        "new_size",
        "index",
        "start",
        "end",
    }
)
INTEGERS = frozenset(
    {
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    }
)
"""A party's `position` on an issue is text; only numbers are log positions."""
BUF = Path(sys.executable).parent / "buf"


def messages(descriptor: FileDescriptor | Descriptor) -> Iterator[Descriptor]:
    """Yield every message of a file, nested ones included."""
    for message in (
        descriptor.message_types_by_name.values()
        if isinstance(descriptor, FileDescriptor)
        else descriptor.nested_types
    ):
        yield message
        yield from messages(message)


def position_fields() -> Iterator[tuple[Descriptor, FieldDescriptor]]:
    """Yield every integer field of the contract that holds a log position, version or size."""
    for file in FILES:
        for message in messages(file):
            for field in message.fields:
                if field.name in POSITION_NAMES and field.cpp_type in INTEGERS:
                    yield message, field


def test_the_rule_finds_the_positions_of_every_service() -> None:
    found = {f"{message.name}.{field.name}" for message, field in position_fields()}
    assert {
        "RecordedEvent.position",
        "TimelineEntry.position",
        "WatchNegotiationResponse.position",
        "StreamPosition.stream_version",
        "LogEntry.sequence_number",
        "InclusionProof.tree_size",
    } <= found


def test_every_position_is_a_uint64() -> None:
    wrong = [
        f"{message.full_name}.{field.name}"
        for message, field in position_fields()
        if field.type != FieldDescriptor.TYPE_UINT64
    ]
    assert wrong == []


def test_every_position_a_server_sends_has_presence() -> None:
    missing = [
        f"{message.full_name}.{field.name}"
        for message, field in position_fields()
        if not message.name.endswith("Request") and not field.has_presence
    ]
    assert missing == []


@pytest.mark.parametrize(
    "message",
    [
        event_store_pb2.RecordedEvent(position=0, stream_version=0),
        event_store_pb2.Checkpoint(position=0),
        negotiations_pb2.TimelineEntry(position=0, stream_version=0),
        negotiations_pb2.WatchNegotiationResponse(position=0),
        audit_pb2.LogEntry(sequence_number=0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_position_zero_is_written_in_protojson(message: object) -> None:
    """Given a message at the log's first position, its JSON says "0" (as a string)."""
    as_json = json_format.MessageToDict(message)  # type: ignore[arg-type]
    assert "0" in as_json.values()


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_every_file_names_its_package_for_other_languages(file: FileDescriptor) -> None:
    options = file.GetOptions()
    assert options.go_package == "newsledger.dev/gen/go/newsledger/v1;newsledgerv1"
    assert options.java_package == "dev.newsledger.v1"
    assert options.java_multiple_files
    assert options.csharp_namespace == "Newsledger.V1"


def test_the_shipped_proto_folder_holds_the_contract_and_its_google_imports() -> None:
    root = proto_dir()
    assert proto_files() == sorted(f.name for f in FILES)
    for imported in ("google/api/field_behavior.proto", "google/rpc/status.proto"):
        assert (root / imported).is_file()
    assert (root / "google/rpc/error_details.proto").is_file()


def copy_of_proto(tmp_path: Path) -> Path:
    """Return a copy of proto/ alone, with no buf.yaml and nothing else beside it."""
    alone = tmp_path / "proto"
    shutil.copytree(ROOT / "proto", alone, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return alone


def test_buf_lint_passes_when_run_directly_in_the_repository() -> None:
    result = subprocess.run([str(BUF), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_builds_proto_alone_with_no_registry(tmp_path: Path) -> None:
    """Given proto/ copied on its own, buf compiles it: every import is inside it."""
    alone = copy_of_proto(tmp_path)
    result = subprocess.run(
        [str(BUF), "build", str(alone), "-o", str(tmp_path / "image.binpb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_buf_generate_runs_another_generator_from_proto_alone(tmp_path: Path) -> None:
    """Given proto/ alone and a local protoc plugin, `buf generate` writes code for it."""
    alone = copy_of_proto(tmp_path)
    plugin = Path(sys.executable).parent / "protoc-gen-mypy"
    template = tmp_path / "buf.gen.yaml"
    template.write_text(
        f"version: v2\nplugins:\n  - local: {plugin}\n    out: {tmp_path / 'gen'}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(BUF), "generate", str(alone), "--template", str(template), "--path",
         str(alone / "newsledger")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gen" / "newsledger" / "v1" / "event_store_pb2.pyi").is_file()
