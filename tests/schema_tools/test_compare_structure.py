"""Drift (codegen.drift over codegen.reflect): live databases against each other and against the head schema."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from schema_tools_support import execute, url_of

from codegen import ir
from codegen.drift import differences
from codegen.load import pg_object_name
from codegen.reflect import normalize_predicate, reflect
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.adopt import head_schema
from thoth_storages.graph.compare import reflect_url
from thoth_storages.graph.compare_cli import main


def test_database_at_head_matches_the_head_schema(head_graph: GraphDatabase) -> None:
    expected = head_schema()
    with head_graph.engine.connect() as connection:
        actual = reflect(connection)
    assert len(expected.tables) == len(actual.tables) == 81
    assert len(expected.enums) == len(actual.enums) == 7
    assert differences(expected, actual) == []


def test_every_kind_of_drift_is_one_line(head_database: DatabaseSettings) -> None:
    execute(
        head_database,
        "ALTER TABLE python_package_index ADD COLUMN mirror_of text",
        "ALTER TABLE cve DROP COLUMN link",
        "ALTER TABLE python_artifact ALTER COLUMN artifact_hash_sha256 DROP NOT NULL",
        "ALTER TABLE python_package_version ALTER COLUMN is_missing SET DEFAULT true",
        "DROP INDEX url_idx",
        "CREATE INDEX extra_idx ON cve (cve_id) WHERE details IS NOT NULL",
        "ALTER TABLE python_package_version DROP CONSTRAINT fk_license",
        "ALTER TYPE environment_type ADD VALUE 'TESTTIME'",
        "CREATE TABLE stray (id integer)",
        "ALTER TABLE cve ADD CONSTRAINT cve_id_set CHECK (cve_id <> '')",
        "ALTER TABLE cve ALTER COLUMN id DROP DEFAULT",
    )
    assert differences(head_schema(), reflect_url(url_of(head_database))) == [
        "check constraint cve.cve_id_set (cve_id <> ''::text): unexpected",
        "column cve.id: serial: expected True, got False",
        "column cve.link: missing (expected TEXT)",
        "column python_artifact.artifact_hash_sha256: nullable: expected False, got True",
        "column python_package_index.mirror_of: unexpected (TEXT)",
        "column python_package_version.is_missing: default: expected false, got true",
        "enum environment_type: expected (RUNTIME, BUILDTIME), got (RUNTIME, BUILDTIME, TESTTIME)",
        "foreign key python_package_version(package_license) -> python_package_license(id): missing (expected fk_license)",
        "index cve.extra_idx: unexpected (cve_id) where details IS NOT NULL",
        "index python_package_index.url_idx: missing (expected unique (url))",
        "table stray: unexpected",
    ]


def test_keys_and_constraints_that_change_are_one_line_each() -> None:
    """A change of a named object reads `expected X, got Y`; the model alone, no database needed."""
    fk = ir.ForeignKey("t_p_fkey", "p", "id")
    expected = ir.Schema(
        enums=(),
        tables=(
            ir.Table(
                name="t",
                model="T",
                group="main",
                columns=(
                    ir.Column("id", "integer", nullable=False, primary_key=True),
                    ir.Column("x", "text", nullable=True),
                    ir.Column("p", "integer", nullable=True, foreign_key=fk),
                ),
                primary_key_name="t_pkey",
                unique_constraints=(ir.UniqueConstraint("t_x_key", ("x",)),),
                indexes=(ir.Index("t_idx", ("x",)),),
            ),
        ),
    )
    table = expected.tables[0]
    actual = replace(
        expected,
        tables=(
            replace(
                table,
                columns=(
                    table.columns[0],
                    replace(table.columns[1], type="varchar(3)", nullable=False),
                    replace(table.columns[2], foreign_key=replace(fk, on_delete="CASCADE")),
                ),
                primary_key_name="t_key",
                unique_constraints=(ir.UniqueConstraint("t_x_key", ("x", "p")),),
                indexes=(ir.Index("t_idx", ("x",), unique=True, where="x IS NOT NULL"),),
            ),
        ),
    )
    assert differences(expected, actual) == [
        "column t.x: nullable: expected True, got False",
        "column t.x: type: expected TEXT, got VARCHAR(3)",
        "foreign key t(p) -> p(id): expected t_p_fkey, got t_p_fkey ON DELETE CASCADE",
        "index t.t_idx: expected (x), got unique (x) where x IS NOT NULL",
        "primary key t: expected t_pkey (id), got t_key (id)",
        "unique constraint t.t_x_key: expected (x), got (x, p)",
    ]
    assert differences(actual, actual) == []
    reordered = replace(table, columns=table.columns[::-1])
    assert differences(expected, replace(expected, tables=(reordered,))) == [
        "table t: column order: expected (id, x, p), got (p, x, id)"
    ]


def test_predicates_lose_only_balanced_outer_parentheses() -> None:
    assert normalize_predicate("((a IS NOT NULL))") == "a IS NOT NULL"
    assert normalize_predicate("(a > 0) AND (b > 0)") == "(a > 0) AND (b > 0)"
    assert normalize_predicate("(score > (0)::double precision)") == "score > 0"
    assert normalize_predicate("(a = 'it''s'::character varying)") == "a = 'it''s'"
    assert pg_object_name("t", "c", "key") == "t_c_key"


def test_command_line_reports_allows_and_fails(
    head_graph: GraphDatabase,
    head_database: DatabaseSettings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = head_graph.settings.url().render_as_string(hide_password=False)
    assert main([reference, url_of(head_database), "--quiet"]) == 0
    assert "81 tables compared: 0 difference(s) not allowed, 0 allowed" in capsys.readouterr().err

    execute(head_database, "ALTER TABLE cve ADD COLUMN note text", "ALTER TABLE cve ADD COLUMN other text")
    assert main([reference, url_of(head_database)]) == 1
    out = capsys.readouterr().out
    assert "column cve.note: unexpected (TEXT)" in out

    allowlist = tmp_path / "allow.txt"
    allowlist.write_text(
        "# comment\ncolumn cve.*: unexpected (TEXT)\ncolumn cve.gone: missing (expected TEXT)\n"
    )
    assert main([reference, url_of(head_database), "--allowlist", str(allowlist)]) == 0
    captured = capsys.readouterr()
    assert "allowed: column cve.note: unexpected (TEXT)" in captured.out
    assert "allow-list entry matched no difference: column cve.gone" in captured.err

    assert main(["postgresql+psycopg2://postgres@127.0.0.1:1/nothing", url_of(head_database)]) == 2
    assert capsys.readouterr().err.startswith("error: cannot reflect the database:")
