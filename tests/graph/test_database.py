"""GraphDatabase lifecycle on a real PostgreSQL: create, migrate, compare, downgrade, drop, errors."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from generated.models import (
    ALL_MAIN_MODELS,
    ALL_PERFORMANCE_MODELS,
    ALL_RELATION_MODELS,
    MODEL_BY_NAME,
    PERFORMANCE_MODEL_BY_NAME,
    Base,
)
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import AlreadyConnectedError, NotConnectedError, StorageConnectionError
from thoth_storages.graph import migrate


def _enum_types(graph: GraphDatabase) -> set[str]:
    with graph.engine.connect() as connection:
        return set(connection.execute(text("SELECT typname FROM pg_type WHERE typtype = 'e'")).scalars())


def test_model_groupings_match_the_original() -> None:
    assert len(Base.metadata.tables) == 81
    assert (len(ALL_MAIN_MODELS), len(ALL_RELATION_MODELS), len(ALL_PERFORMANCE_MODELS)) == (35, 32, 4)
    assert set(PERFORMANCE_MODEL_BY_NAME) == {"PiConv1D", "PiConv2D", "PiMatmul", "PiPyBench"}
    assert MODEL_BY_NAME["PythonPackageVersionEntity"].__tablename__ == "python_package_version_entity"


def test_initialize_schema_creates_the_database_and_reaches_head(missing_database: DatabaseSettings) -> None:
    graph = GraphDatabase(missing_database)
    graph.connect()
    graph.initialize_schema()
    assert graph.is_schema_up2date()
    assert (
        graph.get_table_alembic_version_head()
        == graph.get_script_alembic_version_head()
        == migrate.script_head()
    )
    assert len(graph.table_names()) == 82  # 81 tables and alembic_version
    assert _enum_types(graph) == {
        "distutils_type",
        "environment_type",
        "inspection_sync_state",
        "recommendation_type",
        "requirements_format",
        "software_stack_type",
        "source_type",
    }
    graph.initialize_schema()  # a second run is a no-op
    assert graph.is_schema_up2date()
    graph.disconnect()


def test_migrated_database_has_no_drift_from_the_generated_metadata(graph: GraphDatabase) -> None:
    with graph.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_leaves_an_empty_database(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        migrate.downgrade(connection, "base")
    assert graph.table_names() == ["alembic_version"]
    assert _enum_types(graph) == set()


def test_drop_all_removes_tables_types_and_version(graph: GraphDatabase) -> None:
    graph.drop_all()
    assert graph.table_names() == []
    assert _enum_types(graph) == set()


def test_connect_twice_and_use_before_connect_are_errors(empty_database: DatabaseSettings) -> None:
    graph = GraphDatabase(empty_database)
    assert not graph.is_connected()
    with pytest.raises(NotConnectedError):
        graph.disconnect()
    graph.connect()
    assert graph.is_connected()
    with pytest.raises(AlreadyConnectedError):
        graph.connect()
    graph.disconnect()
    assert not graph.is_connected()


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"port": 1}, "KNOWLEDGE_GRAPH_HOST / KNOWLEDGE_GRAPH_PORT"),
        ({"host": "no-such-host.example.org"}, "KNOWLEDGE_GRAPH_HOST"),
        ({"user": "no_such_role"}, "KNOWLEDGE_GRAPH_USER"),
    ],
)
def test_wrong_connection_settings_name_the_setting(change: dict[str, object], setting: str) -> None:
    settings = replace(DatabaseSettings.from_env(), **change)  # type: ignore[arg-type]
    with pytest.raises(StorageConnectionError) as caught:
        GraphDatabase(settings).connect()
    message = str(caught.value)
    assert f"(check {setting};" in message
    assert "\n" not in message


@pytest.mark.parametrize("ssl_disabled", [False, True])
def test_settings_environment_reads_back(monkeypatch: pytest.MonkeyPatch, ssl_disabled: bool) -> None:
    settings = DatabaseSettings(
        "db.example.org",
        6543,
        "kg",
        "secret",
        "thoth",
        ssl_disabled,
        cache_sizes=(("THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE", 7),),
        log_stats=ssl_disabled,
        debug_queries=not ssl_disabled,
    )
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    assert DatabaseSettings.from_env() == settings


def test_missing_database_is_named_when_used(missing_database: DatabaseSettings) -> None:
    graph = GraphDatabase(missing_database)
    graph.connect()  # only a warning: initialize_schema() would create it
    with pytest.raises(StorageConnectionError, match=r"check KNOWLEDGE_GRAPH_DATABASE"):
        graph.table_names()
    graph.disconnect()


def test_debug_queries_logs_every_statement(
    empty_database: DatabaseSettings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("THOTH_STORAGES_DEBUG_QUERIES", "1")
    assert DatabaseSettings.from_env().debug_queries
    graph = GraphDatabase(replace(empty_database, debug_queries=True))
    graph.connect()
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        graph.table_names()
    graph.disconnect()
    assert any("pg_catalog" in record.getMessage() for record in caplog.records)


def test_has_symbol_and_partial_index_follow_the_migrated_database(graph: GraphDatabase) -> None:
    with graph.engine.connect() as connection:
        inspector = inspect(connection)
        indexes = {index["name"]: index for index in inspector.get_indexes("python_package_version_entity")}
    assert "python_package_version_entity_idx" in indexes


def test_adopt_on_our_own_database_changes_nothing(graph: GraphDatabase) -> None:
    from thoth_storages.graph.adopt import Outcome

    adoption = graph.adopt()
    assert adoption.outcome is Outcome.ALREADY_OURS
    assert graph.is_schema_up2date()
