"""Typed rows at run time: a row that mypy would refuse (a required column left out, a misspelt column)
is refused by SetWriter naming the document, table and column, and nothing is written; ids come back
keyed by the table's generated natural-key type."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import text

from generated import rows
from thoth_storages import GraphDatabase
from thoth_storages.graph.bulk import SetWriter
from thoth_storages.graph.row_checks import MissingValueError, UnknownColumnError

INDEX: rows.PythonPackageIndexRow = {"url": "https://example.org/simple", "verify_ssl": True}


def _count(graph: GraphDatabase, table: str) -> int:
    with graph.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_ids_are_keyed_by_the_generated_natural_key(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        ids = SetWriter(connection).ensure(rows.PYTHON_PACKAGE_INDEX([INDEX]))
    (key,) = ids
    assert isinstance(key, rows.PythonPackageIndexKey)
    assert key.url == INDEX["url"]


def test_a_required_column_left_out_is_refused_naming_document_table_and_column(graph: GraphDatabase) -> None:
    untyped = cast(Any, {"url": INDEX["url"]})  # what a writer without row types could build
    entity = cast(Any, {"package_version": "1.0"})  # package_name is NOT NULL without a default
    with pytest.raises(MissingValueError) as caught, graph.engine.begin() as connection:
        writer = SetWriter(connection, document="adviser-0123")
        writer.ensure(rows.PYTHON_PACKAGE_INDEX([untyped]))
        writer.ensure(rows.PYTHON_PACKAGE_VERSION_ENTITY([entity]))
    assert str(caught.value) == (
        "adviser-0123: python_package_version_entity.package_name: missing; "
        "the column is NOT NULL without a default"
    )
    assert (caught.value.document, caught.value.table, caught.value.column) == (
        "adviser-0123",
        "python_package_version_entity",
        "package_name",
    )
    assert _count(graph, "python_package_index") == 0  # the transaction wrote nothing


def test_a_misspelt_column_is_refused_not_dropped(graph: GraphDatabase) -> None:
    misspelt = cast(Any, {**INDEX, "verify_sll": False})
    with (
        pytest.raises(
            UnknownColumnError, match=r"^solver-x: python_package_index\.verify_sll: the table has no"
        ),
        graph.engine.begin() as connection,
    ):
        SetWriter(connection, document="solver-x").ensure(rows.PYTHON_PACKAGE_INDEX([misspelt]))
    assert _count(graph, "python_package_index") == 0


def test_an_update_of_a_column_the_table_lacks_is_refused(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        writer = SetWriter(connection, document="kebechet")
        writer.ensure(rows.PYTHON_PACKAGE_INDEX([INDEX]))
        with pytest.raises(UnknownColumnError, match=r"python_package_index\.enabld"):
            writer.update(rows.PYTHON_PACKAGE_INDEX, {"url": INDEX["url"]}, {"enabld": True})
