"""`thoth-storages db adopt` without the original library: refusals, and a database that looks like one it built.

A database at our baseline revision with its version row set to the original's head is structurally
what the original builds (tests/compat/test_original.py checks that with the real 0.74.2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from schema_tools_support import execute, scalar

from codegen import ir
from codegen.load import load_schema
from generated.models import Base
from thoth_storages.cli import cli
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph import migrate
from thoth_storages.graph.adopt import (
    ORIGINAL_HEAD,
    baseline_revision,
    baseline_schema,
    head_schema,
    our_revisions,
)
from thoth_storages.graph.connection import make_engine

ROOT = Path(__file__).resolve().parents[2]


def _version(settings: DatabaseSettings) -> object:
    return scalar(settings, "SELECT string_agg(version_num, ',') FROM alembic_version")


@pytest.fixture
def original_like(head_database: DatabaseSettings) -> Iterator[DatabaseSettings]:
    """A database at our baseline revision (the head template's clone downgraded) whose version row
    names the original's head."""
    engine = make_engine(head_database)
    try:
        with engine.begin() as connection:
            migrate.downgrade(connection, baseline_revision())
    finally:
        engine.dispose()
    execute(head_database, f"UPDATE alembic_version SET version_num = '{ORIGINAL_HEAD}'")
    yield head_database


def test_the_head_snapshot_is_the_schema_and_the_baseline_its_first_revision() -> None:
    schema = load_schema(ROOT / "schema")
    assert head_schema() == ir.Schema(enums=schema.enums, tables=schema.tables)
    assert len(head_schema().tables) == len(Base.metadata.tables)
    if len(our_revisions()) == 1:  # while the baseline is the head, its snapshot is the models
        assert baseline_schema() == head_schema()
    assert baseline_revision() == our_revisions()[0]


def test_original_head_without_drift_is_stamped_with_our_baseline(original_like: DatabaseSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "adopt"], env=original_like.environment())
    assert result.exit_code == 0, result.output
    assert f"alembic_version {ORIGINAL_HEAD} -> {baseline_revision()}" in result.output
    later = len(our_revisions()) - 1
    if later:
        assert f"run `thoth-storages db init` to apply {later} later revision(s)" in result.output
    assert _version(original_like) == baseline_revision()

    again = CliRunner().invoke(cli, ["db", "adopt"], env=original_like.environment())
    assert again.exit_code == 0
    assert again.output.startswith("nothing to do:")

    assert CliRunner().invoke(cli, ["db", "init"], env=original_like.environment()).exit_code == 0
    check = CliRunner().invoke(cli, ["db", "check"], env=original_like.environment())
    assert check.exit_code == 0 and check.output.startswith("no drift:"), check.output


def test_drift_is_refused_listing_it_and_changes_nothing(original_like: DatabaseSettings) -> None:
    head_database = original_like
    execute(
        head_database,
        "ALTER TABLE cve ADD COLUMN note text",
        "ALTER TABLE python_package_index DROP COLUMN enabled",
    )
    result = CliRunner().invoke(cli, ["db", "adopt"], env=head_database.environment())
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("error: not adopted: ") and "in 2 place(s); nothing was changed" in lines[0]
    assert lines[1:] == [
        "  column cve.note: unexpected (TEXT)",
        "  column python_package_index.enabled: missing (expected BOOLEAN)",
    ]
    assert _version(head_database) == ORIGINAL_HEAD
    assert (
        scalar(head_database, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")
        == 1
    )


def test_other_revisions_are_refused(head_database: DatabaseSettings) -> None:
    execute(head_database, "UPDATE alembic_version SET version_num = '0ea53ec16d6b'")
    result = CliRunner().invoke(cli, ["db", "adopt"], env=head_database.environment())
    assert result.exit_code == 1
    assert (
        f"is at 0ea53ec16d6b, not at the head revision {ORIGINAL_HEAD} of thoth-storages 0.74"
        in result.output
    )
    assert _version(head_database) == "0ea53ec16d6b"


def test_a_database_without_alembic_version_is_refused(empty_database: DatabaseSettings) -> None:
    result = CliRunner().invoke(cli, ["db", "adopt"], env=empty_database.environment())
    assert result.exit_code == 1
    assert "has no alembic_version table" in result.output
    assert len(result.output.strip().splitlines()) == 1
