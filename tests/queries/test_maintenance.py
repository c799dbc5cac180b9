"""Bloat estimates and the amcheck corruption check on an empty database at the head revision, with a
probe table the tests fill, empty and drop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from generated.queries.maintenance import GetBloatDataRow, GetIndexBloatDataRow
from tests.conftest import admin
from thoth_storages import GraphDatabase
from thoth_storages.graph.maintenance import ExtensionUnavailableError


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


def _table(graph: GraphDatabase, name: str) -> GetBloatDataRow:
    (found,) = [record for record in graph.get_bloat_data() if record["tablename"] == name]
    return found


def _index(graph: GraphDatabase, name: str) -> GetIndexBloatDataRow:
    (found,) = [record for record in graph.get_index_bloat_data() if record["index_name"] == name]
    return found


def test_bloat_appears_when_most_rows_are_deleted(head_graph: GraphDatabase, probe: str) -> None:
    table = _table(head_graph, probe)
    index = _index(head_graph, f"{probe}_pkey")
    assert table["est_rows"] == 20000.0 and index["table_name"] == probe
    assert table["pct_bloat"] < 25  # freshly written: dense
    assert index["bloat_pct"] < 40
    with head_graph.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {probe} WHERE id % 10 <> 0"))
    _analyze(head_graph, probe)
    after = _table(head_graph, probe)
    assert after["table_bytes"] == table["table_bytes"]  # the pages stay until VACUUM FULL
    assert after["pct_bloat"] > 80 and after["est_rows"] == 2000.0
    assert after["mb_bloat"] == round((after["table_bytes"] - after["expected_bytes"]) / 1024**2, 2)
    assert _index(head_graph, f"{probe}_pkey")["bloat_pct"] > 70


def test_every_record_has_the_originals_keys_and_is_consistent(head_graph: GraphDatabase, probe: str) -> None:
    for table in head_graph.get_bloat_data():
        assert table["schemaname"] == "public" and table["databasename"] == head_graph.settings.database
        assert table["table_bytes"] >= 0 and table["expected_bytes"] >= 0
        assert table["mb_bloat"] == round(max(table["table_bytes"] - table["expected_bytes"], 0) / 1024**2, 2)
        assert 0.0 <= table["pct_bloat"] <= 100.0
    for index in head_graph.get_index_bloat_data():
        assert set(index) == set(GetIndexBloatDataRow.__annotations__)
        assert index["schema_name"] == "public" and 0.0 <= index["bloat_pct"] <= 100.0
        assert index["index_scans"] >= 0 and index["index_mb"] >= 0


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


def test_a_corrupt_index_is_reported(graph: GraphDatabase) -> None:
    """An index ordered by an operator class whose comparison function is then reversed: its pages are
    out of order for bt_index_check."""
    with graph.engine.begin() as connection:
        for statement in (
            "CREATE FUNCTION probe_cmp(a text, b text) RETURNS integer IMMUTABLE LANGUAGE sql "
            "AS $$ SELECT bttextcmp(a, b) $$",
            "CREATE OPERATOR CLASS probe_ops FOR TYPE text USING btree AS OPERATOR 1 <, OPERATOR 2 <=, "
            "OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 probe_cmp(text, text)",
            "CREATE TABLE corrupt_probe (name text)",
            "INSERT INTO corrupt_probe SELECT 'package-' || n FROM generate_series(1, 500) AS n",
            "CREATE INDEX corrupt_probe_idx ON corrupt_probe (name probe_ops)",
        ):
            connection.execute(text(statement))
    assert graph.is_database_corrupted() is False
    with graph.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION probe_cmp(a text, b text) RETURNS integer IMMUTABLE LANGUAGE sql "
                "AS $$ SELECT bttextcmp(b, a) $$"
            )
        )
    graph.disconnect()
    graph.connect()  # a new session: no cached comparison function
    assert graph.is_database_corrupted() is True
