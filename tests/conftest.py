"""Shared fixtures: throwaway databases on the real PostgreSQL named by KNOWLEDGE_GRAPH_* (see `make test`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine


def _admin(settings: DatabaseSettings, statement: str) -> None:
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def empty_database() -> Iterator[DatabaseSettings]:
    """Settings of a new, empty database, dropped after the test."""
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_test_{uuid.uuid4().hex[:10]}")
    _admin(settings, f'CREATE DATABASE "{settings.database}"')
    try:
        yield settings
    finally:
        _admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture
def missing_database() -> Iterator[DatabaseSettings]:
    """Settings naming a database that does not exist (dropped after the test if something created it)."""
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_test_{uuid.uuid4().hex[:10]}")
    try:
        yield settings
    finally:
        _admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')
