"""Golden test of the document-kind renderer (schema/documents/kinds.yaml -> generated/kinds.py,
graph_documents.py, sync_handlers.py) and the errors of a broken declaration.

Set UPDATE_GOLDEN=1 to rewrite the expected files after an intended renderer change (then review the diff).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codegen.render_documents import DocumentSchemaError
from codegen.render_kinds import render_kinds

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "kinds"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_declared_kinds_render_the_expected_files() -> None:
    files = render_kinds(GOLDEN / "documents")
    expected_dir = GOLDEN / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, text in files.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_text(text, encoding="utf-8")
    expected = {
        file.relative_to(expected_dir).as_posix(): file.read_text(encoding="utf-8")
        for file in sorted(expected_dir.rglob("*.py"))
    }
    assert files == expected


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    documents = tmp_path / "documents"
    shutil.copytree(GOLDEN / "documents", documents)
    declarations = documents / "kinds.yaml"
    text = declarations.read_text(encoding="utf-8")
    assert old in text
    declarations.write_text(text.replace(old, new, 1), encoding="utf-8")
    return documents


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("types: [tally]", "types: [tallies]", r"kinds\.yaml:\d+: tally\.types\.0: no document schema"),
        ("  describes: tallies\n", "  describes: tallies\n  colour: blue\n", r"tally\.colour: unknown key"),
        ("  handler: sync_tally_documents\n", "", r"tally: 'handler' is required"),
        (
            "handler: sync_tally_documents",
            "handler: sync_note_documents",
            r"'sync_note_documents' is declared by 'note' already",
        ),
        ("  validate: from_mapping\n", "", r"a dotted `model` needs `validate`"),
        ("check: inspection_result", "check: magic", r"the only special check is `inspection_result`"),
        ("    column: note_document_id\n", "", r"note\.exists\.column: must be a non-empty string"),
    ],
)
def test_a_broken_declaration_is_refused_naming_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(DocumentSchemaError, match=message):
        render_kinds(_broken(tmp_path, old, new))
