"""The built wheel works outside the source tree: it carries the migrations, and a service that installs
it can create, migrate and check its database (GraphDatabase.connect() compares revisions)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import new_database

ROOT = Path(__file__).resolve().parents[1]

SERVICE = """
import sys
from pathlib import Path
import thoth.storages
import thoth_storages
from thoth.storages import GraphDatabase
from thoth.storages.graph.enums import PlatformEnum
from thoth.storages.graph.models_performance import ALL_PERFORMANCE_MODELS
from thoth_storages.graph.migrate import MIGRATIONS_DIR

installed = Path(sys.argv[1])
assert Path(thoth_storages.__file__).is_relative_to(installed), thoth_storages.__file__
assert Path(thoth.storages.__file__).is_relative_to(installed), thoth.storages.__file__
assert GraphDatabase is thoth_storages.GraphDatabase and len(ALL_PERFORMANCE_MODELS) == 4
assert PlatformEnum.LINUX_X86_64.value == "linux-x86_64"
assert MIGRATIONS_DIR.is_relative_to(installed) and not MIGRATIONS_DIR.is_symlink(), MIGRATIONS_DIR
graph = GraphDatabase()
graph.connect()
graph.initialize_schema()
print(graph.get_table_alembic_version_head(), graph.is_schema_up2date(), len(graph.table_names()))
"""


SOURCES = ("pyproject.toml", "README.md", "thoth_storages", "thoth", "generated", "codegen", "alembic")
"""What the wheel is built from, copied, so that no earlier build left in the source tree is reused."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("thoth_storages-*.whl")
    return built


def test_wheel_carries_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    versions = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))
    snapshots = sorted(p.name for p in (ROOT / "alembic" / "snapshots").glob("*.json"))
    assert "thoth_storages/migrations/env.py" in names
    assert {f"thoth_storages/migrations/versions/{name}" for name in versions} <= names
    assert {f"thoth_storages/migrations/snapshots/{name}" for name in snapshots} <= names
    assert "thoth_storages/py.typed" in names and "generated/py.typed" in names
    assert "thoth/storages/py.typed" in names and "thoth/storages/graph/enums.py" in names
    assert "thoth/__init__.py" not in names  # a PEP 420 namespace, shared with thoth-common and others


def test_installed_wheel_initializes_a_database(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    with new_database() as settings:
        env = {**os.environ, **settings.environment(), "PYTHONPATH": str(target)}
        done = subprocess.run(
            [sys.executable, "-c", SERVICE, str(target)],
            cwd=tmp_path,  # not the source tree
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    head = sorted((ROOT / "alembic" / "versions").glob("*.py"))[-1].name.split("_")[1]
    revision, up_to_date, tables = done.stdout.split()
    assert (revision, up_to_date) == (head, "True")
    assert int(tables) > 80
