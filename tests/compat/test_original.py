"""Against the real thoth-storages 0.74.2: our database matches the one it builds, and `db adopt` takes one over.

scripts/compat-original.sh installs the original into .thoth-storages/original-venv (once, ~45 s; later
runs reuse it) and builds a database with its own initialize_schema(). The tests are skipped only when
the original cannot be installed (no network, package index unreachable).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from codegen import ir
from codegen.load import load_schema
from codegen.revisions import SNAPSHOTS, read_history
from tests.conftest import admin, scratch_name
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.adopt import ORIGINAL_HEAD, baseline_revision, our_revisions
from thoth_storages.graph.connection import make_engine
from thoth_storages.schema_import import import_schema, write_schema

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "compat-original.sh"
INSTALL_FAILED = 3  # the script's exit status when pip cannot install the original


def _env(settings: DatabaseSettings) -> dict[str, str]:
    return {**os.environ, **settings.environment()}


def _query(settings: DatabaseSettings, query: str) -> object:
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class CompatRun:
    """One run of scripts/compat-original.sh and the database the original built."""

    returncode: int
    stdout: str
    stderr: str
    original: DatabaseSettings


@pytest.fixture(scope="module")
def compat_run(head_graph: GraphDatabase) -> Iterator[CompatRun]:
    """Build a database with the original and compare our head database with it."""
    original = replace(head_graph.settings, database=scratch_name("thoth_test_original"))
    ours = head_graph.settings.url().render_as_string(hide_password=False)
    try:
        done = subprocess.run(
            [str(SCRIPT), "--original-db", original.database, "--quiet", ours],
            env=_env(original),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode == INSTALL_FAILED:
            pytest.skip(
                f"thoth-storages 0.74.2 cannot be installed here: {done.stderr.strip().splitlines()[-1]}"
            )
        yield CompatRun(done.returncode, done.stdout, done.stderr, original)
    finally:
        admin(original, f'DROP DATABASE IF EXISTS "{original.database}" WITH (FORCE)')


@pytest.fixture
def original_copy(compat_run: CompatRun) -> Iterator[DatabaseSettings]:
    """A copy of the database the original built, for a test that changes it."""
    if compat_run.returncode not in (0, 1):
        pytest.fail(f"compat-original.sh failed ({compat_run.returncode}): {compat_run.stderr}")
    copy = replace(compat_run.original, database=scratch_name("thoth_test_adopt"))
    admin(copy, f'CREATE DATABASE "{copy.database}" TEMPLATE "{compat_run.original.database}"')
    try:
        yield copy
    finally:
        admin(copy, f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)')


def test_our_database_matches_the_originals_with_no_undocumented_difference(compat_run: CompatRun) -> None:
    assert compat_run.returncode == 0, compat_run.stdout + compat_run.stderr
    assert (
        compat_run.stdout == ""
    )  # --quiet: only differences outside schema/compat-allowlist.txt are printed
    assert "81 tables compared: 0 difference(s) not allowed" in compat_run.stderr


def _alembic_upgrade(settings: DatabaseSettings) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_adopted_original_gets_exactly_our_later_revisions(original_copy: DatabaseSettings) -> None:
    assert _query(original_copy, "SELECT version_num FROM alembic_version") == ORIGINAL_HEAD
    result = CliRunner().invoke(cli, ["db", "adopt"], env=_env(original_copy))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"adopted postgresql://{original_copy.user}@")
    assert _query(original_copy, "SELECT version_num FROM alembic_version") == baseline_revision()

    # The baseline is not applied again: only the revisions after it run (none while it is the head).
    later = our_revisions()[1:]
    applied = re.findall(r"Running upgrade ([0-9a-f]*) -> ([0-9a-f]+)", _alembic_upgrade(original_copy))
    assert [revision for _parent, revision in applied] == later
    assert "Running upgrade" not in _alembic_upgrade(original_copy)  # a second upgrade is a no-op

    graph = GraphDatabase(original_copy)
    graph.connect()
    try:
        assert graph.is_schema_up2date()
    finally:
        graph.disconnect()
    check = CliRunner().invoke(cli, ["db", "check"], env=_env(original_copy))
    assert check.exit_code == 0 and check.output.startswith("no drift:"), check.output


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        (
            "ALTER TABLE python_package_index ADD COLUMN mirror_of text",
            "column python_package_index.mirror_of: unexpected (TEXT)",
        ),
        ("ALTER TABLE cve DROP COLUMN link", "column cve.link: missing (expected TEXT)"),
    ],
)
def test_drifted_original_is_refused_and_untouched(
    original_copy: DatabaseSettings, change: str, difference: str
) -> None:
    engine = make_engine(original_copy)
    try:
        with engine.begin() as connection:
            connection.execute(text(change))
    finally:
        engine.dispose()
    result = CliRunner().invoke(cli, ["db", "adopt"], env=_env(original_copy))
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [f"  {difference}"]
    assert _query(original_copy, "SELECT version_num FROM alembic_version") == ORIGINAL_HEAD
    column = difference.split(" ")[1].rstrip(":")
    table, name = column.split(".")
    present = _query(
        original_copy,
        f"SELECT count(*) FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{name}'",
    )
    assert present == (1 if "unexpected" in difference else 0)


def test_importing_the_originals_database_gives_our_baseline(compat_run: CompatRun, tmp_path: Path) -> None:
    """`schema import` bootstraps the YAML: the original's database reads back as our baseline revision."""
    if compat_run.returncode not in (0, 1):
        pytest.fail(f"compat-original.sh failed ({compat_run.returncode}): {compat_run.stderr}")
    result = import_schema(compat_run.original.url().render_as_string(hide_password=False))
    write_schema(result, tmp_path)
    imported = load_schema(tmp_path)
    baseline = read_history(ROOT / SNAPSHOTS)[0].schema

    def facts(schema: ir.Schema) -> tuple[dict[str, object], dict[str, tuple[str, ...]]]:
        tables: dict[str, object] = {
            table.name: (
                tuple(replace(c, default=None, has_default=False, comment=None) for c in table.columns),
                table.primary_key_constraint,
                frozenset(table.unique_constraints),
                frozenset(table.indexes),
            )
            for table in schema.tables
        }
        return tables, {enum.name: enum.values for enum in schema.enums}

    imported_tables, imported_enums = facts(imported)
    baseline_tables, baseline_enums = facts(baseline)
    assert imported_enums == baseline_enums
    assert sorted(imported_tables) == sorted(baseline_tables)
    assert [name for name in baseline_tables if imported_tables[name] != baseline_tables[name]] == []
