"""The template and scratch databases of tests/conftest.py: a clone whose template went missing builds it
again, and a killed session's databases are dropped by the next one while a live session's are kept."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text

from tests.conftest import _build_template, admin, drop_leftovers, new_database, scratch_name
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine

ROOT = Path(__file__).resolve().parents[1]

KILLED_SESSION = """
import os, signal
from tests.conftest import new_database
with new_database() as settings:
    print(settings.database, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _exists(settings: DatabaseSettings, name: str) -> bool:
    engine = make_engine(settings, "postgres")
    try:
        with engine.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :n")
            return connection.execute(query, {"n": name}).first() is not None
    finally:
        engine.dispose()


def test_a_template_dropped_by_another_run_is_built_again_for_the_next_clone() -> None:
    settings = DatabaseSettings.from_env()
    name = _build_template(scratch_name("thoth_template_rebuilt"), lambda graph: None)
    try:
        admin(settings, f'DROP DATABASE "{name}"')  # as another checkout's session start may
        with new_database(name) as clone:
            engine = make_engine(clone)
            try:
                assert "alembic_version" in inspect(engine).get_table_names()
            finally:
                engine.dispose()
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{name}"')


def test_a_killed_sessions_database_is_dropped_and_a_live_ones_kept() -> None:
    settings = DatabaseSettings.from_env()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_SESSION], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = killed.stdout.strip()
    try:
        assert _exists(settings, left)
        with new_database() as live:
            drop_leftovers()
            assert _exists(settings, live.database)
        assert not _exists(settings, left)
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{left}"')
