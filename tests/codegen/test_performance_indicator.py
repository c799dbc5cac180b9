"""Docs claim (docs/schema-tools.md, "Creating own performance indicators"): a new indicator is one YAML file.

The file uses the `performance_indicator` mix-in; codegen adds the model, registers it in
PERFORMANCE_MODEL_BY_NAME and writes a revision that creates the table, which migrates a real database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from codegen.api import generate, write
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine

ROOT = Path(__file__).resolve().parents[2]

PI_EXAMPLE = """\
tables:
  pi_example:
    model: PiExample
    group: performance
    comment: "Performance indicator: an example benchmark of an inspection."
    mixins: [performance_indicator]
    columns:
      id: {type: integer, primary_key: true}
      inspection_run_id: {type: integer, nullable: false, references: inspection_run.id}
      device: {type: varchar(256), nullable: false}
      elapsed: {type: float, nullable: false}
      rate: {type: float, nullable: false}
"""


def test_one_yaml_file_adds_model_registration_and_revision(
    tmp_path: Path, empty_database: DatabaseSettings
) -> None:
    shutil.copytree(ROOT / "schema" / "tables", tmp_path / "schema" / "tables")
    shutil.copytree(ROOT / "alembic" / "snapshots", tmp_path / "alembic" / "snapshots")
    shutil.copy(ROOT / "alembic" / "env.py", tmp_path / "alembic" / "env.py")
    shutil.copy(ROOT / "alembic.ini", tmp_path / "alembic.ini")
    (tmp_path / "schema" / "tables" / "pi_example.yaml").write_text(PI_EXAMPLE, encoding="utf-8")

    files = generate(tmp_path / "schema", tmp_path, message="add pi_example")

    models = files["generated/models.py"]
    registry = models.split("PERFORMANCE_MODEL_BY_NAME: dict[str, type[Base]] = {", 1)[1].split("}", 1)[0]
    assert '"PiExample": PiExample,' in registry
    assert '"PiMatmul": PiMatmul,' in registry
    assert "class PiExample(Base):" in models
    number = len(list((ROOT / "alembic" / "snapshots").glob("*.json"))) + 1
    pattern = rf"alembic/versions/{number:04d}_[0-9a-f]{{12}}_add_pi_example\.py"
    new_revisions = [path for path in files if re.fullmatch(pattern, path)]
    assert len(new_revisions) == 1
    revision = files[new_revisions[0]]
    assert re.search(r'op\.create_table\(\s*"pi_example"', revision)
    assert '"ru_utime"' in revision and '"inspection_run_id"' in revision

    write(files, tmp_path)
    env = {**os.environ, **empty_database.environment(), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(tmp_path / "alembic.ini"), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "add pi_example" in done.stderr
    engine = make_engine(empty_database)
    try:
        columns = [column["name"] for column in inspect(engine).get_columns("pi_example")]
    finally:
        engine.dispose()
    # The mix-in's 21 columns come first, as in the original's pi_* tables.
    assert columns[:3] == ["component", "origin", "version"]
    assert columns[21:] == ["id", "inspection_run_id", "device", "elapsed", "rate"]
