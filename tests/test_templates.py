"""The template databases of tests/conftest.py: a clone whose template went missing builds it again."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect

from tests.conftest import _build_template, admin, new_database
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine


def test_a_template_dropped_by_another_run_is_built_again_for_the_next_clone() -> None:
    settings = DatabaseSettings.from_env()
    name = _build_template(f"thoth_template_rebuilt_{uuid.uuid4().hex[:10]}", lambda graph: None)
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
