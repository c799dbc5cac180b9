"""Shared fixtures: throwaway databases on the real PostgreSQL named by KNOWLEDGE_GRAPH_* (see `make test`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import text

from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine


def admin(settings: DatabaseSettings, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE ...) on the server's maintenance database."""
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def new_database() -> Iterator[DatabaseSettings]:
    """Settings of a new, empty database, dropped afterwards."""
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_test_{uuid.uuid4().hex[:10]}")
    admin(settings, f'CREATE DATABASE "{settings.database}"')
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture
def empty_database() -> Iterator[DatabaseSettings]:
    """Settings of a new, empty database, dropped after the test."""
    with new_database() as settings:
        yield settings


@pytest.fixture(scope="module")
def head_graph() -> Iterator[GraphDatabase]:
    """A connected adapter on a module-wide database at the head revision."""
    with new_database() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        graph.initialize_schema()
        yield graph
        graph.disconnect()


@pytest.fixture
def missing_database() -> Iterator[DatabaseSettings]:
    """Settings naming a database that does not exist (dropped after the test if something created it)."""
    settings = replace(DatabaseSettings.from_env(), database=f"thoth_test_{uuid.uuid4().hex[:10]}")
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture
def graph(empty_database: DatabaseSettings) -> Iterator[GraphDatabase]:
    """A connected adapter on a fresh database at the head revision."""
    adapter = GraphDatabase(empty_database)
    adapter.connect()
    adapter.initialize_schema()
    yield adapter
    adapter.disconnect()
