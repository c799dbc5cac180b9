"""A database filled by syncing the real documents, shared by the query tests (read-only use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import new_database
from tests.documents._documents_support import DATA_DIR
from thoth_storages import GraphDatabase
from thoth_storages.cli_sync import expand_local
from thoth_storages.sync import sync_documents


def real_documents() -> list[str]:
    """Every syncable real document (the raw/ inputs are not sync documents)."""
    return [path for path in expand_local((DATA_DIR,)) if "/raw/" not in path]


@pytest.fixture(scope="session")
def filled_graph() -> Iterator[GraphDatabase]:
    """A connected adapter on a database holding every real document."""
    with new_database() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        graph.initialize_schema()
        sync_documents(real_documents(), graceful=True, graph=graph, is_local=True)
        yield graph
        graph.disconnect()
