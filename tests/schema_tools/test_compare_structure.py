"""thoth_storages.graph.compare: live databases against each other and against the generated metadata."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from schema_tools_support import execute, url_of

from codegen.load import pg_object_name
from generated.models import Base
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.compare import (
    compare,
    from_metadata,
    normalize_predicate,
    normalize_type,
    reflect,
    reflect_url,
)
from thoth_storages.graph.compare_cli import main


def test_database_at_head_matches_the_generated_metadata(head_graph: GraphDatabase) -> None:
    expected = from_metadata(Base.metadata)
    actual = reflect(head_graph.engine)
    assert len(expected.tables) == 81
    assert len(expected.enums) == 7
    assert sum(len(table.columns) for table in expected.tables.values()) == sum(
        len(table.columns) for table in Base.metadata.tables.values()
    )
    assert compare(expected, actual) == []


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
    )
    differences = compare(from_metadata(Base.metadata), reflect_url(url_of(head_database)))
    assert differences == [
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


def test_metadata_side_predicts_what_postgresql_creates(empty_database: DatabaseSettings) -> None:
    """Implicit names (truncated, numbered on clashes), serials, casts and predicates as PostgreSQL makes them."""
    metadata = sa.MetaData()
    sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    long_name = "a_table_with_a_name_long_enough_to_be_truncated_by_postgres"
    sa.Table(
        long_name,
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "parent_reference_number_and_then_a_long_suffix_one", sa.Integer, sa.ForeignKey("parent.id")
        ),
        sa.Column(
            "parent_reference_number_and_then_a_long_suffix_two",
            sa.Integer,
            sa.ForeignKey("parent.id", ondelete="cascade"),
        ),
        sa.Column("score", sa.Float, server_default=sa.text("0")),
        sa.Column("code", sa.String(8), server_default="x'y"),
        sa.Column("note", sa.Text, server_default="n"),
        sa.Column("seen", sa.DateTime, server_default=sa.text("now()")),
        sa.UniqueConstraint("score", "code"),
        sa.Index("partial_idx", "code", postgresql_where=sa.text("score > 0")),
    )
    engine = sa.create_engine(url_of(empty_database))
    try:
        metadata.create_all(engine)
        actual = reflect(engine)
    finally:
        engine.dispose()
    expected = from_metadata(metadata)
    assert compare(expected, actual) == []
    table = actual.tables[long_name]
    assert [fk.name for fk in table.foreign_keys if fk.name and fk.name.endswith("fkey1")], table.foreign_keys
    assert table.columns[0].default is not None and table.columns[0].default.startswith("nextval(")
    assert table.indexes[0].where == "score > 0"


def test_a_wrong_prediction_shows_as_a_difference() -> None:
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Text))
    expected = from_metadata(metadata)
    actual = from_metadata(metadata)
    actual.tables["t"].columns[1] = replace(actual.tables["t"].columns[1], type="VARCHAR(3)", nullable=False)
    assert compare(expected, actual) == [
        "column t.x: nullable: expected True, got False",
        "column t.x: type: expected TEXT, got VARCHAR(3)",
    ]


@pytest.mark.parametrize(
    ("spelling", "normal"),
    [
        ("FLOAT", "DOUBLE PRECISION"),
        ("FLOAT(24)", "REAL"),
        ("TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"),
        ("VARCHAR(256)", "VARCHAR(256)"),
        ("source_type", "source_type"),
    ],
)
def test_type_spellings_are_normalized(spelling: str, normal: str) -> None:
    assert normalize_type(spelling) == normal


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
