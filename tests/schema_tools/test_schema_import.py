"""`thoth-storages schema import`: schema YAML from a live database, round-tripping our own schema."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from schema_tools_support import execute, url_of

from codegen import ir
from codegen.load import load_schema
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import ConfigurationError
from thoth_storages.schema_import import SchemaImportError, import_schema, write_schema

ROOT = Path(__file__).resolve().parents[2]


def _database_facts(schema: ir.Schema) -> tuple[dict[str, object], dict[str, tuple[str, ...]]]:
    """What a database stores: everything but model names, groups, Python defaults and enum comments."""
    tables: dict[str, object] = {}
    for table in schema.tables:
        columns = tuple(replace(column, default=None, has_default=False) for column in table.columns)
        tables[table.name] = (
            columns,
            table.primary_key_name,
            table.primary_key_constraint,
            frozenset(table.unique_constraints),
            frozenset(table.indexes),
            table.comment,
        )
    return tables, {enum.name: enum.values for enum in schema.enums}


def test_importing_our_database_gives_back_our_schema(head_graph: GraphDatabase, tmp_path: Path) -> None:
    result = import_schema(url_of(head_graph.settings))
    target = write_schema(result, tmp_path / "imported")
    assert target == tmp_path / "imported" / "tables" / "imported.yaml"
    imported = load_schema(tmp_path / "imported")
    committed = load_schema(ROOT / "schema")

    imported_tables, imported_enums = _database_facts(imported)
    committed_tables, committed_enums = _database_facts(committed)
    assert imported_enums == committed_enums
    assert sorted(imported_tables) == sorted(committed_tables)
    different = [name for name in committed_tables if imported_tables[name] != committed_tables[name]]
    assert different == []
    assert len(result.tables) == 81 and len(result.enums) == 7
    # The 23 tables without a primary key are the only guess, and it is reported.
    assert result.warnings[0].startswith("23 table(s) have no primary key")


def test_output_is_deterministic_and_in_the_schema_style(head_graph: GraphDatabase) -> None:
    first = import_schema(url_of(head_graph.settings)).text
    assert import_schema(url_of(head_graph.settings)).text == first
    assert "  python_package_index:\n" in first
    assert "      url: {type: text, nullable: false, unique: true}\n" in first
    assert "      - {name: url_idx, columns: [url], unique: true}\n" in first
    assert "      id: {type: integer, primary_key: true}\n" in first
    assert "foreign_key_name: fk_license" in first


def test_tables_regex_takes_the_parents_along(head_graph: GraphDatabase, tmp_path: Path) -> None:
    result = import_schema(url_of(head_graph.settings), tables="python_package_version")
    assert result.tables == [
        "python_package_index",
        "python_package_license",
        "python_package_metadata",
        "python_package_version",
        "python_package_version_entity",
    ]
    assert result.warnings[0] == (
        "also imported, as foreign keys refer to them: python_package_index, python_package_license, "
        "python_package_metadata, python_package_version_entity"
    )
    write_schema(result, tmp_path)
    assert {table.name for table in load_schema(tmp_path).tables} == set(result.tables)


def test_unsupported_types_are_refused_naming_the_columns(empty_database: DatabaseSettings) -> None:
    execute(
        empty_database,
        "CREATE TABLE event (id serial PRIMARY KEY, payload jsonb, at timestamptz, name text)",
    )
    with pytest.raises(SchemaImportError) as error:
        import_schema(url_of(empty_database))
    message = str(error.value)
    assert "\n" not in message
    assert "event.payload JSONB" in message and "event.at TIMESTAMP WITH TIME ZONE" in message


def test_what_the_language_lacks_becomes_a_warning(empty_database: DatabaseSettings, tmp_path: Path) -> None:
    execute(
        empty_database,
        "CREATE TABLE item (id serial CONSTRAINT item_primary PRIMARY KEY, price integer CHECK (price > 0),"
        " label varchar(20) DEFAULT 'none', kind smallint NOT NULL, color varchar(9) CHECK (color IN ('red', 'blue')))",
        "CREATE INDEX item_lower_idx ON item (lower(label))",
        "CREATE INDEX item_cheap_idx ON item (price) WHERE price < 10",
    )
    result = import_schema(url_of(empty_database))
    assert result.warnings == [
        "table item: primary key is named item_primary; the schema language names it item_pkey",
        "index item.item_lower_idx: expression index left out",
        "table item: check constraint item_color_check left out",
        "table item: check constraint item_price_check left out",
    ]
    write_schema(result, tmp_path)
    table = load_schema(tmp_path).table("item")
    assert [(c.name, c.type, c.nullable, c.server_default) for c in table.columns] == [
        ("id", "integer", False, None),
        ("price", "integer", True, None),
        ("label", "varchar(20)", True, "'none'::character varying"),
        ("kind", "smallint", False, None),
        ("color", "varchar(9)", True, None),  # not a synthetic enum: the YAML keeps the database's type
    ]
    assert table.indexes == (ir.Index("item_cheap_idx", ("price",), where="price < 10"),)


def test_bad_arguments_are_one_line_errors(head_graph: GraphDatabase) -> None:
    with pytest.raises(ConfigurationError, match="is not a regular expression"):
        import_schema(url_of(head_graph.settings), tables="(")
    with pytest.raises(SchemaImportError, match=r"no table of .* matches --tables 'nothing_\.\*'"):
        import_schema(url_of(head_graph.settings), tables="nothing_.*")
    with pytest.raises(ConfigurationError, match="not a SQLAlchemy database URL"):
        import_schema("not a url")


def test_command_prints_or_writes(head_graph: GraphDatabase, tmp_path: Path) -> None:
    url = url_of(head_graph.settings)
    printed = CliRunner().invoke(cli, ["schema", "import", "--url", url, "--tables", "cve"])
    assert printed.exit_code == 0, printed.output
    assert "  cve:\n    comment:" in printed.stdout
    assert printed.stderr.strip().endswith("imported 1 tables and 0 enum types")

    written = CliRunner().invoke(cli, ["schema", "import", "--url", url, "--output", str(tmp_path / "out")])
    assert written.exit_code == 0, written.output
    assert f"into {tmp_path / 'out' / 'tables' / 'imported.yaml'}" in written.stdout
    assert len(load_schema(tmp_path / "out").tables) == 81
