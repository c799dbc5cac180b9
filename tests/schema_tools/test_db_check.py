"""`thoth-storages db check`: the configured database against the generated models."""

from __future__ import annotations

from click.testing import CliRunner
from schema_tools_support import execute

from thoth_storages.cli import cli
from thoth_storages.config import DatabaseSettings


def test_no_drift_is_one_line_and_exit_0(head_database: DatabaseSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "check"], env=head_database.environment())
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"no drift: postgresql://{head_database.user}@{head_database.host}:{head_database.port}/"
        f"{head_database.database} matches the generated models (81 tables, 7 enum types)"
    ]


def test_drift_lists_each_difference_and_exits_1(head_database: DatabaseSettings) -> None:
    execute(
        head_database,
        "ALTER TABLE python_package_index ADD COLUMN mirror_of text",
        "ALTER TABLE cve DROP COLUMN link",
    )
    result = CliRunner().invoke(cli, ["db", "check"], env=head_database.environment())
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("drift: postgresql://") and head_database.database in lines[0]
    assert lines[1:3] == [
        "  column cve.link: missing (expected TEXT)",
        "  column python_package_index.mirror_of: unexpected (TEXT)",
    ]
    assert lines[3].startswith("2 difference(s); the database is at our head revision ")
    assert lines[3].endswith("so it was changed outside thoth-storages")


def test_empty_database_is_drift_too(empty_database: DatabaseSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "check"], env=empty_database.environment())
    assert result.exit_code == 1
    assert "  table python_package_index: missing" in result.output.splitlines()
    assert result.output.splitlines()[-1].endswith(
        "difference(s); the database has no alembic_version table: it was not built by thoth-storages"
    )


def test_missing_database_is_one_error_line(missing_database: DatabaseSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "check"], env=missing_database.environment())
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "the database does not exist (check KNOWLEDGE_GRAPH_DATABASE" in result.output
