"""Adding a document type is a JSON Schema, a declaration in schema/documents/kinds.yaml and one writer.

A toy kind is added to a copy of schema/, codegen's `generate()` renders it, and the runtime imported
with that output (in a fresh interpreter) validates, routes and writes toy documents through it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from codegen.api import generate
from generated.kinds import KINDS, PREFIXES, STORE_DOCUMENT_TYPES
from thoth_storages import GraphDatabase, s3
from thoth_storages.documents import PREFIXES as DOCUMENT_PREFIXES
from thoth_storages.sync import HANDLERS_MAPPING

ROOT = Path(__file__).resolve().parents[2]

_TOY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ToyDocument",
    "type": "object",
    "required": ["metadata", "result"],
    "properties": {
        "metadata": {"type": "object", "properties": {"document_id": {"type": "string"}}},
        "result": {
            "type": "object",
            "required": ["colour"],
            "properties": {"colour": {"type": "string"}},
        },
    },
}

_TOY_DECLARATION = """
toy:
  types: [toy]
  describes: toy documents
  handler: sync_toy_documents
  writer: toy_writer.write_toy_result
  sync_method: {name: sync_toy_result, doc: Write a toy document.}
  exists:
    method: toy_document_id_exists
    parameters: [toy_document_id]
    table: toy_run
    column: toy_document_id
    doc: True when a toy document with this id was synced.
"""

_TOY_WRITER = '''
"""The one writer a new kind needs (here it records what it is given)."""

WRITTEN: list[tuple[object, object]] = []


def write_toy_result(writer: object, document: object) -> None:
    WRITTEN.append((writer, document))
'''

_PROBE = """
import inspect, json
from thoth_storages import GraphDatabase  # first, as users do: the generated methods import the runtime
from generated.kinds import KINDS_BY_PREFIX, PREFIXES
from generated.graph_documents import PREPARE
from thoth_storages.documents import DocumentValidationError, PREFIXES as DOCUMENT_PREFIXES, validate_document
from thoth_storages.sync import HANDLERS_MAPPING
import toy_writer

document = {"metadata": {"document_id": "toy-20260101-1"}, "result": {"colour": "teal"}}
model = validate_document(document)
PREPARE["toy"](document)("the writer")
try:
    validate_document({"metadata": {"document_id": "toy-2"}, "result": {"colour": 7}})
    refused = None
except DocumentValidationError as error:
    refused = error.path
print(json.dumps({
    "prefixes": list(PREFIXES),
    "document_prefix": DOCUMENT_PREFIXES.get("toy"),
    "model": type(model).__name__,
    "colour": model.result.colour,
    "refused_at": refused,
    "written": [[writer, type(doc).__name__] for writer, doc in toy_writer.WRITTEN],
    "handler": HANDLERS_MAPPING["toy"].__name__,
    "synced_by": KINDS_BY_PREFIX["toy"].synced_by,
    "methods": {
        name: [getattr(GraphDatabase, name).__module__, str(inspect.signature(getattr(GraphDatabase, name)))]
        for name in ("sync_toy_result", "toy_document_id_exists")
    },
}))
"""


def test_a_toy_kind_needs_a_schema_a_declaration_and_a_writer(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema)
    (schema / "documents" / "toy.json").write_text(json.dumps(_TOY_SCHEMA), encoding="utf-8")
    with (schema / "documents" / "kinds.yaml").open("a", encoding="utf-8") as declarations:
        declarations.write(_TOY_DECLARATION)
    files = generate(schema, tmp_path)
    for path, text in files.items():
        if path.startswith("generated/"):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
    (tmp_path / "toy_writer.py").write_text(_TOY_WRITER, encoding="utf-8")
    assert '"toy"' in files["generated/kinds.py"]
    assert 'Literal["toy"]' in files["generated/kinds.py"]

    environment = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    probe = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_PROBE)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen["prefixes"] == [*PREFIXES, "toy"]
    assert seen["document_prefix"] == "toy"
    assert (seen["model"], seen["colour"]) == ("ToyDocument", "teal")
    assert seen["refused_at"] == "$.result.colour"
    assert seen["written"] == [["the writer", "ToyDocument"]]
    assert seen["handler"] == "sync_toy_documents"
    assert seen["synced_by"] == ["toy_run", "toy_document_id"]
    assert seen["methods"] == {
        "sync_toy_result": [
            "generated.graph_documents",
            "(self, document: 'Document | ToyDocument') -> 'WriteStats'",
        ],
        "toy_document_id_exists": ["generated.graph_documents", "(self, toy_document_id: 'str') -> 'bool'"],
    }


def test_every_part_of_the_runtime_reads_the_registry() -> None:
    assert tuple(HANDLERS_MAPPING) == PREFIXES
    assert {kind.prefix: kind.types[0] for kind in KINDS} == dict(DOCUMENT_PREFIXES)
    for kind in KINDS:
        assert HANDLERS_MAPPING[kind.prefix].__name__ == kind.handler
        assert getattr(GraphDatabase, kind.sync_method).__module__ == "generated.graph_documents"
        if kind.exists_method is not None:
            assert getattr(GraphDatabase, kind.exists_method).__module__ == "generated.graph_documents"
        for name in (kind.result_store, kind.cache_store):
            if name is not None:
                store = getattr(s3, name)
                assert store.DOCUMENT_TYPE == STORE_DOCUMENT_TYPES[name] == kind.types[0]
    assert {s3.AdvisersCacheStore, s3.AnalysesCacheStore, s3.ProvenanceCacheStore} <= {
        getattr(s3, kind.cache_store) for kind in KINDS if kind.cache_store is not None
    }
