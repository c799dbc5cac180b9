"""Fixtures of the schema-tool tests: databases at the head revision that a test may alter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.conftest import admin
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings


@pytest.fixture(scope="session")
def head_template() -> Iterator[DatabaseSettings]:
    """A database migrated to the head revision once, copied by `head_database` (nobody connects to it)."""
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_test_tpl_{uuid.uuid4().hex[:10]}")
    graph = GraphDatabase(settings)
    graph.connect()
    try:
        graph.initialize_schema()
    finally:
        graph.disconnect()
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture
def head_database(head_template: DatabaseSettings) -> Iterator[DatabaseSettings]:
    """A fresh database at the head revision (a copy of the template), for a test that changes it."""
    settings = replace(head_template, database=f"thoth_test_{uuid.uuid4().hex[:10]}")
    admin(settings, f'CREATE DATABASE "{settings.database}" TEMPLATE "{head_template.database}"')
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')
