"""The committed generated/documents/ files are exactly what render_documents() renders, every time."""

from __future__ import annotations

import json
import subprocess
import sys

from _documents_support import REPO, SCHEMA_DIR
from jsonschema import Draft202012Validator

from codegen.format import banner
from codegen.render_documents import render_documents


def test_generated_files_are_up_to_date_and_deterministic() -> None:
    first = render_documents(SCHEMA_DIR)
    second = render_documents(SCHEMA_DIR)
    assert first == second
    on_disk = {
        path.relative_to(REPO).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((REPO / "generated" / "documents").glob("*.py"))
    }
    assert sorted(on_disk) == sorted(first), "generated/documents/ has missing or stale files: run codegen"
    for path, text in first.items():
        assert on_disk[path] == text, f"{path} is stale: run codegen"


def test_every_file_starts_with_its_banner() -> None:
    for path, text in render_documents(SCHEMA_DIR).items():
        name = path.rsplit("/", 1)[-1].removesuffix(".py").replace("_", "-")
        source = "schema/documents/*.json" if name == "--init--" else f"schema/documents/{name}.json"
        assert text.startswith(banner(source)), path


def test_schemas_are_valid_draft_2020_12_with_titles() -> None:
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        assert schema["$id"].endswith(f"/schema/documents/{path.name}"), path.name
        assert schema["title"].isidentifier() and schema["description"], path.name
        text = path.read_text(encoding="utf-8")
        if path.stem not in ("metadata", "inspection-result", "inspection-specification"):
            assert '"metadata.json"' in text, f"{path.name} does not use the shared envelope"


def test_codegen_does_not_import_thoth_storages() -> None:
    code = (
        "import sys, codegen.render_documents;"
        "sys.exit(any(m == 'thoth_storages' or m.startswith('thoth_storages.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
