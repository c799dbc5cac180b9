"""Golden tests of the query renderer: a small schema + queries -> the expected files; broken query
declarations -> the expected error text. UPDATE_GOLDEN=1 rewrites the expected files (review the diff)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codegen.load import SchemaLoadError, load_schema
from codegen.queries_load import load_queries
from codegen.render_queries import render_queries
from codegen.render_query_sql import statements

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "queries"
SCHEMA = GOLDEN / "basic" / "schema"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_basic_queries_render_the_expected_files() -> None:
    files = render_queries(load_schema(SCHEMA), SCHEMA / "queries")
    expected_dir = GOLDEN / "basic" / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, text in files.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_text(text, encoding="utf-8")
    expected = {
        file.relative_to(expected_dir).as_posix(): file.read_text(encoding="utf-8")
        for file in sorted([*expected_dir.rglob("*.py"), *expected_dir.rglob("*.md")])
    }
    assert files == expected
    assert files == render_queries(load_schema(SCHEMA), SCHEMA / "queries")  # deterministic


def test_basic_queries_render_the_expected_sql() -> None:
    """Every SQL text each function can send (one per combination of its flags), as the SQL renderer gives it."""
    rendered = "".join(
        f"-- {query.name}\n" + "".join(f"{sql};\n" for sql in statements(query)) + "\n"
        for query in load_queries(SCHEMA / "queries", load_schema(SCHEMA))
    )
    expected_file = GOLDEN / "basic" / "expected" / "statements.sql"
    if UPDATE:
        expected_file.write_text(rendered, encoding="utf-8")
    assert rendered == expected_file.read_text(encoding="utf-8")


def test_no_queries_no_files(tmp_path: Path) -> None:
    assert render_queries(load_schema(SCHEMA), tmp_path / "queries") == {}


@pytest.mark.parametrize("case", sorted(path.name for path in (GOLDEN / "errors").iterdir() if path.is_dir()))
def test_broken_queries_give_the_expected_errors(case: str) -> None:
    with pytest.raises(SchemaLoadError) as raised:
        render_queries(load_schema(SCHEMA), GOLDEN / "errors" / case / "queries")
    message = str(raised.value)
    expected_file = GOLDEN / "errors" / f"{case}.txt"
    if UPDATE:
        expected_file.write_text(message + "\n", encoding="utf-8")
    assert message + "\n" == expected_file.read_text(encoding="utf-8")
