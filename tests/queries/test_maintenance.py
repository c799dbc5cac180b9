"""Bloat estimates and the amcheck corruption check on an empty database at the head revision, with a
probe table the tests fill, empty and drop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

import pytest
from sqlalchemy import text

from tests.conftest import admin
from thoth_storages import GraphDatabase
from thoth_storages.graph.maintenance import BloatRecord, ExtensionUnavailableError


@pytest.fixture
def probe(head_graph: GraphDatabase) -> Iterator[str]:
    """20 000 rows of about 60 bytes in a table of its own, analysed."""
    name = f"bloat_probe_{uuid.uuid4().hex[:8]}"
    with head_graph.engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {name} (id integer PRIMARY KEY, payload text NOT NULL)"))
        connection.execute(
            text(f"INSERT INTO {name} SELECT n, repeat('x', 50) FROM generate_series(1, 20000) AS n")
        )
    _analyze(head_graph, name)
    yield name
    with head_graph.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {name}"))


def _analyze(graph: GraphDatabase, table: str) -> None:
    with graph.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"ANALYZE {table}"))


def _one(records: list[BloatRecord], key: Literal["table_name", "index_name"], value: str) -> BloatRecord:
    (found,) = [record for record in records if record[key] == value]
    return found


def test_bloat_appears_when_most_rows_are_deleted(head_graph: GraphDatabase, probe: str) -> None:
    table = _one(head_graph.get_bloat_data(), "table_name", probe)
    index = _one(head_graph.get_index_bloat_data(), "index_name", f"{probe}_pkey")
    assert table["index_name"] is None and table["table_name"] == probe
    assert isinstance(table["bloat_ratio"], float) and table["bloat_ratio"] < 0.25  # freshly written: dense
    assert isinstance(index["bloat_ratio"], float) and index["bloat_ratio"] < 0.4
    with head_graph.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {probe} WHERE id % 10 <> 0"))
    _analyze(head_graph, probe)
    after = _one(head_graph.get_bloat_data(), "table_name", probe)
    assert after["real_size"] == table["real_size"]  # the pages stay until VACUUM FULL
    assert isinstance(after["bloat_ratio"], float) and after["bloat_ratio"] > 0.8
    assert after["bloat_size"] == after["real_size"] - after["expected_size"]
    index_after = _one(head_graph.get_index_bloat_data(), "index_name", f"{probe}_pkey")
    assert isinstance(index_after["bloat_ratio"], float) and index_after["bloat_ratio"] > 0.7


def test_every_record_is_consistent(head_graph: GraphDatabase, probe: str) -> None:
    for record in [*head_graph.get_bloat_data(), *head_graph.get_index_bloat_data()]:
        assert record["schema_name"] == "public"
        assert record["real_size"] >= 0 and record["expected_size"] >= 0
        assert record["bloat_size"] == max(record["real_size"] - record["expected_size"], 0)
        assert 0.0 <= record["bloat_ratio"] <= 1.0


def test_amcheck_unavailable_without_the_privilege(head_graph: GraphDatabase) -> None:
    role = f"thoth_test_{uuid.uuid4().hex[:8]}"
    admin(head_graph.settings, f"CREATE ROLE {role} LOGIN")
    with head_graph.engine.begin() as connection:
        connection.execute(text(f"GRANT SELECT ON alembic_version TO {role}"))
    graph = GraphDatabase(replace(head_graph.settings, user=role, password=""))
    try:
        graph.connect()
        with graph._connection() as connection:
            installed = connection.execute(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'")
            )
            if installed.scalar_one():
                pytest.skip("amcheck is already installed in this database")
        with pytest.raises(ExtensionUnavailableError, match="amcheck"):
            graph.is_database_corrupted()
    finally:
        if graph.is_connected():
            graph.disconnect()
        with head_graph.engine.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
        admin(head_graph.settings, f"DROP ROLE {role}")


def test_a_sound_database_is_not_corrupted(head_graph: GraphDatabase, probe: str) -> None:
    assert head_graph.is_database_corrupted() is False
    assert head_graph.is_database_corrupted() is False  # the extension is there now
