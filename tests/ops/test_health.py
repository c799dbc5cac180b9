"""`db health` on the real PostgreSQL: healthy, a deliberately broken index amcheck reports, a stale
schema, a long-running transaction, and a role that cannot create amcheck."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tests.conftest import admin
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.graph import migrate
from thoth_storages.graph.connection import make_engine
from thoth_storages.ops.health import health


def _health(monkeypatch: pytest.MonkeyPatch, graph: GraphDatabase, *arguments: str) -> tuple[int, str]:
    for name, value in graph.settings.environment().items():
        monkeypatch.setenv(name, value)
    done = CliRunner().invoke(cli, ["db", "health", *arguments])
    return done.exit_code, done.output


def test_a_synced_database_is_healthy(synced: GraphDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    status, output = _health(monkeypatch, synced)
    assert status == 0, output
    report = health(synced)
    assert report.problems == [] and report.revision == report.head
    assert report.indexes_checked > 100 and report.corrupt_indexes == {}
    assert f"{report.indexes_checked} btree indexes checked, 0 corrupt" in output
    assert f"schema revision {report.head}" in output and output.rstrip().endswith("healthy")


def test_an_index_whose_immutable_function_changed_is_reported_corrupt(
    graph: GraphDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with graph.engine.begin() as connection:
        for statement in (
            "CREATE FUNCTION ops_sort_key(value text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT value $$",
            "CREATE TABLE ops_probe (name text)",
            "INSERT INTO ops_probe SELECT 'package-' || n FROM generate_series(1, 500) AS n",
            "CREATE INDEX ops_probe_sort_key_idx ON ops_probe (ops_sort_key(name))",
            # The same IMMUTABLE function now orders the names the other way round: the index is stale.
            "CREATE OR REPLACE FUNCTION ops_sort_key(value text) RETURNS text IMMUTABLE LANGUAGE sql "
            "AS $$ SELECT reverse(value) $$",
        ):
            connection.execute(text(statement))
    report = health(graph)
    assert list(report.corrupt_indexes) == ["ops_probe_sort_key_idx"]
    assert "ops_probe" in report.corrupt_indexes["ops_probe_sort_key_idx"]
    status, output = _health(monkeypatch, graph)
    assert status == 1
    assert "unhealthy: index ops_probe_sort_key_idx is corrupt" in output and "1 corrupt" in output


def test_a_stale_schema_is_unhealthy(graph: GraphDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    with graph.engine.begin() as connection:
        migrate.downgrade(connection, "-1")
        previous = migrate.table_head(connection)
    status, output = _health(monkeypatch, graph)
    assert status == 1
    assert f"schema revision {previous} is not the library's head {migrate.script_head()}" in output


def test_long_running_transactions_are_reported(graph: GraphDatabase) -> None:
    engine = make_engine(graph.settings)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # a transaction begins, and stays open
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            time.sleep(1.2)
            report = health(graph, transaction_seconds=1.0)
            assert [item.pid for item in report.long_transactions] == [pid]
            assert report.long_transactions[0].seconds >= 1.0 and report.problems == []
            assert any(f"transaction of backend {pid} open for" in line for line in report.warnings)
    finally:
        engine.dispose()


def test_without_the_right_to_create_amcheck_there_is_a_note(graph: GraphDatabase) -> None:
    role = f"ops_reader_{uuid.uuid4().hex[:8]}"
    admin(graph.settings, f'CREATE ROLE "{role}" LOGIN')
    try:
        with graph.engine.begin() as connection:
            connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        reader = GraphDatabase(replace(graph.settings, user=role))
        reader.connect()
        try:
            report = health(reader)
        finally:
            reader.disconnect()
        assert report.amcheck_note is not None and "amcheck is not available" in report.amcheck_note
        assert report.indexes_checked == 0 and report.problems == []
    finally:
        with graph.engine.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
        admin(graph.settings, f'DROP ROLE IF EXISTS "{role}"')
