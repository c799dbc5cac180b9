"""A database migrated to the head revision, shared by the tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings


@pytest.fixture
def graph(empty_database: DatabaseSettings) -> Iterator[GraphDatabase]:
    """A connected adapter on a fresh database at the head revision."""
    adapter = GraphDatabase(empty_database)
    adapter.connect()
    adapter.initialize_schema()
    yield adapter
    adapter.disconnect()
