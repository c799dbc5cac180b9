"""A database filled by syncing the real documents, shared by the query tests (read-only use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import connected, filled_template, real_documents
from thoth_storages import GraphDatabase

__all__ = ["filled_graph", "real_documents"]


@pytest.fixture(scope="session")
def filled_graph() -> Iterator[GraphDatabase]:
    """A connected adapter on a clone of the template holding every real document."""
    with connected(filled_template()) as graph:
        yield graph
