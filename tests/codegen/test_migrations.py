"""Schema evolution end to end: edit YAML, run codegen, upgrade and downgrade a real PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from codegen.api import generate, write
from codegen.migration_diff import DestructiveChangeError
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "tests" / "golden" / "basic" / "schema"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project: the basic schema, the project's alembic env, and its generated files."""
    shutil.copytree(BASIC, tmp_path / "schema")
    (tmp_path / "alembic").mkdir()
    shutil.copy(ROOT / "alembic" / "env.py", tmp_path / "alembic" / "env.py")
    shutil.copy(ROOT / "alembic.ini", tmp_path / "alembic.ini")
    write(generate(tmp_path / "schema"), tmp_path)
    return tmp_path


def alembic(project: Path, settings: DatabaseSettings, *args: str) -> str:
    """Run Alembic in the scratch project (its own `generated` package comes first on the path)."""
    env = {**os.environ, **settings.environment(), "PYTHONPATH": str(project)}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(project / "alembic.ini"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def snapshot(settings: DatabaseSettings) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Tables with their columns, and enum types with their labels."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}
            rows = connection.execute(
                text(
                    "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
                    "ORDER BY t.typname, e.enumsortorder"
                )
            )
            enums: dict[str, list[str]] = {}
            for name, label in rows:
                enums.setdefault(name, []).append(label)
            return tables, enums
    finally:
        engine.dispose()


def edit(project: Path, old: str, new: str) -> None:
    yaml_file = project / "schema" / "tables" / "core.yaml"
    source = yaml_file.read_text()
    assert old in source
    yaml_file.write_text(source.replace(old, new))


def test_upgrade_check_and_downgrade_through_a_schema_change(
    project: Path, empty_database: DatabaseSettings
) -> None:
    alembic(project, empty_database, "upgrade", "head")
    tables, enums = snapshot(empty_database)
    assert set(tables) == {
        "alembic_version",
        "depends_on",
        "benchmark_run",
        "has_artifact",
        "python_package_index",
        "python_package_version_entity",
    }
    assert enums == {"environment_type": ["RUNTIME", "BUILDTIME"]}
    assert "No new upgrade operations detected" in alembic(project, empty_database, "check")

    edit(
        project,
        "      size: {type: bigint}\n",
        "      size: {type: bigint}\n      checksum: {type: text, index: true}\n",
    )
    edit(project, "values: [RUNTIME, BUILDTIME]", "values: [RUNTIME, BUILDTIME, TESTTIME]")
    changed = write(generate(project / "schema", message="add checksum"), project)
    assert any(path.startswith("alembic/versions/0002_") for path in changed)
    assert "generated/models.py" in changed
    assert "checksum: Mapped[str | None]" in (project / "generated" / "models.py").read_text()

    alembic(project, empty_database, "upgrade", "head")
    tables, enums = snapshot(empty_database)
    assert "checksum" in tables["has_artifact"]
    assert enums["environment_type"] == ["RUNTIME", "BUILDTIME", "TESTTIME"]
    assert "No new upgrade operations detected" in alembic(project, empty_database, "check")

    alembic(project, empty_database, "downgrade", "-1")
    tables, enums = snapshot(empty_database)
    assert "checksum" not in tables["has_artifact"]
    assert enums["environment_type"] == ["RUNTIME", "BUILDTIME"]

    alembic(project, empty_database, "downgrade", "base")
    tables, enums = snapshot(empty_database)
    assert set(tables) == {"alembic_version"}
    assert enums == {}


def test_destructive_change_is_refused_without_intent(project: Path) -> None:
    edit(project, "      size: {type: bigint}\n", "")
    with pytest.raises(DestructiveChangeError, match=r"has_artifact\.size is dropped"):
        generate(project / "schema")
    edit(project, "      note: {type: text, comment: Free text.}\n", "      note: {type: varchar(20)}\n")
    with pytest.raises(DestructiveChangeError, match=r"benchmark_run\.note: text -> varchar\(20\) narrows"):
        generate(project / "schema")
    (project / "schema" / "tables" / "intent.yaml").write_text(
        "destructive:\n  - drop_column: has_artifact.size\n  - narrow_type: benchmark_run.note\n"
    )
    files = generate(project / "schema", message="drop size")
    revision = next(text for path, text in files.items() if path.startswith("alembic/versions/0002_"))
    assert 'op.drop_column("has_artifact", "size")' in revision
    assert 'sa.Column("size", sa.BigInteger(), nullable=True)' in revision


def test_codegen_check_catches_a_hand_edit(project: Path) -> None:
    models = project / "generated" / "models.py"
    models.write_text(models.read_text().replace("note: Mapped[str | None]", "note: Mapped[str]"))
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "--check", "--schema", str(project / "schema")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert "--- a/generated/models.py" in done.stdout
    assert "\n-    note: Mapped[str] = mapped_column(" in done.stdout
    assert "\n+    note: Mapped[str | None] = mapped_column(" in done.stdout
    assert "stale or hand-edited" in done.stderr
